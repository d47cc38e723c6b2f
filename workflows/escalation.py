"""Orchestration of overdue reviews and of conflicts found after assignment.

At a review's deadline the timer boundary on the expert's `review` task cancels it and opens an
`escalate` task for staff in the same branch (ProposalFlow.on_escalated marks the review). Staff
extend the deadline — the branch continues with a new `review` task for the same review and a new
timer — or replace the expert — the old review is canceled and the branch continues with the new
expert's task. A conflict recorded while an expert's task is open ends that task through the same
path as the expert's own decline: a `replace_expert` task for staff keeps the Join waiting.
"""

import logging

from viewflow.workflow.models import Task

from reviews.enums import OPEN_REVIEW_STATES
from reviews.models import Review
from reviews.services import deadlines
from workflows import services
from workflows.flows import ProposalFlow
from workflows.notifications import notify_replacement_needed

logger = logging.getLogger(__name__)


def escalation_task(*, review):
    """The open staff task deciding about the overdue review, if any."""
    process = services._process(review.proposal)
    if process is None:
        return None
    return (
        Task.objects.filter(process_id=process.pk, flow_task=ProposalFlow.escalate, data__review_id=review.pk,
                            status__in=services.OPEN_STATUSES)
        .order_by("pk").first()
    )


def extend_review(*, review, officer, deadline, reason) -> Review:
    """Staff give the expert more time: the expert gets a new task for the same review."""
    with services.perform(services._require(escalation_task(review=review)), officer) as activation:
        review.refresh_from_db()
        deadlines.extend_review_deadline(review=review, deadline=deadline, reason=reason, extended_by=officer)
        activation.task.data["extended"] = True
        activation.task.save(update_fields=["data"])
    return review


def replace_overdue_expert(*, review, new_expert, officer) -> Review:
    """Staff replace the overdue expert: the old review is canceled, the new expert gets the branch's task."""
    with services.perform(services._require(escalation_task(review=review)), officer) as activation:
        review.refresh_from_db()
        new_review = deadlines.replace_overdue_review(review=review, new_expert=new_expert, replaced_by=officer)
        activation.task.data["replacement_review_id"] = new_review.pk
        activation.task.save(update_fields=["data"])
    return new_review


def decline_for_conflict(*, conflict):
    """A conflict recorded while the expert's scoring task is open: decline it, ask staff for a replacement.

    Declared conflicts are skipped by the caller: the expert's own decline already did this.
    Returns the declined review, or None when the expert had no open task on the proposal.
    """
    review = (
        Review.objects.select_related("proposal", "proposal__call", "expert", "assigned_by")
        .filter(proposal_id=conflict.proposal_id, expert_id=conflict.expert_id, status__in=OPEN_REVIEW_STATES)
        .first()
    )
    if review is None:
        return None
    task = services.review_task(review=review)
    if task is None or task.status not in services.OPEN_STATUSES:
        return None  # escalated (staff decide there) or already ended
    with task.activation() as activation:
        deadlines.decline_for_conflict(review=review, conflict=conflict)
        services.ask_for_replacement(activation, review)
    notify_replacement_needed(review)
    return review
