"""Reads for scoring: the rubric with its bands, the review page, peer scores, a proposal's submitted
reviews and their summary, the expert's own page."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from reviews.enums import ACTIVE_REVIEW_STATES, ConflictSource, ReviewStatus
from reviews.models import Conflict, Criterion, Review, Score
from reviews.services import aggregation

DUE_SOON = dt.timedelta(days=3)  # an open review due within this is marked "due soon"


def rubric(*, call):
    """The call's criteria in order, each with its bands (A first) prefetched."""
    return Criterion.objects.filter(call=call).prefetch_related("bands").order_by("order", "pk")


def reviews_for_scoring():
    """Reviews with what the scoring page shows: proposal, call, applicant and the scores."""
    return Review.objects.select_related(
        "proposal", "proposal__call", "proposal__applicant", "proposal__applicant__organisation", "expert",
    ).prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))


@dataclass
class PeerReview:
    label_number: int  # "Expert n": numbered by submission order, never a name
    total: object  # Decimal | None
    scores: list  # per rubric criterion: Score or None, in rubric order


def peer_reviews(*, review, criteria) -> list[PeerReview]:
    """The other experts' submitted reviews of the same proposal, anonymised, without opinions or notes.

    Reviews by experts with a conflict on the proposal (recused) are left out.
    """
    recused = Conflict.objects.filter(proposal_id=review.proposal_id, expert_id=OuterRef("expert_id"))
    others = (
        Review.objects.filter(proposal_id=review.proposal_id, status=ReviewStatus.SUBMITTED)
        .exclude(pk=review.pk).exclude(Exists(recused))
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
        .order_by("submitted_at", "pk")
    )
    out = []
    for n, other in enumerate(others, start=1):
        by_criterion = {s.criterion_id: s for s in other.scores.all()}
        out.append(PeerReview(label_number=n, total=other.weighted_total,
                              scores=[by_criterion.get(c.pk) for c in criteria]))
    return out


def expert_dashboard(*, expert, now=None) -> dict:
    """The expert's own page: open tasks and drafts by deadline (marked overdue / due soon),
    submitted reviews, and the conflicts they declared. Two queries."""
    now = now or timezone.now()
    conflicted = Conflict.objects.filter(proposal_id=OuterRef("proposal_id"), expert_id=expert.pk)
    reviews = list(
        Review.objects.filter(expert=expert, status__in=ACTIVE_REVIEW_STATES).exclude(Exists(conflicted))
        .select_related("proposal", "proposal__call")
        .order_by("deadline", "pk")
    )
    for r in reviews:
        r.overdue = r.deadline is not None and r.deadline <= now
        r.due_soon = not r.overdue and r.deadline is not None and r.deadline <= now + DUE_SOON
    open_reviews = [r for r in reviews if r.status != ReviewStatus.SUBMITTED]
    # reviews without a deadline go last
    open_reviews.sort(key=lambda r: (r.deadline is None, r.deadline or now, r.pk))
    return {
        "tasks": [r for r in open_reviews if r.status == ReviewStatus.ASSIGNED],
        "drafts": [r for r in open_reviews if r.status == ReviewStatus.DRAFT],
        "submitted": sorted((r for r in reviews if r.status == ReviewStatus.SUBMITTED),
                            key=lambda r: (r.submitted_at or now, r.pk), reverse=True),
        "conflicts": list(Conflict.objects.filter(expert=expert, source=ConflictSource.DECLARED)
                          .select_related("proposal").order_by("-created_at", "pk")),
    }


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


def expert_reviews(*, expert):
    """An expert's own assignments (never declined ones' proposals)."""
    return (
        Review.objects.filter(expert=expert, status__in=ACTIVE_REVIEW_STATES)
        .exclude(proposal__conflicts__expert=expert)
        .select_related("proposal", "proposal__call")
        .order_by("deadline", "pk")
    )
