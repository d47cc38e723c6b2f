from django.core.management.base import BaseCommand

from workflows.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create demo accounts (one per role), a fund and an open call with a Chinese rubric. Idempotent."

    def handle(self, *args, **options):
        result = seed_demo()
        self.stdout.write(self.style.SUCCESS("pocflow demo is ready. Log in at /accounts/login/ with:"))
        for username, role in result["users"]:
            self.stdout.write(f"  {username:<12} / {DEMO_PASSWORD}   ({role.label})")
        self.stdout.write(f"Fund: {result['fund'].name_zh} ({result['fund'].size:,.2f} {result['fund'].currency})")
        self.stdout.write(f"Open call: {result['call'].title_zh}")
