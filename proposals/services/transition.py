"""The proposal's door: every change of Proposal.status goes through `transition_proposal`.

It checks that the transition exists and is allowed from the current state, that the
actor may take it (role predicate via django-fsm's `has_transition_perm`), changes the
state, saves with optimistic locking, writes the audit row and fires
`proposal_transitioned` last (through the shared door `change_state`). Receivers queue mail
and PDFs with on_commit. Any refusal raises a DomainError and leaves the proposal and the
database untouched.
"""

from core.errors import NotPermitted
from proposals.enums import Transition
from proposals.models import Proposal
from proposals.services.audit import change_state
from proposals.signals import proposal_transitioned

# Transitions the flow takes on its own (Function nodes); no user acts.
SYSTEM_TRANSITIONS = frozenset({Transition.CLOSE_REVIEW, Transition.OPEN_FUNDING})


def transition_proposal(*, proposal: Proposal, transition: str, actor=None, note: str = "", system: bool = False) -> Proposal:
    name = Transition(transition).value
    if system and name not in SYSTEM_TRANSITIONS:
        raise NotPermitted()
    change_state(
        proposal, name, actor=actor, action=f"proposal.{name}", proposal=proposal, note=note, system=system,
        signal=proposal_transitioned, signal_kwargs={"proposal": proposal, "transition": name, "note": note},
    )
    return proposal


def available_transitions(*, proposal: Proposal, user) -> list[str]:
    return [t.name for t in proposal.get_available_user_status_transitions(user)]
