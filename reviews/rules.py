"""Named predicates for expert review."""

import rules

from accounts.rules import is_expert, is_program_officer, is_panel_chair, is_staff
from reviews.enums import OPEN_REVIEW_STATES


@rules.predicate
def is_review_owner(user, review):
    return review is not None and review.expert_id == user.pk


@rules.predicate
def review_is_open(user, review):
    return review is not None and review.status in OPEN_REVIEW_STATES


@rules.predicate
def has_conflict(user, proposal):
    return proposal is not None and proposal.conflicts.filter(expert=user).exists()


can_score_review = is_expert & is_review_owner & review_is_open
can_decline_review = is_expert & is_review_owner & review_is_open
can_assign_experts = is_program_officer
can_see_scores = is_program_officer | is_panel_chair

rules.add_perm("reviews.score_review", can_score_review)
rules.add_perm("reviews.decline_review", can_decline_review)
rules.add_perm("reviews.assign_experts", can_assign_experts)
rules.add_perm("reviews.see_scores", can_see_scores)
rules.add_perm("reviews.expert_area", is_expert)
rules.add_perm("reviews.staff_area", is_staff)

from reviews import scoring_rules  # noqa: E402,F401  (registers reviews.open_review, reviews.see_peer_scores)
from reviews import panel_rules  # noqa: E402,F401  (registers the panel and roadshow permissions)
from reviews import notice_rules  # noqa: E402,F401  (registers reviews.manage_notices)
