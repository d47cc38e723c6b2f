import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from core.errors import InvalidInput, NotPermitted
from proposals.enums import ProposalStatus as S, ScreeningOutcome
from proposals.models import AuditEntry
from reviews.enums import ReviewStatus
from tests.helpers import World
from workflows import services
from workflows.flows import ProposalFlow

pytestmark = pytest.mark.django_db


def open_tasks(proposal, node):
    return list(Task.objects.filter(process_id=proposal.process.pk, flow_task=node, status__in=[STATUS.NEW, STATUS.ASSIGNED]))


def test_submission_starts_the_flow_with_a_screening_task_in_the_officers_queue():
    world = World()
    proposal = world.submitted()
    assert proposal.status == S.SUBMITTED
    assert proposal.reference == f"POC-{proposal.created_at:%Y}-{proposal.pk:05d}"
    [task] = open_tasks(proposal, ProposalFlow.screen)
    assert task.status == STATUS.NEW
    assert task.owner_permission == "proposals.screen_proposal"
    assert list(Task.objects.user_queue(world.officer).filter(pk=task.pk)) == [task]
    assert list(Task.objects.user_queue(world.experts[0]).filter(pk=task.pk)) == []


def test_passing_screening_creates_one_assigned_review_task_per_expert():
    world = World(experts=3)
    proposal = world.assigned()
    tasks = open_tasks(proposal, ProposalFlow.review)
    assert proposal.status == S.IN_REVIEW
    assert sorted(t.owner_id for t in tasks) == sorted(e.pk for e in world.experts)
    assert {t.status for t in tasks} == {STATUS.ASSIGNED}


def test_the_join_waits_for_every_review_then_the_panel_task_opens():
    world = World(experts=3)
    proposal = world.assigned()
    world.score(world.reviews[0])
    world.score(world.reviews[1])
    proposal.refresh_from_db()
    assert proposal.status == S.IN_REVIEW
    assert open_tasks(proposal, ProposalFlow.panel) == []
    world.score(world.reviews[2])
    proposal.refresh_from_db()
    assert proposal.status == S.PANEL
    assert len(open_tasks(proposal, ProposalFlow.panel)) == 1


def test_the_whole_path_ends_in_incubation_and_a_finished_process():
    world = World()
    proposal = world.funded(amount=Decimal("250000.00"))
    assert proposal.status == S.FUNDED
    project = services.start_incubation(proposal=proposal, manager=world.incubator,
                                        milestones=[{"title": "样机", "due_date": dt.date(2027, 6, 30)}])
    process = proposal.process
    process.refresh_from_db()
    assert project.milestones.count() == 1
    assert process.status == PROCESS.DONE
    transitions = list(AuditEntry.objects.filter(proposal=proposal, action__startswith="proposal.")
                       .exclude(action="proposal.created").values_list("from_state", "to_state"))
    assert transitions == [
        ("draft", "submitted"), ("submitted", "screening"), ("screening", "in_review"), ("in_review", "panel"),
        ("panel", "approved"), ("approved", "funding"), ("funding", "funded"),
    ]


def test_return_for_revision_sends_a_task_to_the_applicant_and_resubmission_reopens_screening():
    world = World()
    proposal = world.submitted()
    services.screen_proposal(proposal=proposal, officer=world.officer, outcome=ScreeningOutcome.RETURN,
                             checklist={}, message="请补充预算")
    proposal.refresh_from_db()
    assert proposal.status == S.RETURNED
    [revise] = open_tasks(proposal, ProposalFlow.revise)
    assert revise.owner_id == proposal.applicant_id
    services.submit_proposal(proposal=proposal, actor=proposal.applicant)
    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED
    assert len(open_tasks(proposal, ProposalFlow.screen)) == 1


def test_returning_without_a_message_is_refused_and_changes_nothing():
    world = World()
    proposal = world.submitted()
    with pytest.raises(InvalidInput):
        services.screen_proposal(proposal=proposal, officer=world.officer, outcome=ScreeningOutcome.RETURN,
                                 checklist={}, message="  ")
    proposal.refresh_from_db()
    # the claim (submitted → screening) committed before; the refused outcome left no trace
    assert proposal.status == S.SCREENING
    assert proposal.screenings.count() == 0
    assert len(open_tasks(proposal, ProposalFlow.screen)) == 1


def test_an_expert_who_declines_loses_the_task_and_a_replacement_keeps_the_join_waiting():
    world = World(experts=4)
    spare = world.experts.pop()
    proposal = world.assigned()
    declined = world.reviews[0]
    services.decline_review(review=declined, expert=declined.expert, reason="同单位")
    declined.refresh_from_db()
    assert declined.status == ReviewStatus.DECLINED
    assert proposal.conflicts.filter(expert=declined.expert).exists()
    assert [t.owner_id for t in open_tasks(proposal, ProposalFlow.review) if t.owner_id == declined.expert_id] == []
    world.score(world.reviews[1])
    world.score(world.reviews[2])
    proposal.refresh_from_db()
    assert proposal.status == S.IN_REVIEW
    new = services.replace_expert(review=declined, new_expert=spare, officer=world.officer)
    world.score(new)
    proposal.refresh_from_db()
    assert proposal.status == S.PANEL
    assert proposal.reviews.filter(status=ReviewStatus.SUBMITTED).count() == 3


def test_an_expert_cannot_complete_another_experts_review():
    world = World()
    proposal = world.assigned()
    other = world.experts[1]
    with pytest.raises(NotPermitted):
        services.submit_review(review=world.reviews[0], expert=other, scores={}, opinion="x", panel_note="")
    assert proposal.reviews.filter(status=ReviewStatus.SUBMITTED).count() == 0


def test_withdrawal_cancels_every_open_task():
    world = World()
    proposal = world.assigned()
    services.withdraw_proposal(proposal=proposal, actor=proposal.applicant, note="转让给企业")
    proposal.refresh_from_db()
    process = proposal.process
    process.refresh_from_db()
    assert proposal.status == S.WITHDRAWN
    assert process.status == PROCESS.CANCELED
    assert Task.objects.filter(process_id=process.pk, status__in=[STATUS.NEW, STATUS.ASSIGNED]).count() == 0


def test_submission_after_the_closing_time_is_refused():
    world = World()
    world.call.closes_at = world.call.opens_at + dt.timedelta(seconds=1)
    world.call.save()
    proposal = world.proposal()
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        services.submit_proposal(proposal=proposal, actor=proposal.applicant)
    assert "submissions are no longer accepted" in str(exc.value)
    proposal.refresh_from_db()
    assert proposal.status == S.DRAFT


def test_mails_go_out_after_commit_in_the_recipients_language(django_capture_on_commit_callbacks):
    world = World()
    proposal = world.proposal()
    proposal.applicant.language = "en"
    proposal.applicant.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_proposal(proposal=proposal, actor=proposal.applicant)
    receipts = [m for m in mail.outbox if m.to == [proposal.applicant.email]]
    assert len(receipts) == 1
    assert receipts[0].subject.startswith("[pocflow] Proposal received")
    assert f"/proposals/{proposal.pk}/" in receipts[0].body
