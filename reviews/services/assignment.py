import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.roles import has_role
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from proposals.enums import ProposalStatus
from proposals.services.audit import record_audit
from reviews.enums import OPEN_REVIEW_STATES, ConflictSource, ReviewStatus, ReviewTransition
from reviews.models import Conflict, Review
from reviews.rules import can_assign_experts
from reviews.selectors.conflicts import is_conflicted
from reviews.services.states import transition_review
from reviews.signals import conflict_recorded


def check_assignable(expert, proposal):
    """Refuse (InvalidInput) an expert who is not one, has a conflict, or already has a review here."""
    if not has_role(expert, Role.EXPERT):
        raise InvalidInput(_("%(name)s is not an expert.") % {"name": expert.display_name})
    if is_conflicted(user=expert, proposal=proposal):
        raise InvalidInput(_("%(name)s has a conflict of interest with this proposal.") % {"name": expert.display_name})
    if Review.objects.filter(proposal=proposal, expert=expert).exists():
        raise InvalidInput(_("%(name)s is already assigned to this proposal.") % {"name": expert.display_name})


def _deadline(proposal):
    return timezone.now() + dt.timedelta(days=proposal.call.review_days)


def assign_experts(*, proposal, experts, assigned_by) -> list[Review]:
    """Create one review per expert. Runs in the caller's transaction (the task's)."""
    if not can_assign_experts(assigned_by):
        raise NotPermitted()
    if proposal.status != ProposalStatus.IN_REVIEW:
        raise IllegalTransition()
    experts = list(experts)
    if not experts:
        raise InvalidInput(_("Choose at least one expert."))
    reviews = []
    for expert in experts:
        check_assignable(expert, proposal)
        review = Review.objects.create(proposal=proposal, expert=expert, assigned_by=assigned_by, deadline=_deadline(proposal))
        record_audit(action="review.assigned", proposal=proposal, actor=assigned_by, data={"review": review.pk, "expert": expert.pk})
        reviews.append(review)
    return reviews


def decline_review(*, review, expert, reason: str) -> Conflict:
    """The expert declares a conflict of interest: the review ends and the conflict is logged."""
    if review.expert_id != expert.pk:
        raise NotPermitted()
    if review.status not in OPEN_REVIEW_STATES:
        raise IllegalTransition(_("This review can no longer be declined."))
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the conflict of interest."))
    with transaction.atomic():
        transition_review(review=review, transition=ReviewTransition.DECLINE, actor=expert, note=reason,
                          data={"review": review.pk}, illegal=_("This review can no longer be declined."),
                          transition_kwargs={"reason": reason})
        review.scores.all().delete()
        conflict, _created = Conflict.objects.get_or_create(
            proposal=review.proposal, expert=expert,
            defaults={"source": ConflictSource.DECLARED, "reason": reason, "recorded_by": expert},
        )
    return conflict


def replace_expert(*, review, new_expert, assigned_by) -> Review:
    """Assign a replacement for a declined review. Runs in the caller's transaction."""
    if not can_assign_experts(assigned_by):
        raise NotPermitted()
    if review.status != ReviewStatus.DECLINED or review.replaced_by_id:
        raise IllegalTransition(_("Only a declined review without a replacement can be replaced."))
    proposal = review.proposal
    check_assignable(new_expert, proposal)
    new = Review.objects.create(proposal=proposal, expert=new_expert, assigned_by=assigned_by, deadline=_deadline(proposal))
    review.replaced_by = new
    review.save(update_fields=["replaced_by"])
    record_audit(action="review.replaced", proposal=proposal, actor=assigned_by, data={"old": review.pk, "new": new.pk, "expert": new_expert.pk})
    return new


def record_conflict(*, proposal, expert, reason: str, recorded_by) -> Conflict:
    if not can_assign_experts(recorded_by):
        raise NotPermitted()
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the conflict of interest."))
    conflict, created = Conflict.objects.get_or_create(
        proposal=proposal, expert=expert, defaults={"source": ConflictSource.MANUAL, "reason": reason, "recorded_by": recorded_by}
    )
    if created:
        record_audit(action="conflict.recorded", proposal=proposal, actor=recorded_by, note=reason, data={"expert": expert.pk})
        conflict_recorded.send(sender=Conflict, conflict=conflict)  # workflows cancels the expert's open review
    return conflict
