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


def profiles_with_user():
    return ExpertProfile.objects.select_related("user")


def own_profile(*, user):
    """The user's expert profile, or None when they have none yet."""
    return ExpertProfile.objects.filter(user=user).first()


def reviews_for_declaring():
    """Reviews with the proposal and call the conflict declaration page shows."""
    return Review.objects.select_related("proposal", "proposal__call")
