"""Orchestration: each human step finds its viewflow task, checks the user may act on it,
and runs the domain service inside the task's activation — one transaction under the
flow lock, so the state change, the task completion and the next tasks commit together."""

from contextlib import contextmanager

from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from core.errors import IllegalTransition, InvalidInput, NotPermitted
from funding.enums import FundingChoice
from funding.models import FundingApproval
from funding.services import approvals as funding_services
from incubation import services as incubation_services
from proposals.enums import ProposalStatus as S, Transition
from proposals.services.screening import record_screening
from proposals.services.submission import submission_problems
from proposals.services.transition import transition_proposal
from reviews.services import assignment, scoring
from reviews.services.panel import record_panel_decision
from workflows.flows import ProposalFlow
from workflows.notifications import notify_replacement_needed

OPEN_STATUSES = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]


def _process(proposal):
    try:
        return proposal.process
    except Exception:  # RelatedObjectDoesNotExist: a draft has no process yet
        return None


def open_task(*, proposal, node):
    process = _process(proposal)
    if process is None:
        return None
    return Task.objects.filter(process_id=process.pk, flow_task=node, status__in=OPEN_STATUSES).order_by("pk").first()


def review_task(*, review):
    process = _process(review.proposal)
    if process is None:
        return None
    return (
        Task.objects.filter(process_id=process.pk, flow_task=ProposalFlow.review, data__review_id=review.pk)
        .order_by("-pk").first()
    )


def _require(task):
    if task is None:
        raise IllegalTransition(_("There is no open task for this step."))
    return task


def _claim(activation, user):
    task = activation.task
    if task.status not in OPEN_STATUSES:
        raise IllegalTransition(_("This task is no longer open. If its deadline passed, the program office decides how to go on."))
    if task.status == STATUS.NEW:
        if not activation.flow_task.can_assign(user, task):
            raise NotPermitted()
        activation.assign(user)
    elif not activation.flow_task.can_execute(user, task):
        raise NotPermitted(_("This task is assigned to someone else."))


@contextmanager
def perform(task, user):
    """Claim the task if it is unclaimed, start it, run the body, complete it."""
    with task.activation() as activation:
        _claim(activation, user)
        activation.start(None)
        yield activation
        activation.execute()


def claim(*, task, user):
    with task.activation() as activation:
        _claim(activation, user)


# researcher

def submit_proposal(*, proposal, actor):
    if proposal.applicant_id != actor.pk:
        raise NotPermitted()
    problems = submission_problems(proposal=proposal)
    if problems:
        raise InvalidInput(" ".join(problems))
    if proposal.status == S.DRAFT:
        with transaction.atomic():
            if not proposal.reference:
                proposal.reference = f"POC-{proposal.created_at:%Y}-{proposal.pk:05d}"
                proposal.save(update_fields=["reference"])
            ProposalFlow.start.run(proposal=proposal, actor=actor)
    elif proposal.status == S.RETURNED:
        with perform(_require(open_task(proposal=proposal, node=ProposalFlow.revise)), actor):
            proposal.refresh_from_db()
            transition_proposal(proposal=proposal, transition=Transition.RESUBMIT, actor=actor)
    else:
        raise IllegalTransition()
    return proposal


def withdraw_proposal(*, proposal, actor, note=""):
    with transaction.atomic():
        transition_proposal(proposal=proposal, transition=Transition.WITHDRAW, actor=actor, note=note)
        process = _process(proposal)
        if process is not None and process.finished is None:
            ProposalFlow.instance.cancel(process)
    return proposal


# program officers

def claim_screening(*, proposal, officer):
    with transaction.atomic():
        task = _require(open_task(proposal=proposal, node=ProposalFlow.screen))
        with task.activation() as activation:
            _claim(activation, officer)
            proposal.refresh_from_db()
            if proposal.status == S.SUBMITTED:
                transition_proposal(proposal=proposal, transition=Transition.START_SCREENING, actor=officer)
    return proposal


def screen_proposal(*, proposal, officer, outcome, checklist, message=""):
    proposal.refresh_from_db()
    if proposal.status == S.SUBMITTED:
        claim_screening(proposal=proposal, officer=officer)
    with perform(_require(open_task(proposal=proposal, node=ProposalFlow.screen)), officer):
        proposal.refresh_from_db()
        return record_screening(proposal=proposal, officer=officer, outcome=outcome, checklist=checklist, message=message)


def assign_experts(*, proposal, officer, experts):
    with perform(_require(open_task(proposal=proposal, node=ProposalFlow.assign_experts)), officer):
        proposal.refresh_from_db()
        return assignment.assign_experts(proposal=proposal, experts=experts, assigned_by=officer)


def replacement_task(*, review):
    process = _process(review.proposal)
    if process is None:
        return None
    return (
        Task.objects.filter(process_id=process.pk, flow_task=ProposalFlow.replace_expert,
                            data__declined_review_id=review.pk, status__in=OPEN_STATUSES)
        .order_by("pk").first()
    )


def replace_expert(*, review, new_expert, officer):
    """Complete the declined branch's replacement task; its next task is the new expert's review."""
    with perform(_require(replacement_task(review=review)), officer) as activation:
        review.refresh_from_db()
        new_review = assignment.replace_expert(review=review, new_expert=new_expert, assigned_by=officer)
        activation.task.data["review_id"] = new_review.pk
        activation.task.save(update_fields=["data"])
    return new_review


def decide_panel(*, proposal, officer, outcome, feedback, conditions=""):
    with perform(_require(open_task(proposal=proposal, node=ProposalFlow.panel)), officer):
        proposal.refresh_from_db()
        return record_panel_decision(proposal=proposal, outcome=outcome, feedback=feedback, decided_by=officer,
                                     conditions=conditions)


# experts

def submit_review(*, review, expert, scores, opinion, panel_note="", recommendation="support", confidence="high",
                  veto=False, veto_reason=""):
    """Submit the expert's review inside their scoring task, completing it (the Join may then move on)."""
    task = _require(review_task(review=review))
    with perform(task, expert):
        review.refresh_from_db()
        return scoring.save_review(review=review, expert=expert, scores=scores, opinion=opinion, panel_note=panel_note,
                                   recommendation=recommendation, confidence=confidence, veto=veto,
                                   veto_reason=veto_reason, submit=True)


def save_review_draft(*, review, expert, scores, opinion, panel_note="", recommendation="", confidence="",
                      veto=False, veto_reason=""):
    """Save a partial review while the expert's scoring task is open; the task stays open."""
    task = review_task(review=review)
    if task is None or task.status not in OPEN_STATUSES:
        raise IllegalTransition(_("This review task is closed; the draft cannot be saved."))
    if not task.flow_task.can_execute(expert, task):
        raise NotPermitted()
    return scoring.save_review(review=review, expert=expert, scores=scores, opinion=opinion, panel_note=panel_note,
                               recommendation=recommendation, confidence=confidence, veto=veto,
                               veto_reason=veto_reason, submit=False)


def cancel_review_timer(task):
    """Disarm the deadline timer of a review task that ends without completing (decline, conflict)."""
    timeout = ProposalFlow.review__timeout
    for timer in Task.objects.filter(flow_task=timeout, previous=task, status=STATUS.SCHEDULED):
        timeout.activation_class(timer).cancel()


def ask_for_replacement(activation, review):
    """Inside the review task's activation: end the task and keep its branch open with a task for staff."""
    task = activation.task
    activation.cancel()
    cancel_review_timer(task)
    # keep the branch open: staff must assign a replacement before the Join can continue
    ProposalFlow.replace_expert.activation_class.create(
        ProposalFlow.replace_expert, activation, task.token, data={"declined_review_id": review.pk}
    )


def decline_review(*, review, expert, reason):
    task = _require(review_task(review=review))
    if not task.flow_task.can_execute(expert, task):
        raise NotPermitted()
    if task.status not in OPEN_STATUSES:
        raise IllegalTransition(_("This review can no longer be declined."))
    with task.activation() as activation:
        conflict = assignment.decline_review(review=review, expert=expert, reason=reason)
        ask_for_replacement(activation, review)
    notify_replacement_needed(review)
    return conflict


# fund managers, incubation managers

def take_funding_decision(*, proposal, manager, choice, amount=None, instrument="grant", reasons=""):
    """The fund manager's decision in the funding task (funding.services.approvals.take_funding_decision).

    A first approval above the fund's four-eyes threshold is only recorded, and a refusal of the
    pending first approval voids it: either way the task goes back to the pool (unassigned, still
    open) so that a different fund manager can decide. A decision taken completes the task."""
    task = _require(open_task(proposal=proposal, node=ProposalFlow.funding))
    with task.activation() as activation:
        _claim(activation, manager)
        proposal.refresh_from_db()
        result = funding_services.take_funding_decision(proposal=proposal, decided_by=manager, choice=choice,
                                                        amount=amount, instrument=instrument, reasons=reasons)
        if isinstance(result, FundingApproval):
            activation.unassign()
            return result
        activation.start(None)
        activation.execute()
    return result


def decide_funding(*, proposal, manager, approve, amount=None, reasons="", instrument="grant"):
    """Approve or decline funding in the funding task (see take_funding_decision)."""
    return take_funding_decision(proposal=proposal, manager=manager,
                                 choice=FundingChoice.APPROVE if approve else FundingChoice.DECLINE,
                                 amount=amount, instrument=instrument, reasons=reasons)


def refuse_funding_approval(*, proposal, manager, reason):
    """A second fund manager refuses the pending first approval; the funding task stays open."""
    return take_funding_decision(proposal=proposal, manager=manager, choice=FundingChoice.REFUSE, reasons=reason)


def start_incubation(*, proposal, manager, milestones):
    with perform(_require(open_task(proposal=proposal, node=ProposalFlow.start_incubation)), manager):
        proposal.refresh_from_db()
        return incubation_services.start_project(proposal=proposal, manager=manager, milestones=milestones)
