"""Reminder mails before a review's deadline: at the call's offsets, once each, in the expert's language, blind."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone, translation

from core.zones import zone_label
from proposals.enums import ProposalStatus as S
from reviews.models import ReviewReminder
from reviews.services.deadlines import send_due_reminders
from tests.helpers import World
from tests.reviews.deadline_support import pass_deadline
from workflows import escalation, services
from workflows.tasks import sweep

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def sweep_at(django_capture_on_commit_callbacks):
    """Run the reminder sweep at a given moment; return (reviews reminded, mails sent by it)."""
    def run(now):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            reminded = send_due_reminders(now=now)
        return reminded, mail.outbox[before:]
    return run


def one_review(**call_fields):
    world = World(experts=1)
    for name, value in call_fields.items():
        setattr(world.call, name, value)
    world.call.save()
    proposal = world.assigned()
    return world, proposal, world.reviews[0]


def offsets(review):
    return sorted((r.deadline, r.offset_days) for r in ReviewReminder.objects.filter(review=review))


def test_reminders_go_out_once_at_each_offset_before_the_deadline(sweep_at):
    world, proposal, review = one_review(reminder_days="3,1")
    deadline = review.deadline
    assert sweep_at(deadline - 5 * DAY) == (0, [])
    reminded, mails = sweep_at(deadline - 3 * DAY + dt.timedelta(minutes=1))
    assert (reminded, [m.to for m in mails]) == (1, [[review.expert.email]])
    assert offsets(review) == [(deadline, 3)]
    assert sweep_at(deadline - 3 * DAY + dt.timedelta(minutes=2)) == (0, [])
    assert sweep_at(deadline - 2 * DAY) == (0, [])
    reminded, mails = sweep_at(deadline - DAY)
    assert (reminded, len(mails)) == (1, 1)
    assert offsets(review) == [(deadline, 1), (deadline, 3)]
    assert sweep_at(deadline - dt.timedelta(hours=1)) == (0, [])


def test_offsets_that_fall_due_together_send_one_mail_and_record_each(sweep_at):
    world, proposal, review = one_review(reminder_days="7,3,1")
    reminded, mails = sweep_at(review.deadline - dt.timedelta(hours=12))
    assert (reminded, len(mails)) == (1, 1)
    assert offsets(review) == [(review.deadline, 1), (review.deadline, 3), (review.deadline, 7)]
    assert sweep_at(review.deadline - dt.timedelta(hours=6)) == (0, [])


def test_the_reminder_is_in_english_for_an_english_speaking_expert_with_the_deadline_in_the_calls_time_zone(sweep_at):
    world, proposal, review = one_review(reminder_days="2", time_zone="Europe/Berlin")
    review.expert.language = "en"
    review.expert.save()
    [mail_] = sweep_at(review.deadline - DAY)[1]
    local = timezone.localtime(review.deadline, ZoneInfo("Europe/Berlin"))
    with translation.override("en"):
        due = f"{local:%Y-%m-%d %H:%M} ({zone_label('Europe/Berlin', review.deadline)})"
    assert mail_.subject == f"[pocflow] Reminder: your review of {proposal.reference} is due on {due}"
    assert f'your review of "{proposal.title}" ({proposal.reference}) is due on {due}.' in mail_.body
    assert "Days remaining: 1." in mail_.body
    assert f"/expert/reviews/{review.pk}/" in mail_.body


def test_the_reminder_is_in_chinese_for_a_chinese_speaking_expert(sweep_at):
    world, proposal, review = one_review(reminder_days="2")
    [mail_] = sweep_at(review.deadline - DAY)[1]
    assert mail_.body.startswith(f"{review.expert.display_name}：")
    assert "请在此打开：" in mail_.body
    assert "Open it here:" not in mail_.body


def test_under_blind_review_the_reminder_names_the_proposal_but_not_the_applicant(sweep_at):
    world, proposal, review = one_review(reminder_days="1", blind_identity=True)
    [mail_] = sweep_at(review.deadline - DAY)[1]
    text = mail_.subject + mail_.body
    assert proposal.reference in text and proposal.title in text
    assert proposal.applicant.display_name not in text
    assert proposal.institution not in text


def test_no_reminders_for_submitted_declined_or_escalated_reviews_or_after_the_deadline(sweep_at):
    world = World(experts=4)
    world.assigned()
    submitted, declined, escalated, late = world.reviews
    world.score(submitted)
    services.decline_review(review=declined, expert=declined.expert, reason="同单位")
    pass_deadline(escalated)
    sweep()
    deadline = late.deadline
    assert sweep_at(deadline + dt.timedelta(minutes=1)) == (0, [])
    reminded, mails = sweep_at(deadline - DAY)
    assert (reminded, [m.to for m in mails]) == (1, [[late.expert.email]])
    assert ReviewReminder.objects.exclude(review=late).count() == 0


def test_no_reminders_once_the_proposal_is_withdrawn(sweep_at):
    world, proposal, review = one_review(reminder_days="3")
    services.withdraw_proposal(proposal=proposal, actor=proposal.applicant, note="撤回")
    proposal.refresh_from_db()
    assert proposal.status == S.WITHDRAWN
    assert sweep_at(review.deadline - DAY) == (0, [])


def test_a_call_without_reminder_days_sends_none(sweep_at):
    world, proposal, review = one_review(reminder_days="")
    assert sweep_at(review.deadline - dt.timedelta(hours=1)) == (0, [])


def test_an_extension_starts_a_fresh_series_of_reminders(sweep_at):
    world, proposal, review = one_review(reminder_days="3,1")
    old = review.deadline
    assert sweep_at(old - dt.timedelta(hours=12))[0] == 1
    pass_deadline(review)
    sweep()
    new = timezone.now() + 6 * DAY
    escalation.extend_review(review=review, officer=world.officer, deadline=new, reason="延期")
    review.refresh_from_db()
    reminded, mails = sweep_at(new - 3 * DAY)
    assert (reminded, [m.to for m in mails]) == (1, [[review.expert.email]])
    assert [o for d, o in offsets(review) if d == new] == [3]
    assert len([o for d, o in offsets(review) if d != new]) == 2
