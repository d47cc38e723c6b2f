"""Celery's side of the outbox: one task delivers one owed row (see core.outbox)."""

from celery import shared_task

from core import outbox


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None, ignore_result=True)
def deliver_owed(self, delivery_id: int) -> bool:
    """Acknowledged only after the row is delivered or recorded as failed: a worker killed mid-way
    leaves the message to be re-delivered (and the row, unlocked with the dead connection, to be
    claimed again). A failure retries with the row's backoff; the sweep covers a lost retry."""
    try:
        return outbox.deliver(delivery_id)
    except outbox.DeliveryFailed as exc:
        raise self.retry(countdown=exc.retry_in, exc=exc) from exc
