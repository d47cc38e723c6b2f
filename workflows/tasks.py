from celery import shared_task
from viewflow.workflow.timers import fire_due_conditions, fire_due_start_timers, fire_due_timers

from core import outbox
from decisions.services.integrity import seal_pending
from incubation.services.reports import sweep as incubation_sweep
from reviews.services.deadlines import send_due_reminders
from reviews.services.notice import close_due_notices


def sweep(*, now=None) -> dict:
    """One pass of everything time-driven: viewflow timers (review deadlines → escalation), reminder
    mails before deadlines, public notices whose period ended, and incubation's quarterly report
    requests, report reminders and overdue rectifications; and every owed delivery (letter, document,
    mail) that is due for a retry or never reached a worker (core.outbox), and audit or ledger rows whose
    writer's seal into the hash chain did not run (core.chain). Safe to run concurrently: timers
    are re-checked under the flow lock, reminders and notice entries are claimed by unique rows and
    conditional updates. `now` only moves the reminder and notice clocks (viewflow's timers use the
    real time)."""
    return {
        "deliveries": outbox.sweep(now=now),
        "sealed": seal_pending(),
        "timers": fire_due_timers(),
        "starts": fire_due_start_timers(),
        "conditions": fire_due_conditions(),
        "reminders": send_due_reminders(now=now),
        "final": close_due_notices(now=now),
        **incubation_sweep(today=now),
    }


@shared_task
def fire_timers():
    """Celery beat (every minute): fire due viewflow timers, send due reminders, close due notices."""
    return sweep()
