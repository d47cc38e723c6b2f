"""Public notice (公示): publishing, objections, resolution, and when an approval becomes final."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone, translation
from viewflow.workflow.status import STATUS

from accounts.enums import Role
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from proposals.enums import ProposalStatus as S
from proposals.models import AuditEntry
from reviews.enums import NoticeStatus, ObjectionStatus
from reviews.models import NoticeEntry, Objection, PublicNotice
from reviews.services.notice import close_due_notices, lodge_objection, publish_notice, resolve_objection
from tests.factories import UserFactory
from tests.helpers import World
from tests.reviews.deadline_support import tasks
from tests.reviews.notice_support import confirmed, end_period, legacy_objection, lodge_confirmed
from workflows import services
from workflows.flows import ProposalFlow

pytestmark = pytest.mark.django_db

OBJECTOR = {"name": "王五", "email": "wangwu@example.org", "reasons": "该项目成果与本人团队的专利重复。"}


def entry_of(notice, proposal):
    return notice.entries.get(proposal=proposal)


# publishing

def test_publishing_lists_the_calls_approved_proposals_in_panel_rank_order():
    world = World(experts=2)
    low = world.assigned()
    low_reviews = world.reviews
    high = world.assigned()
    high_reviews = world.reviews
    rejected = world.in_panel()
    for review in low_reviews:
        world.score(review, (Decimal("6"), Decimal("3")))
    for review in high_reviews:
        world.score(review, (Decimal("9"), Decimal("5")))
    for proposal, outcome in ((low, "approve"), (high, "approve"), (rejected, "reject")):
        services.decide_panel(proposal=proposal, officer=world.officer, outcome=outcome, feedback="专家组意见")
    notice = world.publish(title_en="Notice")
    assert list(notice.entries.values_list("proposal_id", "position")) == [(high.pk, 1), (low.pk, 2)]
    assert (notice.status, notice.ends_at - notice.starts_at) == (NoticeStatus.OPEN, dt.timedelta(days=7))
    assert abs(notice.starts_at - timezone.now()) < dt.timedelta(minutes=1)
    assert sorted(AuditEntry.objects.filter(action="notice.published").values_list("proposal_id", flat=True)) == sorted(
        [low.pk, high.pk])
    for proposal in (low, high):
        proposal.refresh_from_db()
        assert proposal.status == S.APPROVED
        assert len(tasks(proposal, ProposalFlow.await_notice, statuses=[STATUS.NEW])) == 1
    # a proposal on a live notice is not listed again
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        world.publish()
    assert str(exc.value) == "No approved proposal of this call is waiting for a public notice."


def test_publishing_with_nothing_approved_is_refused_and_writes_nothing():
    world = World(experts=1)
    world.in_panel()
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        world.publish()
    assert str(exc.value) == "No approved proposal of this call is waiting for a public notice."
    assert (PublicNotice.objects.count(), NoticeEntry.objects.count()) == (0, 0)


@pytest.mark.parametrize("role", [Role.PANEL_CHAIR, Role.FUND_MANAGER, Role.EXPERT, Role.RESEARCHER])
def test_only_program_officers_may_publish(role):
    world = World(experts=1)
    world.approved()

    with pytest.raises(NotPermitted):
        publish_notice(call=world.call, published_by=UserFactory(role=role), title_zh="公示")
    assert PublicNotice.objects.count() == 0


def test_the_period_can_be_set_per_notice():
    world = World(experts=1)
    world.approved()
    notice = world.publish(days=3)
    assert notice.ends_at - notice.starts_at == dt.timedelta(days=3)


@pytest.mark.parametrize("days, message", [
    (None, "The notice period must be between 1 and 60 days."),
    (61, "The notice period must be between 1 and 60 days."),
])
def test_a_notice_needs_a_period_of_one_to_sixty_days(days, message):
    world = World(experts=1)
    world.approved()
    world.call.notice_days = 0  # changed after the approval was parked
    world.call.save()
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        world.publish(days=days)
    assert str(exc.value) == message
    assert PublicNotice.objects.count() == 0


def test_a_notice_needs_a_chinese_title():
    world = World(experts=1)
    world.approved()
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        world.publish(title_zh=" ", title_en="Notice")
    assert str(exc.value) == "Give the notice a Chinese title."
    assert PublicNotice.objects.count() == 0


def test_without_a_notice_period_an_approval_goes_straight_to_funding():
    world = World(experts=1)
    world.call.notice_days = 0
    world.call.save()
    proposal = world.approved()
    assert proposal.status == S.FUNDING
    assert tasks(proposal, ProposalFlow.await_notice, statuses=[STATUS.NEW, STATUS.DONE]) == []
    assert len(tasks(proposal, ProposalFlow.funding)) == 1


# objections

def test_anyone_may_object_during_the_period_and_gets_a_receipt_once_confirmed(django_capture_on_commit_callbacks):
    world = World(experts=1)
    world.officer.language = "en"
    world.officer.save()
    proposal = world.approved()
    notice = world.publish(title_en="Public notice of approved proposals")
    entry = entry_of(notice, proposal)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        objection = lodge_objection(notice=notice, entry=entry, organisation="某大学", phone="13800000000", **OBJECTOR)
    objection.refresh_from_db()
    assert (objection.status, objection.entry_id, objection.email, objection.phone) == (
        ObjectionStatus.PENDING, entry.pk, "wangwu@example.org", "13800000000")
    [audit] = AuditEntry.objects.filter(action="notice.objection_lodged")
    assert (audit.proposal_id, audit.actor_id) == (proposal.pk, None)
    assert audit.data == {"notice": notice.pk, "objection": objection.pk, "entry": entry.pk}
    assert "wangwu" not in str(audit.data) + audit.note
    assert [m.to for m in mail.outbox] == [["wangwu@example.org"]]  # only the confirmation link
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        confirmed(objection)
    [receipt] = [m for m in mail.outbox if m.subject.endswith("was received")]
    assert receipt.to == ["wangwu@example.org"]
    assert receipt.subject == '[pocflow] Your objection to "Public notice of approved proposals" was received'
    assert f"{proposal.reference} {proposal.title}" in receipt.body
    assert OBJECTOR["reasons"] in receipt.body  # confirmed: the receipt may quote the reasons
    # the officer who published the notice is told, with a link to the staff page
    [staff] = [m for m in mail.outbox if m.to == [world.officer.email]]
    assert staff.subject == "[pocflow] A new objection to a public notice"
    assert f"/notices/{notice.pk}/manage/" in staff.body
    assert len(mail.outbox) == 3


def test_a_proposal_withdrawn_during_the_notice_is_taken_off_the_list_not_made_final():
    world = World(experts=1)
    withdrawn = world.approved()
    kept = world.approved()
    notice = world.publish()
    services.withdraw_proposal(proposal=withdrawn, actor=withdrawn.applicant, note="团队解散")
    assert close_due_notices(now=notice.ends_at) == 1
    notice.refresh_from_db()
    kept.refresh_from_db()
    assert entry_of(notice, withdrawn).withdrawn_at == notice.ends_at
    assert entry_of(notice, withdrawn).final_at is None
    assert (kept.status, notice.status) == (S.FUNDING, NoticeStatus.CLOSED)
    assert AuditEntry.objects.filter(proposal=withdrawn, action="notice.entry_withdrawn").count() == 1


def test_an_objection_after_the_period_is_refused_with_a_translated_message_and_nothing_is_written():
    world = World(experts=1)
    proposal = world.approved()
    notice = end_period(world.publish())
    audits = AuditEntry.objects.count()
    end = timezone.localtime(notice.ends_at, ZoneInfo("Asia/Shanghai"))
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        lodge_objection(notice=notice, entry=entry_of(notice, proposal), **OBJECTOR)
    assert str(exc.value) == (f"The objection period of this notice ended on {end:%Y-%m-%d %H:%M} (China Standard Time, UTC+8); "
                              "objections are no longer accepted.")
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as exc:
        lodge_objection(notice=notice, **OBJECTOR)
    assert (Objection.objects.count(), AuditEntry.objects.count(), len(mail.outbox)) == (0, audits, 0)


def test_an_objection_to_a_closed_notice_is_refused():
    world = World(experts=1)
    world.approved()
    notice = world.publish()
    PublicNotice.objects.filter(pk=notice.pk).update(status=NoticeStatus.CLOSED)
    notice.refresh_from_db()
    with pytest.raises(InvalidInput):
        lodge_objection(notice=notice, **OBJECTOR)
    assert Objection.objects.count() == 0


@pytest.mark.parametrize("field, value, message", [
    ("name", " ", "Give your name."),
    ("email", "not-an-address", "Give an email address where the program office can reach you."),
    ("reasons", "", "Give the reasons for your objection."),
])
def test_an_objection_needs_a_name_a_contact_and_reasons(field, value, message):
    world = World(experts=1)
    world.approved()
    notice = world.publish()
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        lodge_objection(notice=notice, entry=notice.entries.get(), **{**OBJECTOR, field: value})
    assert str(exc.value) == message
    assert (Objection.objects.count(), AuditEntry.objects.filter(action="notice.objection_lodged").count()) == (0, 0)


def test_an_objection_must_name_a_proposal_of_the_same_notice():
    world = World(experts=1)
    first = world.approved()
    first_notice = world.publish()
    world.approved()
    second_notice = world.publish()
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        lodge_objection(notice=second_notice, entry=entry_of(first_notice, first), **OBJECTOR)
    assert str(exc.value) == "Choose a proposal from this notice's list."
    assert Objection.objects.count() == 0


# resolution and finality

def test_when_the_period_ends_with_no_objection_the_approval_becomes_final_and_funding_opens():
    world = World(experts=1)
    proposal = world.approved()
    notice = world.publish()
    assert close_due_notices(now=notice.ends_at - dt.timedelta(seconds=1)) == 0
    assert close_due_notices(now=notice.ends_at) == 1
    proposal.refresh_from_db()
    notice.refresh_from_db()
    entry = entry_of(notice, proposal)
    assert (proposal.status, entry.final_at, notice.status, notice.closed_at) == (
        S.FUNDING, notice.ends_at, NoticeStatus.CLOSED, notice.ends_at)
    assert len(tasks(proposal, ProposalFlow.funding)) == 1
    assert AuditEntry.objects.filter(proposal=proposal, action="notice.final").count() == 1
    # a second sweep changes nothing
    assert close_due_notices(now=notice.ends_at + dt.timedelta(hours=1)) == 0
    assert len(tasks(proposal, ProposalFlow.funding)) == 1


def test_an_open_objection_at_the_end_of_the_period_keeps_the_approval_from_becoming_final():
    world = World(experts=1)
    objected = world.approved()
    clean = world.approved()
    notice = world.publish()
    lodge_confirmed(notice=notice, entry=entry_of(notice, objected), **OBJECTOR)
    assert close_due_notices(now=notice.ends_at) == 1
    objected.refresh_from_db()
    clean.refresh_from_db()
    notice.refresh_from_db()
    assert (objected.status, clean.status, notice.status) == (S.APPROVED, S.FUNDING, NoticeStatus.OPEN)
    assert entry_of(notice, objected).final_at is None
    assert tasks(objected, ProposalFlow.funding) == []


def test_dismissing_an_objection_after_the_period_makes_the_approval_final():
    world = World(experts=1)
    proposal = world.approved()
    notice = world.publish()
    objection = lodge_confirmed(notice=notice, entry=entry_of(notice, proposal), **OBJECTOR)
    end_period(notice)
    close_due_notices()
    resolve_objection(objection=objection, upheld=False, resolution="经核查，专利不重复。", resolved_by=world.officer)
    proposal.refresh_from_db()
    notice.refresh_from_db()
    objection.refresh_from_db()
    assert (objection.status, objection.resolution, objection.resolved_by_id) == (
        ObjectionStatus.DISMISSED, "经核查，专利不重复。", world.officer.pk)
    assert (proposal.status, notice.status) == (S.FUNDING, NoticeStatus.CLOSED)
    assert len(tasks(proposal, ProposalFlow.funding)) == 1
    assert AuditEntry.objects.filter(proposal=proposal, action="notice.objection_dismissed", actor=world.officer).count() == 1


def test_dismissing_during_the_period_leaves_the_approval_waiting_for_the_end():
    world = World(experts=1)
    proposal = world.approved()
    notice = world.publish()
    objection = lodge_confirmed(notice=notice, entry=entry_of(notice, proposal), **OBJECTOR)
    resolve_objection(objection=objection, upheld=False, resolution="理由不成立", resolved_by=world.officer)
    proposal.refresh_from_db()
    assert proposal.status == S.APPROVED
    assert close_due_notices(now=notice.ends_at) == 1
    proposal.refresh_from_db()
    assert proposal.status == S.FUNDING


def test_upholding_an_objection_takes_the_proposal_off_the_list_and_back_to_the_panel():
    world = World(experts=1)
    proposal = world.approved()
    other = world.approved()
    notice = world.publish()
    objection = lodge_confirmed(notice=notice, entry=entry_of(notice, proposal), **OBJECTOR)
    resolve_objection(objection=objection, upheld=True, resolution="异议成立，提交专家组复议。", resolved_by=world.officer)
    proposal.refresh_from_db()
    entry = entry_of(notice, proposal)
    assert proposal.status == S.PANEL
    assert entry.withdrawn_at is not None
    [panel] = tasks(proposal, ProposalFlow.panel)
    assert panel.status == STATUS.NEW
    [reopen] = AuditEntry.objects.filter(proposal=proposal, action="proposal.reopen_panel")
    assert (reopen.from_state, reopen.to_state, reopen.actor_id, reopen.note) == (
        S.APPROVED, S.PANEL, world.officer.pk, "异议成立，提交专家组复议。")
    assert tasks(proposal, ProposalFlow.await_notice, statuses=[STATUS.NEW]) == []
    # the rest of the list carries on, and the notice closes when every entry is settled
    assert close_due_notices(now=notice.ends_at) == 1
    other.refresh_from_db()
    notice.refresh_from_db()
    assert (other.status, notice.status) == (S.FUNDING, NoticeStatus.CLOSED)


def test_a_reapproved_proposal_is_published_on_a_new_notice():
    world = World(experts=1)
    proposal = world.approved()
    first = world.publish()
    objection = lodge_confirmed(notice=first, entry=entry_of(first, proposal), **OBJECTOR)
    resolve_objection(objection=objection, upheld=True, resolution="复议", resolved_by=world.officer)
    services.decide_panel(proposal=proposal, officer=world.officer, outcome="approve", feedback="复议后同意立项")
    proposal.refresh_from_db()
    assert proposal.status == S.APPROVED
    second = world.publish()
    assert list(second.entries.values_list("proposal_id", flat=True)) == [proposal.pk]
    assert list(first.entries.values_list("proposal_id", flat=True)) == [proposal.pk]
    assert close_due_notices(now=second.ends_at) == 1
    proposal.refresh_from_db()
    assert proposal.status == S.FUNDING


def test_a_legacy_objection_to_the_whole_list_holds_back_every_entry_and_cannot_be_upheld():
    world = World(experts=1)
    a = world.approved()
    b = world.approved()
    notice = world.publish()
    general = legacy_objection(notice)
    assert close_due_notices(now=notice.ends_at) == 0
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        resolve_objection(objection=general, upheld=True, resolution="成立", resolved_by=world.officer)
    assert str(exc.value).startswith("This objection names no proposal, so it cannot be upheld against one.")
    general.refresh_from_db()
    assert general.status == ObjectionStatus.OPEN
    end_period(notice)
    resolve_objection(objection=general, upheld=False, resolution="程序合规", resolved_by=world.officer)
    for proposal in (a, b):
        proposal.refresh_from_db()
        assert proposal.status == S.FUNDING


def test_resolving_needs_a_program_officer_and_a_resolution_and_happens_once():
    world = World(experts=1)
    proposal = world.approved()
    notice = world.publish()
    objection = lodge_confirmed(notice=notice, entry=entry_of(notice, proposal), **OBJECTOR)
    with pytest.raises(NotPermitted):
        resolve_objection(objection=objection, upheld=True, resolution="成立", resolved_by=UserFactory(role=Role.PANEL_CHAIR))
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        resolve_objection(objection=objection, upheld=True, resolution="  ", resolved_by=world.officer)
    assert str(exc.value) == "Write the resolution."
    objection.refresh_from_db()
    proposal.refresh_from_db()
    assert (objection.status, proposal.status, entry_of(notice, proposal).withdrawn_at) == (
        ObjectionStatus.OPEN, S.APPROVED, None)
    resolve_objection(objection=objection, upheld=False, resolution="不成立", resolved_by=world.officer)
    with pytest.raises(IllegalTransition):
        resolve_objection(objection=objection, upheld=True, resolution="成立", resolved_by=world.officer)
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
