"""The one door: every change of Proposal.status goes through `transition_proposal`.

It checks that the transition exists and is allowed from the current state, that the
actor may take it (role predicate via django-fsm's `has_transition_perm`), changes the
state, saves with optimistic locking, writes the audit row and fires
`proposal_transitioned` last. Receivers queue mail and PDFs with on_commit. Any refusal
raises a DomainError and leaves the proposal and the database untouched.
"""

from django.db import transaction
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed, has_transition_perm

from proposals.enums import Transition
from proposals.exceptions import ConcurrentChange, IllegalTransition, NotPermitted
from proposals.models import Proposal
from proposals.services.audit import record_audit
from proposals.signals import proposal_transitioned

# Transitions the flow takes on its own (Function nodes); no user acts.
SYSTEM_TRANSITIONS = frozenset({Transition.CLOSE_REVIEW, Transition.OPEN_FUNDING})


def transition_proposal(*, proposal: Proposal, transition: str, actor=None, note: str = "", system: bool = False) -> Proposal:
    name = Transition(transition).value
    method = getattr(proposal, name)
    if system and name not in SYSTEM_TRANSITIONS:
        raise NotPermitted()
    if not can_proceed(method):
        raise IllegalTransition()
    if not system:
        if actor is None or not actor.is_authenticated or not has_transition_perm(method, actor):
            raise NotPermitted()
    from_state = proposal.status
    try:
        with transaction.atomic():
            method()
            proposal.save()
            record_audit(
                action=f"proposal.{name}", proposal=proposal, actor=actor,
                from_state=from_state, to_state=proposal.status, note=note,
            )
            proposal_transitioned.send(
                sender=Proposal, proposal=proposal, transition=name,
                from_state=from_state, to_state=proposal.status, actor=actor, note=note,
            )
    except ConcurrentTransition as exc:
        proposal.refresh_from_db()
        raise ConcurrentChange() from exc
    except TransitionNotAllowed as exc:
        proposal.refresh_from_db()
        raise IllegalTransition() from exc
    except Exception:
        # the in-memory state changed before the failure: restore it from the database
        if proposal.pk:
            proposal.refresh_from_db()
        raise
    return proposal


def available_transitions(*, proposal: Proposal, user) -> list[str]:
    return [t.name for t in proposal.get_available_user_status_transitions(user)]
