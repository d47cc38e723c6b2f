"""Two sweeps at the same moment send each reminder once and make each notice entry final once (PostgreSQL)."""

import datetime as dt

from django.core import mail

from core.errors import DomainError
from proposals.enums import ProposalStatus as S
from reviews.models import NoticeEntry, ReviewReminder
from reviews.services.deadlines import send_due_reminders
from reviews.services.notice import close_due_notices
from tests.concurrency import POSTGRES_ONLY, race
from tests.helpers import World
from tests.reviews.deadline_support import tasks
from workflows.flows import ProposalFlow

pytestmark = POSTGRES_ONLY


def test_two_reminder_sweeps_at_once_send_one_mail_and_record_each_offset_once():
    world = World(experts=1)
    world.call.reminder_days = "3,1"
    world.call.save()
    world.assigned()
    review = world.reviews[0]
    now = review.deadline - dt.timedelta(hours=12)
    mail.outbox.clear()
    results = race([lambda: send_due_reminders(now=now), lambda: send_due_reminders(now=now)])
    assert sorted(r[1] for r in results) == [0, 1]
    assert sorted(ReviewReminder.objects.filter(review=review).values_list("offset_days", flat=True)) == [1, 3]
    assert [m.to for m in mail.outbox] == [[review.expert.email]]


def test_two_notice_sweeps_at_once_make_an_approval_final_once():
    world = World(experts=1)
    proposal = world.approved()
    notice = world.publish()
    results = race([lambda: close_due_notices(now=notice.ends_at), lambda: close_due_notices(now=notice.ends_at)])
    assert sum(r[1] for r in results if r[0] == "ok") == 1
    assert [r for r in results if r[0] == "error"] == []
    proposal.refresh_from_db()
    assert proposal.status == S.FUNDING
    assert len(tasks(proposal, ProposalFlow.funding)) == 1
    assert NoticeEntry.objects.filter(final_at__isnull=False).count() == 1


def test_two_officers_publishing_at_once_list_each_proposal_once():
    world = World(experts=1)
    proposal = world.approved()
    results = race([lambda: world.publish(title_zh="公示甲"), lambda: world.publish(title_zh="公示乙")])
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["error", "ok"]
    assert all(isinstance(r[1], DomainError) for r in results if r[0] == "error")
    assert NoticeEntry.objects.filter(proposal=proposal).count() == 1
