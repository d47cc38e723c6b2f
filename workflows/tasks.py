from celery import shared_task


@shared_task
def fire_timers():
    """Celery beat: fire due viewflow timers (review deadlines)."""
    from viewflow.workflow.timers import fire_due_conditions, fire_due_start_timers, fire_due_timers

    return {"timers": fire_due_timers(), "starts": fire_due_start_timers(), "conditions": fire_due_conditions()}
