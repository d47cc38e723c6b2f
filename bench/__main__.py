"""`make bench`: the expert-review benchmarks (issue #3) and the statistics funnel (issue #4). Prints measured figures only."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pocflow.settings")
    import django

    django.setup()
    from bench import aggregation, assignment, funnel

    assignment.main()
    aggregation.main()
    funnel.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
