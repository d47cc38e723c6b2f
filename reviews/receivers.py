"""Conflict detection hooks (回避): when a proposal enters expert review, and when the pool changes."""

from django.dispatch import receiver

from proposals.enums import ProposalStatus
from proposals.signals import proposal_transitioned
from reviews.services.conflicts import detect_conflicts, detect_for_experts
from reviews.services.pool import expert_profiles_changed


@receiver(proposal_transitioned, dispatch_uid="reviews-detect-conflicts-on-review")
def detect_when_review_starts(sender, proposal, to_state, **kwargs):
    # sent by the one door inside its transaction: new conflicts commit with the transition
    if to_state == ProposalStatus.IN_REVIEW:
        detect_conflicts(proposal=proposal)


@receiver(expert_profiles_changed, dispatch_uid="reviews-detect-conflicts-on-profile-change")
def detect_when_profiles_change(sender, profiles, actor=None, **kwargs):
    detect_for_experts(profiles=profiles, actor=actor)
