"""The panel meeting: the chair's recommendation, reordering the ranked list, the panel decision."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import IllegalTransition, InvalidInput, NotPermitted
from proposals.enums import ProposalStatus, Transition
from proposals.models import Call
from proposals.services.audit import record_audit
from proposals.services.transition import transition_proposal
from reviews.enums import PanelOutcome
from reviews.models import PanelDecision, PanelRecommendation, RankingAdjustment
from reviews.rules import can_see_proposal_results, has_conflict
from reviews.services.results import call_results, empty_result
from reviews.services.snapshot import locked_order, refresh_panel_snapshot

OUTCOME_TRANSITION = {
    PanelOutcome.APPROVE: Transition.APPROVE,
    PanelOutcome.APPROVE_WITH_CONDITIONS: Transition.APPROVE,
    PanelOutcome.REJECT: Transition.REJECT,
    PanelOutcome.INVITE_RESUBMISSION: Transition.INVITE_RESUBMISSION,
}

RECOMMENDABLE_STATES = (ProposalStatus.IN_REVIEW, ProposalStatus.PANEL)


def _outcome(value) -> PanelOutcome:
    try:
        return PanelOutcome(value)
    except ValueError:
        raise InvalidInput(_("Choose one of the offered outcomes.")) from None


def _s(value):
    return None if value is None else str(value)


def result_figures(result, results) -> dict:
    """The figures a decision saw, as JSON: every number as a two-decimal string, with the methods."""
    return {
        "methods": dict(results.methods),
        "ranking_basis": results.ranking_basis,
        "mean": _s(result.mean),
        "trimmed_mean": _s(result.trimmed_mean),
        "trimmed": result.trimmed,
        "median": _s(result.median),
        "calibrated": _s(result.calibrated),
        "expert_score": _s(result.expert_score),
        "roadshow": _s(result.roadshow),
        "roadshow_weight": _s(results.roadshow_weight) if results.roadshow_enabled else None,
        "final_score": _s(result.final_score),
        "rank": result.rank,
        "computed_rank": result.computed_rank,
        "veto": result.veto,
        "spread": _s(result.spread),
        "group_means": {k: _s(v) for k, v in result.group_means.items()},
        "disagreement": result.disagreement,
        "disagreement_reasons": list(result.disagreement_reasons),
        "all_criteria_passed": result.all_criteria_passed,
        "criteria": [
            {"id": c.criterion_id, "name": c.name, "mean": _s(c.mean), "pass_mark": _s(c.pass_mark),
             "passes": c.passes, "answered": c.answered, "passed": c.passed}
            for c in result.criteria
        ],
        "reviews": [
            {"review": r.review_id, "expert": r.expert_id, "expert_type": r.expert_type,
             "weighted_total": _s(r.weighted_total), "offset": _s(r.offset), "calibrated_total": _s(r.calibrated_total),
             "scores": {str(k): _s(v) for k, v in r.criterion_scores.items()}, "veto": r.veto}
            for r in result.reviews
        ],
    }


def _proposal_result(proposal):
    results = call_results(proposal.call)
    for r in results.proposals:
        if r.proposal_id == proposal.pk:
            return r, results
    return empty_result(proposal), results


def record_panel_decision(*, proposal, outcome: str, feedback: str, decided_by, conditions: str = "") -> PanelDecision:
    """Record the panel's decision with a snapshot of the figures it saw. Runs in the caller's transaction.

    "Approve with conditions" takes the approve transition and needs the conditions written out.
    """
    outcome = _outcome(outcome)
    feedback = (feedback or "").strip()
    conditions = (conditions or "").strip()
    if has_conflict(decided_by, proposal):
        raise NotPermitted(_("You have a conflict of interest with this proposal."))
    if not feedback:
        raise InvalidInput(_("Write feedback for the applicant."))
    if outcome == PanelOutcome.APPROVE_WITH_CONDITIONS and not conditions:
        raise InvalidInput(_("Write the conditions of the approval."))
    if outcome != PanelOutcome.APPROVE_WITH_CONDITIONS:
        conditions = ""
    result, results = _proposal_result(proposal)
    figures = result_figures(result, results)
    decision = PanelDecision.objects.create(
        proposal=proposal, outcome=outcome, feedback=feedback, conditions=conditions, decided_by=decided_by,
        mean=result.mean, trimmed_mean=result.trimmed_mean, median=result.median, calibrated=result.calibrated,
        final_score=result.final_score, rank=result.rank, figures=figures, review_count=result.review_count,
    )
    record_audit(action="panel.decided", proposal=proposal, actor=decided_by, note=feedback, data={
        "decision": decision.pk, "outcome": outcome.value, "conditions": conditions, "mean": _s(result.mean),
        "trimmed_mean": _s(result.trimmed_mean), "median": _s(result.median), "calibrated": _s(result.calibrated),
        "final_score": _s(result.final_score), "rank": result.rank, "methods": figures["methods"],
    })
    transition_proposal(proposal=proposal, transition=OUTCOME_TRANSITION[outcome], actor=decided_by, note=feedback)
    return decision


def record_panel_recommendation(*, proposal, chair, recommendation: str, rationale: str,
                                conditions: str = "") -> PanelRecommendation:
    """The chair's recommendation with a rationale (append-only: the latest counts), audited."""
    if not can_see_proposal_results(chair, proposal):
        raise NotPermitted()
    if proposal.status not in RECOMMENDABLE_STATES:
        raise IllegalTransition(_("A recommendation can be recorded only while the proposal is in review or awaiting the panel decision."))
    recommendation = _outcome(recommendation)
    rationale = (rationale or "").strip()
    conditions = (conditions or "").strip()
    if not rationale:
        raise InvalidInput(_("Write the rationale for the recommendation."))
    if recommendation == PanelOutcome.APPROVE_WITH_CONDITIONS and not conditions:
        raise InvalidInput(_("Write the conditions of the approval."))
    if recommendation != PanelOutcome.APPROVE_WITH_CONDITIONS:
        conditions = ""
    with transaction.atomic():
        row = PanelRecommendation.objects.create(
            proposal=proposal, chair=chair, recommendation=recommendation, rationale=rationale, conditions=conditions,
        )
        record_audit(action="panel.recommended", proposal=proposal, actor=chair, note=rationale, data={
            "recommendation": recommendation.value, "conditions": conditions, "panel_recommendation": row.pk,
        })
        refresh_panel_snapshot(call=proposal.call)  # the ranked table shows the chair's latest recommendation
    return row


def reorder_ranking(*, call, proposal, position: int, reason: str, actor) -> RankingAdjustment:
    """Move a proposal to a 1-based position of the call's ranked list; stores the full order, audited."""
    if not can_see_proposal_results(actor, proposal) or proposal.call_id != call.pk:
        raise NotPermitted()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for moving the proposal."))
    with transaction.atomic():
        Call.objects.select_for_update().filter(pk=call.pk).first()  # one reordering of a call at a time
        order, complete = locked_order(call=call)
        if proposal.pk not in order:
            raise InvalidInput(_("This proposal is not in the ranked list yet."))
        try:
            position = int(position)
        except (TypeError, ValueError):
            position = 0
        # complete and incomplete proposals are ranked apart: a move stays within its part of the list
        low, high = (1, complete) if order.index(proposal.pk) < complete else (complete + 1, len(order))
        if not low <= position <= high:
            if (low, high) == (1, len(order)):
                raise InvalidInput(_("Choose a position between 1 and %(n)s.") % {"n": len(order)})
            raise InvalidInput(_(
                "Choose a position between %(low)s and %(high)s: proposals with all their reviews and incomplete "
                "ones are ranked apart.") % {"low": low, "high": high})
        from_position = order.index(proposal.pk) + 1
        if from_position == position:
            raise InvalidInput(_("The proposal is already at position %(n)s.") % {"n": position})
        order.remove(proposal.pk)
        order.insert(position - 1, proposal.pk)
        adjustment = RankingAdjustment.objects.create(
            call=call, proposal=proposal, from_position=from_position, to_position=position, reason=reason,
            order=order, actor=actor,
        )
        record_audit(action="panel.reordered", proposal=proposal, actor=actor, note=reason, data={
            "call": call.pk, "from": from_position, "to": position, "order": order, "adjustment": adjustment.pk,
        })
        refresh_panel_snapshot(call=call)
    return adjustment
