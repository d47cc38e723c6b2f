"""Celery application. With no broker configured, tasks run inline (eager)."""

import os

from celery import Celery
from celery.signals import beat_init, worker_init, worker_process_init
from django.core.exceptions import ImproperlyConfigured

from core.deploy import refuse_unsafe_start

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pocflow.settings")

app = Celery("pocflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _refuse_unsafe_start(**kwargs):
    """A worker or beat with DEBUG off refuses the development SECRET_KEY and ALLOWED_HOSTS, as the web server
    does. SystemExit, because Celery logs and ignores an ordinary exception from a signal receiver."""
    try:
        refuse_unsafe_start()
    except ImproperlyConfigured as exc:
        raise SystemExit(str(exc)) from exc


@worker_process_init.connect
def _warm_documents(**kwargs):
    """Each worker process renders a tiny document at start, so no letter pays the cold start."""
    if os.environ.get("WORKER_WARM", "1") != "0":
        from decisions.pdf import warm  # noqa: PLC0415 — reason: Django is set up by now

        warm()
