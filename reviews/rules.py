"""Named predicates for expert review: scoring, assignment, the expert pool and conflicts of interest
(回避), the panel meeting and the roadshow (路演), and the public notice (公示). One predicate per
question; django-rules' autodiscovery imports this module and registers the permissions.

No module-level import of reviews.models: the models may ask these predicates for transition
permissions, so the queries go through relations and reviews.selectors.conflicts."""

import rules

from accounts.rules import is_expert, is_panel_chair, is_program_officer, is_staff
from proposals.enums import PeerScores
from reviews.enums import ACTIVE_REVIEW_STATES, OPEN_REVIEW_STATES, ReviewStatus
from reviews.selectors.conflicts import is_conflicted

# conflicts of interest -----------------------------------------------------------------------

@rules.predicate
def has_conflict(user, proposal):
    """The user has a conflict of interest (回避, any source) on the proposal."""
    return proposal is not None and user.is_authenticated and is_conflicted(user=user, proposal=proposal)


@rules.predicate
def review_has_conflict(user, review):
    """The user has a conflict of interest on the review's proposal."""
    return review is not None and has_conflict(user, review.proposal)


@rules.predicate
def slot_has_conflict(user, slot):
    """The user has a conflict of interest on the roadshow slot's proposal."""
    return slot is not None and has_conflict(user, slot.proposal)


# reviews -------------------------------------------------------------------------------------

@rules.predicate
def is_review_owner(user, review):
    return review is not None and review.expert_id == user.pk


@rules.predicate
def review_is_open(user, review):
    return review is not None and review.status in OPEN_REVIEW_STATES


@rules.predicate
def review_is_active(user, review):
    """Assigned, draft or submitted: not declined or canceled."""
    return review is not None and review.status in ACTIVE_REVIEW_STATES


@rules.predicate
def review_is_submitted(user, review):
    return review is not None and review.status == ReviewStatus.SUBMITTED


@rules.predicate
def call_shows_peer_scores(user, review):
    return review is not None and review.proposal.call.peer_scores == PeerScores.AFTER_OWN


can_score_review = is_expert & is_review_owner & review_is_open
can_decline_review = is_expert & is_review_owner & review_is_open
can_assign_experts = is_program_officer
can_see_scores = is_program_officer | is_panel_chair
can_open_review = is_expert & is_review_owner & review_is_active & ~review_has_conflict
can_see_peer_scores = can_open_review & review_is_submitted & call_shows_peer_scores

rules.add_perm("reviews.score_review", can_score_review)
rules.add_perm("reviews.decline_review", can_decline_review)
rules.add_perm("reviews.assign_experts", can_assign_experts)
rules.add_perm("reviews.see_scores", can_see_scores)
rules.add_perm("reviews.expert_area", is_expert)
rules.add_perm("reviews.staff_area", is_staff)
rules.add_perm("reviews.open_review", can_open_review)
rules.add_perm("reviews.see_peer_scores", can_see_peer_scores)


# the expert pool -----------------------------------------------------------------------------

@rules.predicate
def owns_profile(user, profile):
    return profile is not None and user.is_authenticated and profile.user_id == user.pk


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


# the panel meeting and the roadshow ----------------------------------------------------------

@rules.predicate
def is_roadshow_judge(user, slot):
    """The user judges (or is an invited investor at) the slot's call roadshow."""
    if slot is None or not user.is_authenticated:
        return False
    return user.roadshow_judgeships.filter(call_id=slot.call_id).exists()


# Call-level: the ranked table (conflicted proposals are left out of it).
can_chair_panel = is_panel_chair | is_program_officer
# Proposal-level: its scores, opinions, notes; the chair's recommendation; moving it in the ranking.
can_see_proposal_results = can_chair_panel & ~has_conflict
can_recommend = can_see_proposal_results
can_manage_roadshow = is_program_officer
can_score_roadshow = is_roadshow_judge & ~slot_has_conflict

rules.add_perm("reviews.chair_panel", can_chair_panel)
rules.add_perm("reviews.see_proposal_results", can_see_proposal_results)
rules.add_perm("reviews.recommend", can_recommend)
rules.add_perm("reviews.manage_roadshow", can_manage_roadshow)
rules.add_perm("reviews.score_roadshow", can_score_roadshow)


# the public notice ---------------------------------------------------------------------------

# Anyone reads a notice and lodges an objection; program officers publish it and resolve objections.
can_manage_notices = is_program_officer

rules.add_perm("reviews.manage_notices", can_manage_notices)
