"""`make bench`: the expert-review benchmarks (issue #3), the statistics funnel (issue #4), the documents'
cold start, the panel page (issue #13); `make bench-large`
(`--large`): the city-size cases. Prints a table of measured figures and writes them as JSON lines to
var/bench/latest.jsonl (bench/record.py).

  python -m bench [--proposals N] [--experts N] [--k N] [--no-e2e] [--only assignment,aggregation,funnel,documents,panel]
  python -m bench --large
"""

import argparse
import os
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, help="proposals in the assignment and aggregation benchmarks")
    parser.add_argument("--experts", type=int, help="experts in the pool")
    parser.add_argument("--k", type=int, help="experts per proposal")
    parser.add_argument("--funnel-proposals", type=int, help="proposals in the statistics funnel")
    parser.add_argument("--panel-proposals", type=int, help="proposals in the panel page benchmark")
    parser.add_argument("--no-e2e", action="store_true", help="skip the database end-to-end runs")
    parser.add_argument("--only", default="assignment,aggregation,funnel,documents,panel",
                        help="which benchmarks, comma-separated")
    parser.add_argument("--large", action="store_true", help="the city-size cases instead")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pocflow.settings")
    import django

    django.setup()
    from bench import aggregation, assignment, documents, funnel, panel, record

    record.start()
    if args.large:
        assignment.city()
        record.table()
        return 0
    only = set(args.only.split(","))
    if "assignment" in only:
        assignment.configure(proposals=args.proposals, experts=args.experts, k=args.k)
        assignment.main(e2e=not args.no_e2e)
    if "aggregation" in only:
        aggregation.configure(proposals=args.proposals, experts=args.experts, k=args.k)
        aggregation.main()
    if "funnel" in only:
        funnel.configure(proposals=args.funnel_proposals)
        funnel.main()
    if "documents" in only:
        documents.main()
    if "panel" in only:
        panel.configure(proposals=args.panel_proposals)
        panel.main()
    record.table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
