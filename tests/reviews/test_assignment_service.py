"""Proposing, applying and discarding automatic assignments; alternates for replacements."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.enums import Role
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from proposals.models import AuditEntry
from reviews.enums import AssignmentRunStatus, CandidateRole, ExpertType, ReviewStatus
from reviews.models import AssignmentRun, ExpertUnavailability, Review
from reviews.services.assignment import record_conflict
from reviews.services.auto_assign import discard_run, next_alternate, propose_assignment
from tests.factories import UserFactory
from tests.reviews.assignment_support import AI, BATTERY, GRAPHENE, AssignmentWorld, make_expert
from workflows import services
from workflows.assignment import apply_assignment_run
from workflows.flows import ProposalFlow

pytestmark = pytest.mark.django_db


def plan(run, role=CandidateRole.ASSIGNED):
    return sorted((c.proposal_id, c.expert.display_name) for c in run.candidates.filter(role=role).select_related("expert"))


def test_proposing_stores_the_best_plan_with_an_investor_per_proposal_and_alternates():
    w = AssignmentWorld()
    graphene, ai = w.waiting(GRAPHENE), w.waiting(AI)
    run = propose_assignment(call=w.call, experts_per_proposal=2, requested_by=w.officer)
    assert run.status == AssignmentRunStatus.PROPOSED
    assert run.method == "mcf-composition-1"
    assert run.experts_per_proposal == 2
    assert plan(run) == sorted([(graphene.pk, "石墨烯专家"), (graphene.pk, "投资人甲"), (ai.pk, "AI Expert"), (ai.pk, "投资人乙")])
    assigned = list(run.candidates.filter(role=CandidateRole.ASSIGNED))
    assert run.total_affinity == sum(c.affinity for c in assigned)
    assert all(c.affinity > Decimal("0.1") for c in assigned)
    # alternates: every other eligible expert of the pool, best first
    alternates = [c.expert.display_name for c in run.candidates.filter(proposal=graphene, role=CandidateRole.ALTERNATE).order_by("rank")]
    assert sorted(alternates) == sorted(["AI Expert", "电池专家", "投资人乙"])
    assert run.solve_ms is not None
    assert run.diagnostics["feasible"] is True and run.diagnostics["items"] == []
    assert run.diagnostics["proposals"] == [graphene.pk, ai.pk]
    assert Review.objects.filter(proposal__in=[graphene, ai]).count() == 0  # nothing assigned yet
    entry = AuditEntry.objects.get(action="assignment.proposed")
    assert entry.actor == w.officer and entry.proposal is None
    assert entry.data["run"] == run.pk and entry.data["assigned"] == 4


def test_conflicted_unavailable_and_fully_loaded_experts_are_not_planned():
    w = AssignmentWorld(investors_rule=False)
    graphene = w.waiting(GRAPHENE)
    record_conflict(proposal=graphene, expert=w.graphene, reason="合作者", recorded_by=w.officer)
    today = timezone.localdate()
    ExpertUnavailability.objects.create(profile=w.investor_a.expert_profile, starts_on=today + dt.timedelta(days=3),
                                        ends_on=today + dt.timedelta(days=5))
    busy = w.waiting(BATTERY)
    services.assign_experts(proposal=busy, officer=w.officer, experts=[w.battery])
    w.battery.expert_profile.max_load = 1
    w.battery.expert_profile.save()
    w.ai.expert_profile.keywords_zh = "柔性传感器"
    w.ai.expert_profile.save()
    run = propose_assignment(call=w.call, experts_per_proposal=1, requested_by=w.officer)
    assert plan(run) == [(graphene.pk, "AI Expert")]
    assert plan(run, CandidateRole.ALTERNATE) == [(graphene.pk, "投资人乙"), (graphene.pk, "电池专家")]
    names = {c.expert.display_name for c in run.candidates.select_related("expert")}
    assert "石墨烯专家" not in names  # conflicted: not even an alternate
    assert "投资人甲" not in names  # unavailable during the review window
    battery_row = run.candidates.get(expert=w.battery)
    assert battery_row.role == CandidateRole.ALTERNATE  # full: only after everyone with spare load
    assert battery_row.rank == 2
    assert run.diagnostics["stats"]["unavailable"] == 1
    assert run.diagnostics["proposals"] == [graphene.pk]  # the battery proposal already has its experts


def test_an_infeasible_run_is_stored_with_its_diagnostics_and_best_partial_plan():
    w = AssignmentWorld()
    graphene = w.waiting(GRAPHENE)
    run = propose_assignment(call=w.call, experts_per_proposal=7, requested_by=w.officer)
    assert run.status == AssignmentRunStatus.INFEASIBLE
    assert run.diagnostics["feasible"] is False
    assert run.diagnostics["items"] == [
        {"kind": "few_eligible", "eligible": 5, "k": 7, "add": 2, "proposals": [graphene.pk]},
        {"kind": "unfilled", "missing": 2, "proposals": [graphene.pk]},
    ]
    assert len(plan(run)) == 5


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.EXPERT, Role.PANEL_CHAIR, Role.FUND_MANAGER])
def test_only_program_officers_may_propose_an_assignment(role):
    w = AssignmentWorld()
    w.waiting(GRAPHENE)
    with pytest.raises(NotPermitted):
        propose_assignment(call=w.call, experts_per_proposal=2, requested_by=UserFactory(role=role))
    assert AssignmentRun.objects.count() == 0


@pytest.mark.parametrize("k", [0, 16, "drei", None, True])
def test_a_bad_number_of_experts_is_refused_with_a_clear_message_and_nothing_stored(k):
    w = AssignmentWorld()
    w.waiting(GRAPHENE)
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        propose_assignment(call=w.call, experts_per_proposal=k, requested_by=w.officer)
    assert str(caught.value) == "Enter a whole number of experts per proposal between 1 and 15."
    assert AssignmentRun.objects.count() == 0


def test_a_call_without_proposals_waiting_for_experts_is_refused():
    w = AssignmentWorld()
    w.submitted()  # not screened yet
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        propose_assignment(call=w.call, experts_per_proposal=2, requested_by=w.officer)
    assert str(caught.value) == "No proposal of this call is waiting for experts."
    assert AssignmentRun.objects.count() == 0


def review_tasks(expert):
    return list(Task.objects.filter(flow_task=ProposalFlow.review, owner=expert, status=STATUS.ASSIGNED))


def test_applying_creates_each_planned_experts_review_task_and_marks_the_run_applied(django_capture_on_commit_callbacks):
    w = AssignmentWorld()
    graphene, ai = w.waiting(GRAPHENE), w.waiting(AI)
    run = propose_assignment(call=w.call, experts_per_proposal=2, requested_by=w.officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        created = apply_assignment_run(run=run, user=w.officer)
    assert created == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.email for e in (w.graphene, w.ai, w.investor_a, w.investor_b))
    assert sorted((r.proposal_id, r.expert.display_name, r.status) for r in Review.objects.select_related("expert")) == sorted([
        (graphene.pk, "石墨烯专家", ReviewStatus.ASSIGNED), (graphene.pk, "投资人甲", ReviewStatus.ASSIGNED),
        (ai.pk, "AI Expert", ReviewStatus.ASSIGNED), (ai.pk, "投资人乙", ReviewStatus.ASSIGNED),
    ])
    assert [len(review_tasks(e)) for e in (w.graphene, w.ai, w.investor_a, w.investor_b, w.battery)] == [1, 1, 1, 1, 0]
    for proposal in (graphene, ai):
        assert services.open_task(proposal=proposal, node=ProposalFlow.assign_experts) is None
    run.refresh_from_db()
    assert run.status == AssignmentRunStatus.APPLIED
    assert run.applied_by == w.officer and run.applied_at is not None
    assert AuditEntry.objects.filter(action="assignment.applied", data__run=run.pk).count() == 1


def test_applying_a_stale_run_changes_nothing_and_names_the_proposal(django_capture_on_commit_callbacks):
    w = AssignmentWorld()
    graphene, ai = w.waiting(GRAPHENE), w.waiting(AI)
    run = propose_assignment(call=w.call, experts_per_proposal=2, requested_by=w.officer)
    record_conflict(proposal=ai, expert=w.ai, reason="新发现的合作关系", recorded_by=w.officer)
    audit_before = AuditEntry.objects.count()
    mail.outbox.clear()
    with translation.override("en"), pytest.raises(InvalidInput) as caught, \
            django_capture_on_commit_callbacks(execute=True) as callbacks:
        apply_assignment_run(run=run, user=w.officer)
    assert callbacks == [] and mail.outbox == []
    assert str(caught.value) == (
        f"“{ai}” could not be assigned: AI Expert has a conflict of interest with this proposal. "
        "Nothing was applied; propose a new assignment."
    )
    assert Review.objects.count() == 0
    assert Task.objects.filter(flow_task=ProposalFlow.review).count() == 0
    assert services.open_task(proposal=graphene, node=ProposalFlow.assign_experts) is not None
    run.refresh_from_db()
    assert run.status == AssignmentRunStatus.PROPOSED
    assert AuditEntry.objects.count() == audit_before


def test_applying_refuses_when_an_experts_load_has_grown_since_the_plan():
    w = AssignmentWorld(investors_rule=False)
    w.waiting(GRAPHENE)
    run = propose_assignment(call=w.call, experts_per_proposal=1, requested_by=w.officer)
    other = w.waiting(BATTERY)
    services.assign_experts(proposal=other, officer=w.officer, experts=[w.graphene])
    w.graphene.expert_profile.max_load = 1
    w.graphene.expert_profile.save()
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        apply_assignment_run(run=run, user=w.officer)
    assert str(caught.value) == ("石墨烯专家 now has 1 open reviews; 1 more would exceed their limit of 1. "
                                 "Nothing was applied; propose a new assignment.")
    assert Review.objects.filter(expert=w.graphene).count() == 1
    assert AssignmentRun.objects.get().status == AssignmentRunStatus.PROPOSED


@pytest.mark.parametrize("status, message", [
    (AssignmentRunStatus.INFEASIBLE, "This assignment is infeasible and cannot be applied. Relax the constraints shown and propose a new one."),
    (AssignmentRunStatus.APPLIED, "This assignment has already been applied."),
    (AssignmentRunStatus.DISCARDED, "This assignment was discarded and cannot be applied."),
])
def test_only_a_proposed_run_can_be_applied(status, message):
    w = AssignmentWorld()
    w.waiting(GRAPHENE)
    run = propose_assignment(call=w.call, experts_per_proposal=2, requested_by=w.officer)
    AssignmentRun.objects.filter(pk=run.pk).update(status=status)
    with translation.override("en"), pytest.raises(IllegalTransition) as caught:
        apply_assignment_run(run=run, user=w.officer)
    assert str(caught.value) == message
    assert Review.objects.count() == 0


def test_applying_twice_is_refused_and_creates_no_second_review():
    w = AssignmentWorld()
    w.waiting(GRAPHENE)
    run = propose_assignment(call=w.call, experts_per_proposal=2, requested_by=w.officer)
    apply_assignment_run(run=run, user=w.officer)
    with pytest.raises(IllegalTransition):
        apply_assignment_run(run=run, user=w.officer)
    assert Review.objects.count() == 2


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.EXPERT, Role.PANEL_CHAIR, Role.FUND_MANAGER])
def test_only_program_officers_may_apply_or_discard(role):
    w = AssignmentWorld()
    w.waiting(GRAPHENE)
    run = propose_assignment(call=w.call, experts_per_proposal=2, requested_by=w.officer)
    someone = UserFactory(role=role)
    with pytest.raises(NotPermitted):
        apply_assignment_run(run=run, user=someone)
    with pytest.raises(NotPermitted):
        discard_run(run=run, actor=someone)
    run.refresh_from_db()
    assert run.status == AssignmentRunStatus.PROPOSED
    assert Review.objects.count() == 0


def test_discarding_sets_the_plan_aside_and_an_applied_plan_cannot_be_discarded():
    w = AssignmentWorld()
    w.waiting(GRAPHENE)
    first = propose_assignment(call=w.call, experts_per_proposal=2, requested_by=w.officer)
    discard_run(run=first, actor=w.officer)
    first.refresh_from_db()
    assert first.status == AssignmentRunStatus.DISCARDED
    assert AuditEntry.objects.filter(action="assignment.discarded", data__run=first.pk).count() == 1
    second = propose_assignment(call=w.call, experts_per_proposal=2, requested_by=w.officer)
    apply_assignment_run(run=second, user=w.officer)
    with translation.override("en"), pytest.raises(IllegalTransition) as caught:
        discard_run(run=second, actor=w.officer)
    assert str(caught.value) == "Only a proposed or infeasible assignment can be discarded."
    assert AssignmentRun.objects.get(pk=second.pk).status == AssignmentRunStatus.APPLIED


def applied_single(w, fields=GRAPHENE):
    proposal = w.waiting(fields)
    run = propose_assignment(call=w.call, experts_per_proposal=1, requested_by=w.officer)
    apply_assignment_run(run=run, user=w.officer)
    return proposal, run


def test_next_alternate_is_the_best_ranked_alternate_still_eligible():
    w = AssignmentWorld(investors_rule=False)
    proposal, run = applied_single(w)
    assert plan(run) == [(proposal.pk, "石墨烯专家")]
    ranked = [c.expert for c in run.candidates.filter(role=CandidateRole.ALTERNATE).order_by("rank")]
    assert ranked[0] == w.investor_a  # graphene keywords
    assert next_alternate(proposal=proposal) == w.investor_a


def test_next_alternate_skips_conflicted_full_unavailable_and_excluded_experts():
    w = AssignmentWorld(investors_rule=False)
    proposal, run = applied_single(w)
    ranked = [c.expert for c in run.candidates.filter(role=CandidateRole.ALTERNATE).order_by("rank")]
    assert len(ranked) == 4
    first, second, third, fourth = ranked
    record_conflict(proposal=proposal, expert=first, reason="利益相关", recorded_by=w.officer)
    assert next_alternate(proposal=proposal) == second
    second.expert_profile.max_load = 0
    second.expert_profile.save()
    assert next_alternate(proposal=proposal) == third
    today = timezone.localdate()
    ExpertUnavailability.objects.create(profile=third.expert_profile, starts_on=today, ends_on=today + dt.timedelta(days=1))
    assert next_alternate(proposal=proposal) == fourth
    assert next_alternate(proposal=proposal, exclude=[fourth]) is None


def test_next_alternate_prefers_the_type_of_the_expert_being_replaced():
    w = AssignmentWorld(investors_rule=False)
    proposal, run = applied_single(w)
    ranked = [c.expert for c in run.candidates.filter(role=CandidateRole.ALTERNATE).order_by("rank")]
    academics = [e for e in ranked if e.expert_profile.expert_type == ExpertType.ACADEMIC]
    assert ranked[0].expert_profile.expert_type == ExpertType.INVESTOR
    assert next_alternate(proposal=proposal, expert_type=ExpertType.ACADEMIC) == academics[0]
    assert next_alternate(proposal=proposal, expert_type=ExpertType.INDUSTRY) == ranked[0]  # none of that type


def test_next_alternate_is_none_without_an_applied_run():
    w = AssignmentWorld()
    proposal = w.waiting(GRAPHENE)
    propose_assignment(call=w.call, experts_per_proposal=2, requested_by=w.officer)  # proposed, not applied
    assert next_alternate(proposal=proposal) is None


def test_an_expert_added_after_the_run_is_not_an_alternate():
    w = AssignmentWorld(investors_rule=False)
    proposal, run = applied_single(w)
    newcomer = make_expert(name="新专家", keywords_zh="石墨烯, 柔性传感器")
    for c in run.candidates.filter(role=CandidateRole.ALTERNATE):
        record_conflict(proposal=proposal, expert=c.expert, reason="回避", recorded_by=w.officer)
    assert next_alternate(proposal=proposal) is None
    assert newcomer.expert_profile.active is True
