"""The transactional outbox: what a change owes is recorded with it and delivered after commit.

A service that owes a side effect calls `owe(kind=…, key=…, payload=…)` inside its transaction; the row
commits or rolls back with the change. After commit the row is dispatched: inline when no broker is
configured (the embedded default), otherwise to a Celery worker (`core.tasks.deliver_owed`, acks late,
re-queued when a worker dies). Delivery claims the row under a row lock (a crashed worker's lock goes with
its connection), runs the kind's handler, and marks the row done in the same transaction as the
handler's own writes — so a stored document and "delivered" commit together, or neither does.

A failure is recorded on the row (attempts, last error, next attempt with exponential backoff); after
`OUTBOX_MAX_ATTEMPTS` the row is given up and listed for staff, who can retry it. `sweep()` (part of the
timer sweep, every minute) re-drives every row that is due: a failure's next attempt, or a row whose
dispatch never reached a worker (broker down, message lost). Handlers receive the row and must be
idempotent by it: documents are stored once per subject, kind and language; a mail row is sent
once, with a Message-ID fixed by its key.

Handlers register from their app's `ready()` with `register(kind, handler, label=…)`; core imports no app.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.models import Delivery

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Handler:
    kind: str
    run: Callable[[Delivery], object]
    label: str  # lazy translated name shown to staff


HANDLERS: dict[str, Handler] = {}


def register(kind: str, run: Callable[[Delivery], object], *, label) -> None:
    HANDLERS[kind] = Handler(kind=kind, run=run, label=label)


def label_of(kind: str):
    handler = HANDLERS.get(kind)
    return handler.label if handler else kind


def backoff(attempts: int) -> timedelta:
    """Seconds before attempt `attempts + 1`: base · 2^(attempts−1), capped (30 s, 1 min, 2 min … 1 h)."""
    base, cap = settings.OUTBOX_BACKOFF_SECONDS, settings.OUTBOX_BACKOFF_CAP_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def grace() -> timedelta:
    """How long a dispatched row may wait for its worker before the sweep dispatches it again."""
    return timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER_SECONDS)


# -- recording -------------------------------------------------------------------------------

def owe(*, kind: str, key: str, payload: dict | None = None, subject: str = "") -> Delivery:
    """Record an owed side effect in the current transaction and dispatch it after commit.

    The same `key` is recorded once: a repeated call returns the existing row (and does not dispatch
    it again). `payload` must be JSON-serialisable."""
    if kind not in HANDLERS:
        raise LookupError(f"No outbox handler for {kind!r}")
    with transaction.atomic():
        delivery, created = Delivery.objects.get_or_create(
            key=key,
            defaults={"kind": kind, "payload": payload or {}, "subject": subject,
                      "next_attempt_at": timezone.now() + grace()},
        )
    if created:
        pk = delivery.pk
        transaction.on_commit(lambda: dispatch(pk), robust=True)
    return delivery


# -- delivering ------------------------------------------------------------------------------

def _inline() -> bool:
    return bool(current_app.conf.task_always_eager)


def dispatch(delivery_id: int) -> None:
    """Hand one row to a worker, or deliver it inline without a broker. Never raises: a row whose
    dispatch fails waits for the sweep."""
    if _inline():
        try:
            deliver(delivery_id)
        except Exception:  # recorded on the row; the sweep retries it when due
            logger.warning("Owed delivery %s failed inline; it will be retried", delivery_id, exc_info=True)
        return
    from core.tasks import deliver_owed  # noqa: PLC0415 — reason: the task module imports the Celery app

    try:  # a connection of its own: a broken pooled connection (or an old broker URL) never sticks
        with current_app.connection_for_write() as connection:
            deliver_owed.apply_async(args=[delivery_id], connection=connection, retry=False)
    except Exception:  # broker unreachable or hanging past its timeouts: the sweep re-dispatches
        logger.warning("Owed delivery %s could not be queued; the sweep will retry", delivery_id, exc_info=True)


class DeliveryFailed(Exception):
    """A delivery attempt failed and will be retried after `retry_in` seconds."""

    def __init__(self, delivery_id: int, retry_in: float, error: str):
        super().__init__(f"delivery {delivery_id} failed, retry in {retry_in:.0f} s: {error}")
        self.retry_in = retry_in


def deliver(delivery_id: int) -> bool:
    """Deliver one row if it is still owed; True when it is done (now or before), False when another
    worker holds it or it was given up. Raises DeliveryFailed after recording a failed attempt."""
    try:
        with transaction.atomic():
            delivery = Delivery.objects.waiting().select_for_update(skip_locked=True).filter(pk=delivery_id).first()
            if delivery is None:
                return Delivery.objects.delivered().filter(pk=delivery_id).exists()
            handler = HANDLERS.get(delivery.kind)
            if handler is None:
                raise LookupError(f"No outbox handler for {delivery.kind!r}")
            handler.run(delivery)
            Delivery.objects.filter(pk=delivery.pk).update(
                done_at=timezone.now(), attempts=delivery.attempts + 1, last_error="")
        return True
    except Exception as exc:
        return _record_failure(delivery_id, exc)


def _record_failure(delivery_id: int, exc: Exception) -> bool:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.done_at is not None:
            return delivery is not None
        delivery.attempts += 1
        delivery.last_error = error
        if delivery.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            delivery.failed_at = now
            logger.error("Owed delivery %s (%s) given up after %s attempts: %s",
                         delivery.pk, delivery.kind, delivery.attempts, error)
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save(update_fields=["attempts", "last_error", "failed_at", "next_attempt_at"])
    if delivery.failed_at is not None:
        return False
    raise DeliveryFailed(delivery_id, (delivery.next_attempt_at - now).total_seconds(), error) from exc


# -- the sweep and staff's retry -------------------------------------------------------------

def due(*, now=None):
    now = now or timezone.now()
    return Delivery.objects.waiting().filter(next_attempt_at__lte=now)


def sweep(*, now=None, limit: int = 200) -> int:
    """Re-dispatch every owed row that is due (a retry's time came, or its dispatch never reached a
    worker). Each row is pushed forward by the grace period first, so a slow queue is not flooded."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(due(now=now).select_for_update(skip_locked=True).order_by("next_attempt_at", "pk")
                   .values_list("pk", flat=True)[:limit])
        Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now + grace())
    for pk in ids:
        dispatch(pk)
    return len(ids)


def retry(*, deliveries) -> int:
    """Staff: give failed or waiting rows a fresh start (attempts kept, given-up mark cleared), now."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(deliveries.owed().values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(failed_at=None, next_attempt_at=now + grace())
        for pk in ids:
            transaction.on_commit(lambda pk=pk: dispatch(pk), robust=True)
    return len(ids)


def owed(*, subject: str, kinds_prefix: str = ""):
    """Rows still owed (pending or given up) about `subject`, e.g. the letters of one proposal."""
    rows = Delivery.objects.owed().filter(subject=subject)
    return rows.filter(kind__startswith=kinds_prefix) if kinds_prefix else rows
