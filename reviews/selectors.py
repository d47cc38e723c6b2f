from django.db.models import Prefetch

from accounts.enums import Role
from accounts.models import User
from reviews.enums import ACTIVE_REVIEW_STATES, ReviewStatus
from reviews.models import Review, Score
from reviews.services import aggregation


def reviews_with_scores(qs=None):
    qs = qs if qs is not None else Review.objects.all()
    return qs.select_related("proposal", "proposal__call", "expert").prefetch_related(
        Prefetch("scores", queryset=Score.objects.select_related("criterion"))
    )


def submitted_reviews(*, proposal):
    return reviews_with_scores(proposal.reviews.filter(status=ReviewStatus.SUBMITTED).order_by("submitted_at", "pk"))


def proposal_summary(*, proposal) -> dict:
    """Per-review weighted totals and the proposal's mean and trimmed mean."""
    reviews = list(submitted_reviews(proposal=proposal))
    totals = [r.weighted_total for r in reviews]
    return {
        "reviews": reviews,
        "totals": totals,
        "mean": aggregation.mean(totals),
        "trimmed_mean": aggregation.trimmed_mean(totals),
        "trimmed": len([t for t in totals if t is not None]) >= aggregation.TRIM_FROM,
    }


def eligible_experts(*, proposal):
    """Experts who may be assigned: expert role, no conflict, not already assigned or declined."""
    return (
        User.objects.filter(groups__name=Role.EXPERT, is_active=True)
        .exclude(conflicts__proposal=proposal)
        .exclude(reviews__proposal=proposal)
        .select_related("organisation")
        .order_by("full_name", "username")
        .distinct()
    )


def expert_reviews(*, expert):
    """An expert's own assignments (never declined ones' proposals)."""
    return (
        Review.objects.filter(expert=expert, status__in=ACTIVE_REVIEW_STATES)
        .exclude(proposal__conflicts__expert=expert)
        .select_related("proposal", "proposal__call")
        .order_by("deadline", "pk")
    )
