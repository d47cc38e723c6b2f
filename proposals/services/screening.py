from django.utils.translation import gettext as _

from core.errors import InvalidInput
from proposals.enums import ScreeningOutcome, Transition
from proposals.models import Proposal, ScreeningResult
from proposals.services.transition import transition_proposal

OUTCOME_TRANSITION = {
    ScreeningOutcome.PASS: Transition.PASS_SCREENING,
    ScreeningOutcome.RETURN: Transition.RETURN_FOR_REVISION,
    ScreeningOutcome.INELIGIBLE: Transition.DECLARE_INELIGIBLE,
}


def record_screening(*, proposal: Proposal, officer, outcome: str, checklist: dict, message: str = "") -> ScreeningResult:
    """Record the formal-screening outcome and move the proposal on. Runs in the caller's transaction."""
    outcome = ScreeningOutcome(outcome)
    if outcome != ScreeningOutcome.PASS and not message.strip():
        raise InvalidInput(_("Explain to the team why the proposal is returned or ineligible."))
    if outcome == ScreeningOutcome.PASS and not all(checklist.values()):
        raise InvalidInput(_("Every checklist item must be met to pass screening."))
    result = ScreeningResult.objects.create(
        proposal=proposal, officer=officer, outcome=outcome, checklist=checklist, message=message
    )
    transition_proposal(proposal=proposal, transition=OUTCOME_TRANSITION[outcome], actor=officer, note=message)
    return result
