from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _, gettext_lazy

from proposals.models import Call
from reviews.models import PanelSnapshot
from reviews.services.results import result_states
from reviews.services.snapshot import refresh_panel_snapshot


class Command(BaseCommand):
    help = gettext_lazy("Build or refresh the stored panel results of every call with proposals in review or "
                        "later (after an upgrade: calls whose reviews predate the snapshot). Idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("--call", type=int, action="append", help=gettext_lazy("only this call (repeatable)"))
        parser.add_argument("--missing", action="store_true", help=gettext_lazy("only calls without a snapshot"))

    def handle(self, *args, call=None, missing=False, **options):
        calls = Call.objects.filter(proposals__status__in=result_states()).distinct().order_by("pk")
        if call:
            calls = calls.filter(pk__in=call)
        if missing:
            calls = calls.exclude(pk__in=PanelSnapshot.objects.filter(computed_at__isnull=False).values("call_id"))
        built = 0
        for one in calls:
            with transaction.atomic():
                refresh_panel_snapshot(call=one)
            built += 1
        self.stdout.write(_("Panel results stored for %(n)d calls.") % {"n": built})
