"""Reads for the expert pool pages."""

from django.db.models import Count, Q

from reviews.enums import OPEN_REVIEW_STATES
from reviews.models import Conflict, ExpertProfile, Review


def pool_profiles(*, expert_type: str = "", institution: str = "", q: str = "", active: bool | None = None):
    """Profiles for the staff list, each with `open_load` (open reviews now) annotated."""
    qs = ExpertProfile.objects.select_related("user", "user__organisation").annotate(
        open_load=Count("user__reviews", filter=Q(user__reviews__status__in=OPEN_REVIEW_STATES), distinct=True),
    )
    if expert_type:
        qs = qs.filter(expert_type=expert_type)
    if institution.strip():
        qs = qs.filter(Q(institution__icontains=institution.strip()) | Q(user__organisation__name__icontains=institution.strip()))
    for word in q.split():
        qs = qs.filter(
            Q(user__full_name__icontains=word) | Q(user__email__icontains=word) | Q(user__username__icontains=word)
            | Q(fields_zh__icontains=word) | Q(fields_en__icontains=word)
            | Q(keywords_zh__icontains=word) | Q(keywords_en__icontains=word)
        )
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("user__full_name", "user__username", "pk")


def profile_for_detail(*, pk: int):
    return (
        ExpertProfile.objects.select_related("user", "user__organisation")
        .prefetch_related("relations", "unavailable_periods")
        .get(pk=pk)
    )


def open_reviews_of(*, expert):
    return (
        Review.objects.filter(expert=expert, status__in=OPEN_REVIEW_STATES)
        .select_related("proposal", "proposal__call")
        .order_by("deadline", "pk")
    )


def conflicts_of(*, expert):
    return Conflict.objects.filter(expert=expert).select_related("proposal", "proposal__call").order_by("-created_at", "-pk")
