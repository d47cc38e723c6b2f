"""Liveness and readiness for a process manager or load balancer. No login, no secrets: each check
answers ok or a short reason, and readiness answers 503 naming every check that failed."""

import tempfile
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.models import Delivery


def check_database() -> str | None:
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return "migrations not applied"
    except DatabaseError as exc:
        return f"unreachable ({type(exc).__name__})"
    return None


def check_broker() -> str | None:
    if current_app.conf.task_always_eager:  # no broker configured: jobs run inline
        return None
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
    except Exception as exc:  # noqa: BLE001 — any failure means "not ready"; its type names it
        return f"unreachable ({type(exc).__name__})"
    return None


def check_media() -> str | None:
    root = settings.MEDIA_ROOT
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".readyz-"):
            pass
    except OSError as exc:
        return f"not writable ({type(exc).__name__})"
    return None


def check_outbox() -> str | None:
    """Owed deliveries waiting far longer than a retry should take, or given up, beyond the threshold."""
    stale = timezone.now() - timedelta(seconds=settings.READYZ_OUTBOX_STALE_SECONDS)
    try:
        backlog = Delivery.objects.owed().filter(created_at__lt=stale).count()
    except DatabaseError:
        return "unknown (database)"
    if backlog > settings.READYZ_OUTBOX_MAX_BACKLOG:
        return f"{backlog} owed deliveries older than {settings.READYZ_OUTBOX_STALE_SECONDS} s"
    return None


CHECKS = {"database": check_database, "broker": check_broker, "media": check_media, "outbox": check_outbox}


@login_not_required
@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request):
    failures = {name: reason for name, check in CHECKS.items() if (reason := check()) is not None}
    body = {"status": "fail" if failures else "ok",
            "checks": {name: failures.get(name, "ok") for name in CHECKS}}
    return JsonResponse(body, status=503 if failures else 200)
