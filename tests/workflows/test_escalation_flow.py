"""Review deadlines in the flow: the timer escalates to staff, who extend or replace; later conflicts end open tasks."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.enums import Role
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from proposals.enums import ProposalStatus as S
from proposals.models import AuditEntry
from reviews.enums import ConflictSource, ReviewStatus
from reviews.models import Conflict, Review
from reviews.services.assignment import record_conflict
from reviews.signals import conflict_recorded
from tests.factories import UserFactory
from tests.helpers import World
from tests.reviews.deadline_support import pass_deadline, review_task, tasks, timer_of
from workflows import escalation, services
from workflows.flows import ProposalFlow
from workflows.tasks import sweep

pytestmark = pytest.mark.django_db


def overdue(world, review):
    """The review's deadline passes and the sweep runs: its task is escalated."""
    pass_deadline(review)
    assert sweep()["timers"] == 1
    review.refresh_from_db()
    return review


def in_days(days):
    return timezone.now() + dt.timedelta(days=days)


def test_each_scoring_task_arms_a_timer_at_the_reviews_deadline():
    world = World(experts=2)
    world.assigned()
    for review in world.reviews:
        timer = timer_of(review_task(review))
        assert (timer.status, timer.scheduled) == (STATUS.SCHEDULED, review.deadline)


def test_at_the_deadline_the_experts_task_is_cancelled_and_staff_get_an_overdue_task(django_capture_on_commit_callbacks):
    world = World(experts=3)
    world.officer.language = "en"
    world.officer.save()
    proposal = world.assigned()
    late = world.reviews[0]
    world.score(world.reviews[1])
    world.score(world.reviews[2])
    with django_capture_on_commit_callbacks(execute=True):
        overdue(world, late)
    proposal.refresh_from_db()
    [escalate] = tasks(proposal, ProposalFlow.escalate)
    assert review_task(late).status == STATUS.CANCELED
    assert (escalate.status, escalate.owner_permission) == (STATUS.NEW, "proposals.screen_proposal")
    assert escalate.data == {"review_id": late.pk, "expert_name": late.expert.display_name}
    assert list(Task.objects.user_queue(world.officer).filter(pk=escalate.pk)) == [escalate]
    assert late.escalated_at is not None
    assert late.status == ReviewStatus.ASSIGNED
    assert proposal.status == S.IN_REVIEW  # the Join still waits for this branch
    assert list(AuditEntry.objects.filter(proposal=proposal, action="review.escalated").values_list("data", flat=True)) == [
        {"review": late.pk, "expert": late.expert_id, "deadline": late.deadline.isoformat()}]
    [notice] = [m for m in mail.outbox if m.to == [world.officer.email]]
    assert notice.subject == f"[pocflow] Overdue review for {proposal.reference}: extend or replace"
    assert f"/staff/reviews/{late.pk}/overdue/" in notice.body


def test_a_timer_that_is_not_due_does_not_fire():
    world = World(experts=1)
    proposal = world.assigned()
    assert sweep()["timers"] == 0
    assert tasks(proposal, ProposalFlow.escalate) == []
    assert review_task(world.reviews[0]).status == STATUS.ASSIGNED


def test_an_expired_task_can_no_longer_be_submitted():
    world = World(experts=2)
    proposal = world.assigned()
    late = overdue(world, world.reviews[0])
    with translation.override("en"), pytest.raises(IllegalTransition) as exc:
        world.score(late)
    assert "no longer open" in str(exc.value)
    late.refresh_from_db()
    assert (late.status, late.submitted_at, late.scores.count()) == (ReviewStatus.ASSIGNED, None, 0)
    assert len(tasks(proposal, ProposalFlow.escalate)) == 1


def test_extending_gives_the_expert_a_new_task_and_timer_and_the_join_then_closes_review(django_capture_on_commit_callbacks):
    world = World(experts=3)
    proposal = world.assigned()
    late = world.reviews[0]
    late.expert.language = "en"
    late.expert.save()
    world.score(world.reviews[1])
    world.score(world.reviews[2])
    overdue(world, late)
    new_deadline = in_days(3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        escalation.extend_review(review=late, officer=world.officer, deadline=new_deadline, reason="专家出差，申请延期")
    late.refresh_from_db()
    assert (late.deadline, late.extensions, late.escalated_at) == (new_deadline, 1, None)
    [task] = tasks(proposal, ProposalFlow.review)
    assert (task.owner_id, task.data, task.status) == (late.expert_id, {"review_id": late.pk}, STATUS.ASSIGNED)
    assert (timer_of(task).status, timer_of(task).scheduled) == (STATUS.SCHEDULED, new_deadline)
    assert tasks(proposal, ProposalFlow.escalate) == []
    [entry] = AuditEntry.objects.filter(proposal=proposal, action="review.extended")
    assert (entry.actor_id, entry.note, entry.data["extensions"]) == (world.officer.pk, "专家出差，申请延期", 1)
    # one mail to the expert: the extension (not a second "new task" mail)
    [extension] = [m for m in mail.outbox if m.to == [late.expert.email]]
    assert extension.subject.startswith(f"[pocflow] New deadline for your review of {proposal.reference}: ")
    world.score(late)
    proposal.refresh_from_db()
    assert proposal.status == S.PANEL
    assert proposal.reviews.filter(status=ReviewStatus.SUBMITTED).count() == 3
    assert len(tasks(proposal, ProposalFlow.panel)) == 1


def test_an_extended_review_escalates_again_at_its_new_deadline():
    world = World(experts=1)
    proposal = world.assigned()
    late = overdue(world, world.reviews[0])
    escalation.extend_review(review=late, officer=world.officer, deadline=in_days(2), reason="延期")
    overdue(world, late)
    assert len(tasks(proposal, ProposalFlow.escalate)) == 1
    assert AuditEntry.objects.filter(proposal=proposal, action="review.escalated").count() == 2


@pytest.mark.parametrize("deadline, reason, message", [
    (-1, "延期", "Choose a new deadline in the future."),
    (3, "  ", "Give the reason for the extension."),
])
def test_an_extension_needs_a_future_deadline_and_a_reason_and_changes_nothing(deadline, reason, message):
    world = World(experts=1)
    proposal = world.assigned()
    late = overdue(world, world.reviews[0])
    before = (late.deadline, late.extensions, late.escalated_at)
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        escalation.extend_review(review=late, officer=world.officer, deadline=in_days(deadline), reason=reason)
    assert str(exc.value) == message
    late.refresh_from_db()
    assert (late.deadline, late.extensions, late.escalated_at) == before
    [escalate] = tasks(proposal, ProposalFlow.escalate)
    assert escalate.status == STATUS.NEW  # the claim rolled back with the refusal
    assert tasks(proposal, ProposalFlow.review) == []


def test_only_program_officers_may_extend_or_replace():
    world = World(experts=2)
    spare = world.experts.pop()
    proposal = world.assigned()
    late = overdue(world, world.reviews[0])
    chair = UserFactory(role=Role.PANEL_CHAIR)
    with pytest.raises(NotPermitted):
        escalation.extend_review(review=late, officer=world.fund_manager, deadline=in_days(3), reason="延期")
    with pytest.raises(NotPermitted):
        escalation.replace_overdue_expert(review=late, new_expert=spare, officer=chair)
    late.refresh_from_db()
    assert (late.extensions, late.status) == (0, ReviewStatus.ASSIGNED)
    assert len(tasks(proposal, ProposalFlow.escalate)) == 1


def test_replacing_an_overdue_expert_cancels_the_old_review_and_the_new_expert_scores_in_the_same_branch(
    django_capture_on_commit_callbacks,
):
    world = World(experts=4)
    spare = world.experts.pop()
    proposal = world.assigned()
    late = world.reviews[0]
    world.score(world.reviews[1])
    world.score(world.reviews[2])
    overdue(world, late)
    with django_capture_on_commit_callbacks(execute=True):
        new = escalation.replace_overdue_expert(review=late, new_expert=spare, officer=world.officer)
    late.refresh_from_db()
    proposal.refresh_from_db()
    assert (late.status, late.replaced_by_id) == (ReviewStatus.CANCELED, new.pk)
    assert (new.expert_id, new.status, new.assigned_by_id) == (spare.pk, ReviewStatus.ASSIGNED, world.officer.pk)
    [task] = tasks(proposal, ProposalFlow.review)
    assert (task.owner_id, task.data) == (spare.pk, {"review_id": new.pk})
    assert timer_of(task).scheduled == new.deadline
    assert [m.to for m in mail.outbox if m.to == [spare.email]] == [[spare.email]]  # the new expert's task mail
    assert proposal.status == S.IN_REVIEW
    [entry] = AuditEntry.objects.filter(proposal=proposal, action="review.replaced")
    assert entry.data == {"old": late.pk, "new": new.pk, "expert": spare.pk, "reason": "overdue"}
    world.score(new)
    proposal.refresh_from_db()
    assert proposal.status == S.PANEL
    assert sorted(proposal.reviews.filter(status=ReviewStatus.SUBMITTED).values_list("expert_id", flat=True)) == sorted(
        [world.experts[1].pk, world.experts[2].pk, spare.pk])
    joins = Task.objects.filter(process_id=proposal.process.pk, flow_task=ProposalFlow.join_reviews)
    assert list(joins.values_list("status", flat=True)) == [STATUS.DONE]


def test_a_conflicted_or_busy_expert_cannot_be_the_replacement():
    world = World(experts=3)
    proposal = world.assigned()
    late = overdue(world, world.reviews[0])
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        escalation.replace_overdue_expert(review=late, new_expert=world.experts[1], officer=world.officer)
    assert str(exc.value) == f"{world.experts[1].display_name} is already assigned to this proposal."
    late.refresh_from_db()
    assert (late.status, late.replaced_by_id) == (ReviewStatus.ASSIGNED, None)
    assert Review.objects.filter(proposal=proposal).count() == 3


def test_an_expert_with_a_conflict_cannot_be_given_more_time():
    world = World(experts=1)
    proposal = world.assigned()
    late = overdue(world, world.reviews[0])
    # the task is already cancelled, so recording the conflict leaves the decision to staff
    record_conflict(proposal=proposal, expert=late.expert, reason="合作者", recorded_by=world.officer)
    late.refresh_from_db()
    assert late.status == ReviewStatus.ASSIGNED
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        escalation.extend_review(review=late, officer=world.officer, deadline=in_days(3), reason="延期")
    assert "conflict of interest" in str(exc.value)
    assert late.extensions == 0


def test_declining_disarms_the_deadline_timer_and_the_replacement_keeps_the_join_waiting():
    world = World(experts=2)
    spare = UserFactory(role=Role.EXPERT)
    proposal = world.assigned()
    declined = world.reviews[0]
    task = review_task(declined)
    services.decline_review(review=declined, expert=declined.expert, reason="同单位")
    assert timer_of(task).status == STATUS.CANCELED
    assert sweep()["timers"] == 0
    world.score(world.reviews[1])
    proposal.refresh_from_db()
    assert proposal.status == S.IN_REVIEW
    new = services.replace_expert(review=declined, new_expert=spare, officer=world.officer)
    assert timer_of(review_task(new)).status == STATUS.SCHEDULED
    world.score(new)
    proposal.refresh_from_db()
    assert proposal.status == S.PANEL


def test_a_manual_conflict_recorded_later_declines_the_open_review_and_asks_staff_for_a_replacement(
    django_capture_on_commit_callbacks,
):
    world = World(experts=3)
    world.officer.language = "en"
    world.officer.save()
    proposal = world.assigned()
    review = world.reviews[1]
    task = review_task(review)
    with django_capture_on_commit_callbacks(execute=True):
        record_conflict(proposal=proposal, expert=review.expert, reason="曾为申请人的博士导师", recorded_by=world.officer)
    review.refresh_from_db()
    task.refresh_from_db()
    assert (review.status, review.decline_reason) == (ReviewStatus.DECLINED, "曾为申请人的博士导师")
    assert task.status == STATUS.CANCELED
    assert timer_of(task).status == STATUS.CANCELED
    [replace] = tasks(proposal, ProposalFlow.replace_expert)
    assert (replace.data, replace.owner_permission) == ({"declined_review_id": review.pk}, "proposals.screen_proposal")
    [entry] = AuditEntry.objects.filter(proposal=proposal, action="review.declined")
    assert (entry.actor_id, entry.data["source"]) == (world.officer.pk, ConflictSource.MANUAL)
    assert [m.subject for m in mail.outbox if m.to == [world.officer.email]] == [
        f"[pocflow] An expert declined: assign a replacement for {proposal.reference}"]
    # the other experts carry on and the Join waits for the replacement's score
    world.score(world.reviews[0])
    world.score(world.reviews[2])
    proposal.refresh_from_db()
    assert proposal.status == S.IN_REVIEW


def test_a_conflict_for_an_expert_with_no_open_task_declines_nothing():
    world = World(experts=2)
    proposal = world.assigned()
    done = world.reviews[0]
    world.score(done)
    record_conflict(proposal=proposal, expert=done.expert, reason="后来发现的合作关系", recorded_by=world.officer)
    record_conflict(proposal=proposal, expert=UserFactory(role=Role.EXPERT), reason="同单位", recorded_by=world.officer)
    done.refresh_from_db()
    assert done.status == ReviewStatus.SUBMITTED
    assert tasks(proposal, ProposalFlow.replace_expert) == []
    assert review_task(world.reviews[1]).status == STATUS.ASSIGNED


def test_a_declared_conflict_is_left_to_the_experts_own_decline():
    world = World(experts=2)
    proposal = world.assigned()
    review = world.reviews[0]
    conflict = Conflict.objects.create(proposal=proposal, expert=review.expert, source=ConflictSource.DECLARED,
                                       reason="本人声明", recorded_by=review.expert)
    conflict_recorded.send(sender=Conflict, conflict=conflict)
    review.refresh_from_db()
    assert review.status == ReviewStatus.ASSIGNED
    assert review_task(review).status == STATUS.ASSIGNED
    # the expert's own decline makes exactly one replacement task
    services.decline_review(review=review, expert=review.expert, reason="本人声明")
    assert len(tasks(proposal, ProposalFlow.replace_expert)) == 1


def test_scores_of_an_overdue_draft_are_kept_for_the_expert_after_an_extension():
    world = World(experts=1)
    proposal = world.assigned()
    review = world.reviews[0]
    services.save_review_draft(review=review, expert=review.expert, scores={world.criteria[0].pk: Decimal("7")},
                               opinion="草稿")
    overdue(world, review)
    escalation.extend_review(review=review, officer=world.officer, deadline=in_days(5), reason="延期")
    review.refresh_from_db()
    assert (review.status, review.opinion, [s.value for s in review.scores.all()]) == (ReviewStatus.DRAFT, "草稿", [Decimal("7")])
    world.score(review)
    proposal.refresh_from_db()
    assert proposal.status == S.PANEL
