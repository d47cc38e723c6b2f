"""The one read behind every "has this user a conflict of interest (回避) on this proposal?" question.

Deliberately free of model imports (it goes through the proposal's `conflicts` relation) so that
reviews/rules.py can use it even while reviews.models is still loading."""


def is_conflicted(*, user, proposal) -> bool:
    """Whether the user has a conflict of interest, of any source, on the proposal: one query."""
    return proposal.conflicts.filter(expert_id=user.pk).exists()


def conflicted_proposal_ids(*, user, call) -> set[int]:
    """The same question for every proposal of a call at once: the ids the user has a conflict on."""
    return set(call.proposals.filter(conflicts__expert_id=user.pk).values_list("pk", flat=True))
