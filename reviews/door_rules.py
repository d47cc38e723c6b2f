"""Who may take each transition of the review app's state machines (django-fsm `permission=`).

The models import these predicates, so this module imports nothing from reviews and only
role predicates from accounts (no cycle through the app's other rule modules). They ask the
same role questions as the app's rules (`can_assign_experts`, `can_manage_notices`), with the
(user, record) signature the doors' `has_transition_perm` check passes.
"""

import rules

from accounts.rules import is_program_officer


@rules.predicate
def is_reviewing_expert(user, review):
    """The expert the review is assigned to: saves drafts, submits, declines for a conflict."""
    return review is not None and user.is_authenticated and review.expert_id == user.pk


@rules.predicate
def is_assigning_officer(user, record=None):
    """Staff who assign experts: replace (cancel) a review, apply or discard an assignment run."""
    return is_program_officer(user)


@rules.predicate
def is_notice_officer(user, record=None):
    """Staff who manage public notices: close a notice, uphold or dismiss an objection."""
    return is_program_officer(user)
