"""The time-driven sweep: Celery beat task and the `run_timers` command do timers, reminders and notices."""

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from proposals.enums import ProposalStatus as S
from reviews.models import PublicNotice, ReviewReminder
from reviews.services.notice import publish_notice
from tests.helpers import World
from tests.reviews.deadline_support import pass_deadline, tasks
from workflows.flows import ProposalFlow
from workflows.management.commands import run_timers
from workflows.tasks import fire_timers

pytestmark = pytest.mark.django_db


def due_everything():
    """One overdue review, one review with a reminder due, one notice whose period is over."""
    world = World(experts=2)
    world.call.reminder_days = "30"  # a 14-day review period: the 30-day reminder is due at once
    world.call.save()
    overdue_proposal = world.assigned()
    overdue = world.reviews[0]
    pass_deadline(overdue)
    # the second review of the same proposal has its reminder due; the overdue one gets none
    other = World(experts=1)
    approved = other.approved()
    notice = publish_notice(call=other.call, published_by=other.officer, title_zh="公示")
    PublicNotice.objects.filter(pk=notice.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    return overdue_proposal, overdue, approved


def test_the_beat_schedule_runs_the_sweep_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["fire-workflow-timers"]
    assert (entry["task"], entry["schedule"]) == ("workflows.tasks.fire_timers", 60.0)
    assert fire_timers.name == "workflows.tasks.fire_timers"


def test_the_beat_task_fires_timers_sends_reminders_and_makes_notices_final(django_capture_on_commit_callbacks):
    overdue_proposal, overdue, approved = due_everything()
    with django_capture_on_commit_callbacks(execute=True):
        counts = fire_timers.delay().get()
    approved.refresh_from_db()
    assert counts == {"deliveries": 0, "sealed": counts["sealed"], "timers": 1, "starts": 0, "conditions": 0, "reminders": 1, "final": 1,
                      "reports_requested": 0, "report_reminders": 0, "rectifications_overdue": 0}
    assert len(tasks(overdue_proposal, ProposalFlow.escalate)) == 1
    assert list(ReviewReminder.objects.values_list("review__expert_id", "offset_days")) == [
        (overdue_proposal.reviews.exclude(pk=overdue.pk).get().expert_id, 30)]
    assert approved.status == S.FUNDING
    assert len(tasks(approved, ProposalFlow.funding)) == 1


def test_the_run_timers_command_does_the_same_and_prints_the_counts():
    overdue_proposal, overdue, approved = due_everything()
    out = StringIO()
    call_command("run_timers", stdout=out)
    assert out.getvalue() == ("1 timer(s) fired, 0 process(es) started, 0 condition(s) fired, "
                              "1 reminder(s) sent, 1 notice entry(ies) made final, 0 progress report(s) requested, "
                              "0 report reminder(s) sent, 0 overdue rectification(s) flagged\n")
    out = StringIO()
    call_command("run_timers", stdout=out)
    assert out.getvalue() == ("0 timer(s) fired, 0 process(es) started, 0 condition(s) fired, "
                              "0 reminder(s) sent, 0 notice entry(ies) made final, 0 progress report(s) requested, "
                              "0 report reminder(s) sent, 0 overdue rectification(s) flagged\n")


def test_run_timers_repeats_with_loop_until_interrupted(monkeypatch):
    naps = []

    def nap(seconds):
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(run_timers.time, "sleep", nap)
    out = StringIO()
    call_command("run_timers", "--loop", "30", stdout=out)
    assert naps == [30, 30]
    assert len(out.getvalue().splitlines()) == 2


def test_run_timers_refuses_a_negative_loop():
    with pytest.raises(CommandError):
        call_command("run_timers", "--loop", "-5", stdout=StringIO())
