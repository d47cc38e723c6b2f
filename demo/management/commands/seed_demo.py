from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from demo.seed import DEMO_PASSWORD, seed_demo, seed_demo_story


class Command(BaseCommand):
    help = ("Create demo accounts (one per role), a fund, an open call with a Chinese rubric and the demo "
            "researcher's proposals at every stage (screening, review, funded projects). Idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("--no-story", action="store_true",
                            help="Only the accounts, the fund and the call: no demo proposals.")

    def handle(self, *args, **options):
        result = seed_demo()
        self.stdout.write(self.style.SUCCESS("pocflow demo is ready. Log in at /accounts/login/ with:"))
        for username, role in result["users"]:
            self.stdout.write(f"  {username:<12} / {DEMO_PASSWORD}   ({role.label})")
        self.stdout.write(f"Fund: {result['fund'].name_zh} ({result['fund'].size:,.2f} {result['fund'].currency})")
        self.stdout.write(f"Open call: {result['call'].title_zh}")
        if options["no_story"]:
            return
        # Outside seed_demo's transaction: each story item commits on its own and its PDFs are rendered.
        # The story's notification mails go to the demo accounts' made-up addresses: when they are sent
        # inline (no Celery broker) they are dropped rather than printed to the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            story = seed_demo_story(call=result["call"])
        if story["skipped"]:
            self.stdout.write(self.style.WARNING(f"Demo proposals not created: {story['skipped']}."))
        elif story["created"]:
            self.stdout.write("Demo proposals (researcher):")
            for line in story["created"]:
                self.stdout.write(f"  {line}")
        else:
            self.stdout.write(f"Demo proposals: all {story['existing']} already present, nothing added.")
