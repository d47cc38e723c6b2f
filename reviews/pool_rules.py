"""Named predicates for the expert pool and conflicts of interest (回避)."""

import rules

from accounts.rules import is_expert, is_program_officer
from reviews.enums import ReviewStatus
from reviews.rules import has_conflict, is_review_owner


@rules.predicate
def owns_profile(user, profile):
    return profile is not None and user.is_authenticated and profile.user_id == user.pk


@rules.predicate
def review_is_submitted(user, review):
    return review is not None and review.status == ReviewStatus.SUBMITTED


@rules.predicate
def review_has_conflict(user, review):
    return review is not None and has_conflict(user, review.proposal)


# The program office keeps the pool: profiles, load caps, who is active, imports.
can_manage_pool = is_program_officer
# An expert keeps their own fields, keywords, bio, unavailable periods and related persons.
can_edit_own_profile = is_expert
can_edit_profile = can_manage_pool | (is_expert & owns_profile)
# After submitting, an expert may still declare a conflict of interest on that proposal.
can_declare_conflict = is_expert & is_review_owner & review_is_submitted & ~review_has_conflict

rules.add_perm("reviews.manage_pool", can_manage_pool)
rules.add_perm("reviews.edit_own_profile", can_edit_own_profile)
rules.add_perm("reviews.edit_profile", can_edit_profile)
rules.add_perm("reviews.declare_conflict", can_declare_conflict)
