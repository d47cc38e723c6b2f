from celery import shared_task


def sweep(*, now=None) -> dict:
    """One pass of everything time-driven: viewflow timers (review deadlines → escalation), reminder
    mails before deadlines, and public notices whose period ended. Safe to run concurrently: timers
    are re-checked under the flow lock, reminders and notice entries are claimed by unique rows and
    conditional updates. `now` only moves the reminder and notice clocks (viewflow's timers use the
    real time)."""
    from viewflow.workflow.timers import fire_due_conditions, fire_due_start_timers, fire_due_timers

    from reviews.services.deadlines import send_due_reminders
    from reviews.services.notice import close_due_notices

    return {
        "timers": fire_due_timers(),
        "starts": fire_due_start_timers(),
        "conditions": fire_due_conditions(),
        "reminders": send_due_reminders(now=now),
        "final": close_due_notices(now=now),
    }


@shared_task
def fire_timers():
    """Celery beat (every minute): fire due viewflow timers, send due reminders, close due notices."""
    return sweep()
