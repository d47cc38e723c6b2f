"""The audit trail and the shared state-machine door.

`record_audit` appends one row; `change_state` is the door every state machine goes through
(the proposal's `transition_proposal`, the project's, the agreement's, the tranche's …):
check the transition and the actor's permission, change the state, save (optimistically
locked where the model uses `ConcurrentTransitionMixin`), append the audit row and fire the
machine's signal last, all in one transaction. Any refusal raises a DomainError and leaves the
instance and the database as they were.

Audit rows belong to a proposal (every record in pocflow hangs on one), so the trail and its
door live here in `proposals`, the lowest app that owns a proposal; every app above imports them.
"""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed, has_transition_perm

from core.errors import ConcurrentChange, IllegalTransition, NotPermitted
from proposals.models import AuditEntry


def record_audit(*, action, proposal=None, actor=None, from_state="", to_state="", note="", data=None) -> AuditEntry:
    """Append one audit row. Every state change and consequential act calls this."""
    return AuditEntry.objects.create(
        proposal=proposal,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_state=from_state or "",
        to_state=to_state or "",
        note=note or "",
        data=data or {},
    )


def change_state(
    instance, transition: str, *, actor, action: str, proposal, note: str = "", data: Mapping | None = None,
    system: bool = False, illegal: str | None = None, signal: Signal | None = None,
    signal_kwargs: Mapping[str, Any] | None = None, update_fields: list[str] | None = None,
    transition_kwargs: Mapping[str, Any] | None = None,
) -> str:
    """Take `instance.<transition>()` through the door; returns the state it left.

    - refuses with IllegalTransition (message `illegal`, if given) when the transition is not
      possible from the current state or its conditions fail;
    - refuses with NotPermitted unless `system` or the transition's permission admits `actor`;
    - changes the state in memory, saves (only `update_fields` plus the status, when given),
      appends the audit row `action` (from, to, note, data) and sends `signal` last with
      `signal_kwargs` plus `actor`, `from_state` and `to_state`, in one transaction;
    - maps a concurrent change to ConcurrentChange and restores the instance from the database
      on any failure.
    """
    method = getattr(instance, transition)
    field = method._django_fsm.field
    field_name = field if isinstance(field, str) else field.name
    if not can_proceed(method):
        raise IllegalTransition(illegal) if illegal else IllegalTransition()
    if not system and (actor is None or not actor.is_authenticated or not has_transition_perm(method, actor)):
        raise NotPermitted()
    from_state = getattr(instance, field_name)
    try:
        with transaction.atomic():
            method(**(transition_kwargs or {}))
            if update_fields is None:
                instance.save()
            else:
                instance.save(update_fields=sorted({field_name, *update_fields}))
            record_audit(action=action, proposal=proposal, actor=actor, from_state=from_state,
                         to_state=getattr(instance, field_name), note=note, data=dict(data or {}))
            if signal is not None:
                signal.send(sender=type(instance), actor=actor, from_state=from_state,
                            to_state=getattr(instance, field_name), **(signal_kwargs or {}))
    except ConcurrentTransition as exc:
        instance.refresh_from_db()
        raise ConcurrentChange() from exc
    except TransitionNotAllowed as exc:
        instance.refresh_from_db()
        raise (IllegalTransition(illegal) if illegal else IllegalTransition()) from exc
    except Exception:
        # the in-memory state changed before the failure: restore it from the database
        if instance.pk:
            instance.refresh_from_db()
        raise
    return from_state
