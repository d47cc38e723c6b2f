from django.utils.translation import gettext as _

from proposals.enums import Transition
from proposals.exceptions import InvalidInput
from proposals.services.audit import record_audit
from proposals.services.transition import transition_proposal
from reviews.enums import PanelOutcome
from reviews.models import PanelDecision
from reviews.selectors import proposal_summary

OUTCOME_TRANSITION = {
    PanelOutcome.APPROVE: Transition.APPROVE,
    PanelOutcome.REJECT: Transition.REJECT,
    PanelOutcome.INVITE_RESUBMISSION: Transition.INVITE_RESUBMISSION,
}


def record_panel_decision(*, proposal, outcome: str, feedback: str, decided_by) -> PanelDecision:
    """Record the panel's decision with the figures it saw. Runs in the caller's transaction."""
    outcome = PanelOutcome(outcome)
    if not feedback.strip():
        raise InvalidInput(_("Write feedback for the applicant."))
    summary = proposal_summary(proposal=proposal)
    decision = PanelDecision.objects.create(
        proposal=proposal, outcome=outcome, feedback=feedback, decided_by=decided_by,
        mean=summary["mean"], trimmed_mean=summary["trimmed_mean"], review_count=len(summary["reviews"]),
    )
    record_audit(action="panel.decided", proposal=proposal, actor=decided_by, note=feedback,
                 data={"outcome": outcome.value, "mean": str(summary["mean"]), "trimmed_mean": str(summary["trimmed_mean"])})
    transition_proposal(proposal=proposal, transition=OUTCOME_TRANSITION[outcome], actor=decided_by, note=feedback)
    return decision
