"""Named predicates for the panel meeting and the roadshow (路演)."""

import rules

from accounts.rules import is_panel_chair, is_program_officer


@rules.predicate
def has_conflict_on(user, proposal):
    """The user has a Conflict (回避) on the proposal."""
    if proposal is None or not user.is_authenticated:
        return False
    from reviews.models import Conflict

    return Conflict.objects.filter(proposal=proposal, expert_id=user.pk).exists()


@rules.predicate
def is_roadshow_judge(user, slot):
    """The user judges (or is an invited investor at) the slot's call roadshow."""
    if slot is None or not user.is_authenticated:
        return False
    from reviews.models import RoadshowJudge

    return RoadshowJudge.objects.filter(call_id=slot.call_id, user_id=user.pk).exists()


@rules.predicate
def slot_has_conflict(user, slot):
    return slot is not None and has_conflict_on(user, slot.proposal)


# Call-level: the ranked table (conflicted proposals are left out of it).
can_chair_panel = is_panel_chair | is_program_officer
# Proposal-level: its scores, opinions, notes; the chair's recommendation; moving it in the ranking.
can_see_proposal_results = can_chair_panel & ~has_conflict_on
can_recommend = can_see_proposal_results
can_manage_roadshow = is_program_officer
can_score_roadshow = is_roadshow_judge & ~slot_has_conflict

rules.add_perm("reviews.chair_panel", can_chair_panel)
rules.add_perm("reviews.see_proposal_results", can_see_proposal_results)
rules.add_perm("reviews.recommend", can_recommend)
rules.add_perm("reviews.manage_roadshow", can_manage_roadshow)
rules.add_perm("reviews.score_roadshow", can_score_roadshow)
