"""The Celery app a test worker process runs (`celery -A tests.outbox.worker_app worker`): pocflow's own
app and settings, with WeasyPrint's layout replaced by the tests' fast stand-in, mails written to
files, and — until a marker file exists — the first render stalling, so a test can kill the worker
in the middle of rendering a letter."""

import os
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pocflow.settings")
django.setup()

from django.conf import settings  # noqa: E402
from weasyprint import HTML  # noqa: E402

from pocflow.celery import app  # noqa: E402,F401 — what `celery -A` runs
from tests.fake_pdf import fake_write_pdf  # noqa: E402

MARKER = Path(os.environ["OUTBOX_TEST_MARKER"])
settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
settings.EMAIL_FILE_PATH = os.environ["OUTBOX_TEST_MAIL_DIR"]


def stalling_write_pdf(self, target=None, **options):
    if not MARKER.exists():  # the first render: say so, then hang until the test kills us
        MARKER.write_text(str(os.getpid()))
        time.sleep(600)
    return fake_write_pdf(self, target, **options)


HTML.write_pdf = stalling_write_pdf
