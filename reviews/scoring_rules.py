"""Named predicates for scoring: who may open a review page and see the other experts' scores.

Registered as `reviews.open_review` and `reviews.see_peer_scores` (imported from reviews/rules.py
so django-rules' autodiscovery registers them)."""

import rules

from accounts.rules import is_expert
from proposals.enums import PeerScores
from reviews.enums import ACTIVE_REVIEW_STATES, ReviewStatus
from reviews.rules import is_review_owner


@rules.predicate
def review_is_active(user, review):
    """Assigned, draft or submitted: not declined or canceled."""
    return review is not None and review.status in ACTIVE_REVIEW_STATES


@rules.predicate
def is_conflicted_on_review(user, review):
    """The user has a conflict of interest (any source) with the review's proposal."""
    return review is not None and review.proposal.conflicts.filter(expert=user).exists()


@rules.predicate
def review_is_submitted(user, review):
    return review is not None and review.status == ReviewStatus.SUBMITTED


@rules.predicate
def call_shows_peer_scores(user, review):
    return review is not None and review.proposal.call.peer_scores == PeerScores.AFTER_OWN


can_open_review = is_expert & is_review_owner & review_is_active & ~is_conflicted_on_review
can_see_peer_scores = can_open_review & review_is_submitted & call_shows_peer_scores

rules.add_perm("reviews.open_review", can_open_review)
rules.add_perm("reviews.see_peer_scores", can_see_peer_scores)
