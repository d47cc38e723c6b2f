"""Everything time-driven, once or in a loop: `manage.py run_timers [--loop SECONDS]`.

Production runs the same sweep from Celery beat (`workflows.tasks.fire_timers`, every minute);
`make run` calls this command every minute.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from workflows.tasks import sweep


class Command(BaseCommand):
    help = ("Fire due review-deadline timers, send due reminder mails, close public notices whose period ended, "
            "request quarterly progress reports and send report reminders.")

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, metavar="SECONDS", default=0,
                            help="Repeat every SECONDS seconds until interrupted (default: run once).")

    def handle(self, *args, loop=0, **options):
        if loop < 0:
            raise CommandError("--loop takes a positive number of seconds.")
        while True:
            counts = sweep()
            self.stdout.write(
                "{timers} timer(s) fired, {starts} process(es) started, {conditions} condition(s) fired, "
                "{reminders} reminder(s) sent, {final} notice entry(ies) made final, "
                "{reports_requested} progress report(s) requested, {report_reminders} report reminder(s) sent, "
                "{rectifications_overdue} overdue rectification(s) flagged".format(**counts)
            )
            if not loop:
                return
            try:
                time.sleep(loop)
            except KeyboardInterrupt:
                return
