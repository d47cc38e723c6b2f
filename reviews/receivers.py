"""Conflict detection hooks (回避): when a proposal enters expert review, and when the pool changes; the
panel snapshot's refresh on the changes that move a call's results."""

from django.dispatch import receiver

from proposals.enums import ProposalStatus
from proposals.signals import proposal_transitioned
from reviews.enums import ReviewStatus
from reviews.models import PanelRow, Review
from reviews.services.conflicts import detect_conflicts, detect_for_experts
from reviews.services.pool import expert_profiles_changed
from reviews.services.results import result_states
from reviews.services.snapshot import counted_work_of, refresh_panel_snapshot, refresh_panel_snapshots
from reviews.signals import conflict_recorded, review_transitioned


@receiver(proposal_transitioned, dispatch_uid="reviews-detect-conflicts-on-review")
def detect_when_review_starts(sender, proposal, to_state, **kwargs):
    # sent by the one door inside its transaction: new conflicts commit with the transition
    if to_state == ProposalStatus.IN_REVIEW:
        detect_conflicts(proposal=proposal)


@receiver(expert_profiles_changed, dispatch_uid="reviews-detect-conflicts-on-profile-change")
def detect_when_profiles_change(sender, profiles, actor=None, **kwargs):
    detect_for_experts(profiles=profiles, actor=actor)


# The stored panel snapshot (reviews.services.snapshot) refreshes in the transaction of every change
# that can move a call's results.

@receiver(review_transitioned, dispatch_uid="reviews-panel-snapshot-on-review")
def refresh_when_a_review_counts_or_stops_counting(sender, review, from_state, to_state, **kwargs):
    if ReviewStatus.SUBMITTED in (from_state, to_state) and from_state != to_state:
        refresh_panel_snapshot(call=review.proposal.call)


@receiver(conflict_recorded, dispatch_uid="reviews-panel-snapshot-on-conflict")
def refresh_when_a_conflict_hides_a_review(sender, conflict, **kwargs):
    if counted_work_of(proposal_id=conflict.proposal_id, expert_id=conflict.expert_id):
        refresh_panel_snapshot(call=conflict.proposal.call)


@receiver(proposal_transitioned, dispatch_uid="reviews-panel-snapshot-on-proposal")
def refresh_when_a_proposal_enters_or_leaves_the_results(sender, proposal, from_state, to_state, **kwargs):
    states = result_states()
    if (from_state in states) == (to_state in states):
        return
    if to_state in states and not counted_work_of(proposal_id=proposal.pk):
        return  # a proposal without a finished review is not in the results
    if to_state not in states and not PanelRow.objects.filter(proposal_id=proposal.pk).exists():
        return
    refresh_panel_snapshot(call=proposal.call)


@receiver(expert_profiles_changed, dispatch_uid="reviews-panel-snapshot-on-profile-change")
def refresh_when_an_experts_type_may_have_changed(sender, profiles, **kwargs):
    # the mean by expert type and the investor/academic divergence flag read the expert's type
    users = [p.user_id for p in profiles]
    refresh_panel_snapshots(call_ids=Review.objects.filter(expert_id__in=users, status=ReviewStatus.SUBMITTED)
                            .values_list("proposal__call_id", flat=True).distinct())
