"""The review app's state machines: every status changes only through its door, which audits it.

Review, AssignmentRun, PublicNotice and Objection each have a protected status (django-fsm) and one
door in reviews.services.states; these tests drive every transition through its door.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from accounts.enums import Role
from core.errors import ConcurrentChange, IllegalTransition, NotPermitted
from proposals.enums import ProposalStatus as S
from proposals.models import AuditEntry
from proposals.selectors import history
from reviews.enums import (
    AssignmentRunStatus,
    AssignmentRunTransition,
    CandidateRole,
    NoticeStatus,
    NoticeTransition,
    ObjectionStatus,
    ObjectionTransition,
    PanelOutcome,
    ReviewStatus,
    ReviewTransition,
)
from reviews.models import (
    AssignmentCandidate,
    AssignmentRun,
    NoticeEntry,
    Objection,
    PanelDecision,
    PanelRecommendation,
    PublicNotice,
    RankingAdjustment,
    Review,
    ReviewReminder,
)
from reviews.services.notice import resolve_objection
from reviews.services.states import (
    transition_assignment_run,
    transition_notice,
    transition_objection,
    transition_review,
)
from reviews.signals import objection_upheld
from tests.factories import CallFactory, ProposalFactory, UserFactory
from tests.helpers import World
from tests.reviews.notice_support import lodge_confirmed

pytestmark = pytest.mark.django_db


def audit_rows(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("pk").values_list(
        "action", "proposal_id", "actor_id", "from_state", "to_state", "note"))


class Scene:
    """A draft proposal, a program officer and two experts; records created with their initial status."""

    def __init__(self):
        self.call = CallFactory()
        self.proposal = ProposalFactory(call=self.call)
        self.officer = UserFactory(role=Role.PROGRAM_OFFICER)
        self.expert = UserFactory(role=Role.EXPERT)
        self.other_expert = UserFactory(role=Role.EXPERT)

    def review(self, status=ReviewStatus.ASSIGNED, expert=None):
        review = Review.objects.create(proposal=self.proposal, expert=expert or self.expert, assigned_by=self.officer,
                                       deadline=timezone.now() + dt.timedelta(days=14))
        if status != ReviewStatus.ASSIGNED:  # test setup only: a queryset update bypasses the protection
            Review.objects.filter(pk=review.pk).update(status=status)
            review.refresh_from_db()
        return review

    def run(self, status=AssignmentRunStatus.PROPOSED):
        return AssignmentRun.objects.create(call=self.call, experts_per_proposal=1, status=status, method="test",
                                            requested_by=self.officer)

    def notice(self):
        now = timezone.now()
        notice = PublicNotice.objects.create(call=self.call, title_zh="拟立项项目公示", starts_at=now - dt.timedelta(days=8),
                                             ends_at=now - dt.timedelta(days=1), published_by=self.officer)
        self.entry = NoticeEntry.objects.create(notice=notice, proposal=self.proposal, position=1)
        return notice

    def objection(self, *, whole_list=False):
        notice = self.notice()
        return Objection.objects.create(notice=notice, entry=None if whole_list else self.entry, name="王五",
                                        email="wangwu@example.org", reasons="专利重复")


# reviews

def test_saving_a_draft_moves_an_assigned_review_to_draft_and_audits_it():
    scene = Scene()
    review = scene.review()
    transition_review(review=review, transition=ReviewTransition.SAVE_DRAFT, actor=scene.expert, data={"review": review.pk})
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT
    assert audit_rows() == [("review.draft_saved", scene.proposal.pk, scene.expert.pk, "assigned", "draft", "")]
    assert AuditEntry.objects.get().data == {"review": review.pk}


def test_saving_a_draft_again_keeps_the_draft_and_audits_each_save():
    scene = Scene()
    review = scene.review(ReviewStatus.DRAFT)
    transition_review(review=review, transition=ReviewTransition.SAVE_DRAFT, actor=scene.expert)
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT
    assert audit_rows() == [("review.draft_saved", scene.proposal.pk, scene.expert.pk, "draft", "draft", "")]


@pytest.mark.parametrize("source", [ReviewStatus.ASSIGNED, ReviewStatus.DRAFT])
def test_submitting_a_review_stamps_it_and_saves_the_content_given(source):
    scene = Scene()
    review = scene.review(source)
    review.opinion = "思路清晰"
    transition_review(review=review, transition=ReviewTransition.SUBMIT, actor=scene.expert, update_fields=["opinion"])
    review.refresh_from_db()
    assert (review.status, review.opinion, review.submitted_at is not None) == (ReviewStatus.SUBMITTED, "思路清晰", True)
    assert audit_rows() == [("review.submitted", scene.proposal.pk, scene.expert.pk, source.value, "submitted", "")]


def test_the_expert_declining_a_review_records_the_reason_in_the_review_and_the_audit_note():
    scene = Scene()
    review = scene.review(ReviewStatus.DRAFT)
    transition_review(review=review, transition=ReviewTransition.DECLINE, actor=scene.expert, note="同单位",
                      transition_kwargs={"reason": "同单位"})
    review.refresh_from_db()
    assert (review.status, review.decline_reason, review.declined_at is not None) == (ReviewStatus.DECLINED, "同单位", True)
    assert audit_rows() == [("review.declined", scene.proposal.pk, scene.expert.pk, "draft", "declined", "同单位")]


def test_a_conflict_found_by_detection_declines_the_review_as_a_system_act_without_an_actor():
    scene = Scene()
    review = scene.review()
    transition_review(review=review, transition=ReviewTransition.DECLINE, actor=None, system=True, note="同单位",
                      transition_kwargs={"reason": "同单位"})
    review.refresh_from_db()
    assert review.status == ReviewStatus.DECLINED
    assert audit_rows() == [("review.declined", scene.proposal.pk, None, "assigned", "declined", "同单位")]


def test_staff_replacing_an_overdue_expert_cancel_the_review_and_link_the_replacement():
    scene = Scene()
    review = scene.review()
    new = scene.review(expert=scene.other_expert)
    transition_review(review=review, transition=ReviewTransition.CANCEL, actor=scene.officer,
                      transition_kwargs={"replaced_by": new})
    review.refresh_from_db()
    assert (review.status, review.replaced_by_id) == (ReviewStatus.CANCELED, new.pk)
    assert audit_rows() == [("review.replaced", scene.proposal.pk, scene.officer.pk, "assigned", "canceled", "")]


@pytest.mark.parametrize("source", [ReviewStatus.SUBMITTED, ReviewStatus.DECLINED, ReviewStatus.CANCELED])
@pytest.mark.parametrize("transition", list(ReviewTransition))
def test_a_closed_review_takes_no_transition_and_nothing_is_written(source, transition):
    scene = Scene()
    review = scene.review(source)
    actor = scene.officer if transition == ReviewTransition.CANCEL else scene.expert
    kwargs = {ReviewTransition.DECLINE: {"reason": "x"}, ReviewTransition.CANCEL: {"replaced_by": None}}.get(transition)
    with pytest.raises(IllegalTransition) as refused:
        transition_review(review=review, transition=transition, actor=actor, illegal="closed", transition_kwargs=kwargs)
    review.refresh_from_db()
    assert (str(refused.value), review.status, audit_rows()) == ("closed", source, [])


@pytest.mark.parametrize("transition", [ReviewTransition.SAVE_DRAFT, ReviewTransition.SUBMIT, ReviewTransition.DECLINE])
def test_only_the_assigned_expert_may_work_on_a_review(transition):
    scene = Scene()
    review = scene.review()
    kwargs = {"reason": "x"} if transition == ReviewTransition.DECLINE else None
    for user in (scene.other_expert, scene.officer):
        with pytest.raises(NotPermitted):
            transition_review(review=review, transition=transition, actor=user, transition_kwargs=kwargs)
    review.refresh_from_db()
    assert (review.status, audit_rows()) == (ReviewStatus.ASSIGNED, [])


def test_only_staff_may_cancel_a_review():
    scene = Scene()
    review = scene.review()
    with pytest.raises(NotPermitted):
        transition_review(review=review, transition=ReviewTransition.CANCEL, actor=scene.expert,
                          transition_kwargs={"replaced_by": None})
    review.refresh_from_db()
    assert (review.status, audit_rows()) == (ReviewStatus.ASSIGNED, [])


def test_a_review_changed_meanwhile_is_not_overwritten_from_a_stale_copy():
    scene = Scene()
    review = scene.review()
    stale = Review.objects.get(pk=review.pk)
    transition_review(review=review, transition=ReviewTransition.SUBMIT, actor=scene.expert)
    with pytest.raises(ConcurrentChange):
        transition_review(review=stale, transition=ReviewTransition.DECLINE, actor=scene.expert,
                          transition_kwargs={"reason": "x"})
    assert stale.status == ReviewStatus.SUBMITTED  # restored from the database
    assert [row[0] for row in audit_rows()] == ["review.submitted"]


def test_review_rows_stay_out_of_the_applicants_history():
    scene = Scene()
    review = scene.review()
    transition_review(review=review, transition=ReviewTransition.SUBMIT, actor=scene.expert)
    assert list(history(proposal=scene.proposal)) == []


# assignment runs

def test_applying_a_proposed_run_records_who_applied_it_and_audits_it_without_a_proposal():
    scene = Scene()
    run = scene.run()
    transition_assignment_run(run=run, transition=AssignmentRunTransition.APPLY, actor=scene.officer,
                              data={"proposals": 2, "reviews": 6}, transition_kwargs={"by": scene.officer})
    run.refresh_from_db()
    assert (run.status, run.applied_by_id, run.applied_at is not None) == (AssignmentRunStatus.APPLIED, scene.officer.pk, True)
    assert audit_rows() == [("assignment.applied", None, scene.officer.pk, "proposed", "applied", "")]
    assert AuditEntry.objects.get().data == {"run": run.pk, "call": scene.call.pk, "proposals": 2, "reviews": 6}


@pytest.mark.parametrize("source", [AssignmentRunStatus.PROPOSED, AssignmentRunStatus.INFEASIBLE])
def test_a_proposed_or_infeasible_run_can_be_discarded(source):
    scene = Scene()
    run = scene.run(source)
    transition_assignment_run(run=run, transition=AssignmentRunTransition.DISCARD, actor=scene.officer)
    run.refresh_from_db()
    assert run.status == AssignmentRunStatus.DISCARDED
    assert audit_rows() == [("assignment.discarded", None, scene.officer.pk, source.value, "discarded", "")]
    assert AuditEntry.objects.get().data == {"run": run.pk, "call": scene.call.pk}


@pytest.mark.parametrize("source, transition", [
    (AssignmentRunStatus.INFEASIBLE, AssignmentRunTransition.APPLY),
    (AssignmentRunStatus.APPLIED, AssignmentRunTransition.APPLY),
    (AssignmentRunStatus.DISCARDED, AssignmentRunTransition.APPLY),
    (AssignmentRunStatus.APPLIED, AssignmentRunTransition.DISCARD),
    (AssignmentRunStatus.DISCARDED, AssignmentRunTransition.DISCARD),
])
def test_a_run_takes_only_the_transitions_its_state_allows(source, transition):
    scene = Scene()
    run = scene.run(source)
    kwargs = {"by": scene.officer} if transition == AssignmentRunTransition.APPLY else None
    with pytest.raises(IllegalTransition):
        transition_assignment_run(run=run, transition=transition, actor=scene.officer, transition_kwargs=kwargs)
    run.refresh_from_db()
    assert (run.status, audit_rows()) == (source, [])


def test_only_staff_who_assign_experts_may_apply_or_discard_a_run():
    scene = Scene()
    run = scene.run()
    with pytest.raises(NotPermitted):
        transition_assignment_run(run=run, transition=AssignmentRunTransition.DISCARD, actor=scene.expert)
    with pytest.raises(NotPermitted):
        transition_assignment_run(run=run, transition=AssignmentRunTransition.APPLY, actor=scene.expert,
                                  transition_kwargs={"by": scene.expert})
    run.refresh_from_db()
    assert (run.status, run.applied_by_id, audit_rows()) == (AssignmentRunStatus.PROPOSED, None, [])


# public notices

def test_closing_a_notice_is_a_system_act_audited_for_the_whole_list():
    scene = Scene()
    notice = scene.notice()
    at = timezone.now()
    transition_notice(notice=notice, transition=NoticeTransition.CLOSE, system=True, transition_kwargs={"at": at})
    notice.refresh_from_db()
    assert (notice.status, notice.closed_at) == (NoticeStatus.CLOSED, at)
    assert audit_rows() == [("notice.closed", None, None, "open", "closed", "")]
    assert AuditEntry.objects.get().data == {"notice": notice.pk}


def test_a_closed_notice_cannot_be_closed_again():
    scene = Scene()
    notice = scene.notice()
    transition_notice(notice=notice, transition=NoticeTransition.CLOSE, system=True)
    with pytest.raises(IllegalTransition):
        transition_notice(notice=notice, transition=NoticeTransition.CLOSE, system=True)
    assert len(audit_rows()) == 1


def test_a_notice_closed_by_another_sweep_is_not_closed_twice():
    scene = Scene()
    notice = scene.notice()
    stale = PublicNotice.objects.get(pk=notice.pk)
    transition_notice(notice=notice, transition=NoticeTransition.CLOSE, system=True)
    with pytest.raises(ConcurrentChange):
        transition_notice(notice=stale, transition=NoticeTransition.CLOSE, system=True)
    assert stale.status == NoticeStatus.CLOSED
    assert len(audit_rows()) == 1


def test_only_notice_officers_may_close_a_notice_as_a_person():
    scene = Scene()
    notice = scene.notice()
    with pytest.raises(NotPermitted):
        transition_notice(notice=notice, transition=NoticeTransition.CLOSE, actor=scene.expert)
    transition_notice(notice=notice, transition=NoticeTransition.CLOSE, actor=scene.officer)
    assert audit_rows() == [("notice.closed", None, scene.officer.pk, "open", "closed", "")]


# objections

@pytest.mark.parametrize("transition, target, action", [
    (ObjectionTransition.DISMISS, ObjectionStatus.DISMISSED, "notice.objection_dismissed"),
    (ObjectionTransition.UPHOLD, ObjectionStatus.UPHELD, "notice.objection_upheld"),
])
def test_resolving_an_objection_records_the_resolution_and_audits_it_for_the_named_proposal(transition, target, action):
    scene = Scene()
    objection = scene.objection()
    sent = []
    objection_upheld.connect(lambda **kw: sent.append(kw), weak=False, dispatch_uid="test-doors")
    try:
        transition_objection(objection=objection, transition=transition, actor=scene.officer, resolution=" 查无实据 ")
    finally:
        objection_upheld.disconnect(dispatch_uid="test-doors")
    objection.refresh_from_db()
    assert (objection.status, objection.resolution, objection.resolved_by_id, objection.resolved_at is not None) == (
        target, "查无实据", scene.officer.pk, True)
    assert audit_rows() == [(action, scene.proposal.pk, scene.officer.pk, "open", target.value, " 查无实据 ")]
    assert sent == []  # no entry was taken off the list


def test_an_objection_to_the_whole_list_is_audited_without_a_proposal():
    scene = Scene()
    objection = scene.objection(whole_list=True)
    transition_objection(objection=objection, transition=ObjectionTransition.DISMISS, actor=scene.officer,
                         resolution="不成立")
    assert audit_rows() == [("notice.objection_dismissed", None, scene.officer.pk, "open", "dismissed", "不成立")]


def test_upholding_an_objection_that_took_the_entry_off_the_list_signals_the_flow_last():
    world = World(experts=1)
    proposal = world.approved()
    notice = world.publish()
    entry = notice.entries.get()
    objection = Objection.objects.create(notice=notice, entry=entry, name="王五", email="wangwu@example.org",
                                         reasons="专利重复")
    seen = []

    def spy(sender, entry, actor, note, from_state, to_state, **kwargs):
        seen.append((sender, entry.pk, actor.pk, note, from_state, to_state,
                     AuditEntry.objects.filter(action="notice.objection_upheld").exists()))

    objection_upheld.connect(spy, weak=False, dispatch_uid="test-doors-spy")
    try:
        entry.withdrawn_at = timezone.now()
        entry.save(update_fields=["withdrawn_at"])
        transition_objection(objection=objection, transition=ObjectionTransition.UPHOLD, actor=world.officer,
                             resolution="属实", withdrawn_entry=entry)
    finally:
        objection_upheld.disconnect(dispatch_uid="test-doors-spy")
    proposal.refresh_from_db()
    assert seen == [(Objection, entry.pk, world.officer.pk, "属实", "open", "upheld", True)]
    assert proposal.status == S.PANEL  # the flow's receiver reopened the panel
    assert list(AuditEntry.objects.filter(proposal=proposal).order_by("pk").values_list("action", flat=True))[-2:] == [
        "notice.objection_upheld", "proposal.reopen_panel"]


@pytest.mark.parametrize("source", [ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED])
def test_a_resolved_objection_cannot_be_resolved_again(source):
    scene = Scene()
    objection = scene.objection()
    Objection.objects.filter(pk=objection.pk).update(status=source)  # test setup only
    objection.refresh_from_db()
    for transition in ObjectionTransition:
        with pytest.raises(IllegalTransition):
            transition_objection(objection=objection, transition=transition, actor=scene.officer, resolution="x")
    assert audit_rows() == []


def test_only_notice_officers_may_resolve_an_objection():
    scene = Scene()
    objection = scene.objection()
    with pytest.raises(NotPermitted):
        transition_objection(objection=objection, transition=ObjectionTransition.DISMISS, actor=scene.expert,
                             resolution="x")
    objection.refresh_from_db()
    assert (objection.status, objection.resolution, audit_rows()) == (ObjectionStatus.OPEN, "", [])


def test_an_objection_resolved_meanwhile_is_not_resolved_again_from_a_stale_copy():
    scene = Scene()
    objection = scene.objection()
    stale = Objection.objects.get(pk=objection.pk)
    transition_objection(objection=objection, transition=ObjectionTransition.DISMISS, actor=scene.officer, resolution="a")
    with pytest.raises(ConcurrentChange):
        transition_objection(objection=stale, transition=ObjectionTransition.UPHOLD, actor=scene.officer, resolution="b")
    assert (stale.status, stale.resolution) == (ObjectionStatus.DISMISSED, "a")
    assert len(audit_rows()) == 1


# protected fields

@pytest.mark.parametrize("make, value", [
    (lambda scene: scene.review(), ReviewStatus.SUBMITTED),
    (lambda scene: scene.run(), AssignmentRunStatus.APPLIED),
    (lambda scene: scene.notice(), NoticeStatus.CLOSED),
    (lambda scene: scene.objection(), ObjectionStatus.UPHELD),
], ids=["review", "assignment-run", "notice", "objection"])
def test_a_status_cannot_be_assigned_directly(make, value):
    record = make(Scene())
    before = record.status
    with pytest.raises(AttributeError):
        record.status = value
    record.refresh_from_db()
    assert record.status == before


# append-only records

def _append_only_rows(scene):
    review = scene.review()
    run = scene.run()
    return [
        ReviewReminder.objects.create(review=review, deadline=review.deadline, offset_days=1),
        PanelDecision.objects.create(proposal=scene.proposal, outcome=PanelOutcome.APPROVE, feedback="同意",
                                     decided_by=scene.officer),
        PanelRecommendation.objects.create(proposal=scene.proposal, chair=scene.officer, recommendation=PanelOutcome.APPROVE,
                                           rationale="理由"),
        RankingAdjustment.objects.create(call=scene.call, proposal=scene.proposal, from_position=2, to_position=1,
                                         reason="理由", order=[scene.proposal.pk], actor=scene.officer),
        AssignmentCandidate.objects.create(run=run, proposal=scene.proposal, expert=scene.expert,
                                           role=CandidateRole.ASSIGNED, affinity=Decimal("0.5")),
    ]


def test_review_records_of_decisions_and_reminders_are_append_only():
    rows = _append_only_rows(Scene())
    for row in rows:
        with pytest.raises(PermissionDenied):
            row.save()
        with pytest.raises(PermissionDenied):
            row.delete()
    assert [type(row).objects.filter(pk=row.pk).exists() for row in rows] == [True] * 5


def test_an_officer_upholding_from_a_stale_page_is_told_it_was_already_resolved_and_nothing_changes():
    world = World(experts=1)
    proposal = world.approved()
    notice = world.publish()
    objection = lodge_confirmed(notice=notice, entry=notice.entries.get(), name="王五", email="wangwu@example.org",
                                reasons="专利重复")
    stale = Objection.objects.select_related("entry", "notice").get(pk=objection.pk)
    resolve_objection(objection=objection, upheld=False, resolution="不成立", resolved_by=world.officer)
    with translation.override("en"), pytest.raises(IllegalTransition) as refused:
        resolve_objection(objection=stale, upheld=True, resolution="成立", resolved_by=world.officer)
    proposal.refresh_from_db()
    assert str(refused.value) == "This objection has already been resolved."
    assert (stale.status, stale.entry.withdrawn_at, proposal.status) == (ObjectionStatus.DISMISSED, None, S.APPROVED)
    assert notice.entries.get().withdrawn_at is None
    assert list(AuditEntry.objects.filter(action__in=["notice.objection_upheld", "notice.objection_dismissed"]).values_list("action", flat=True)) == [
        "notice.objection_dismissed"]
