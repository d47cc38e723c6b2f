"""Celery application. With no broker configured, tasks run inline (eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pocflow.settings")

app = Celery("pocflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
