"""The doors of incubation's state machines: every change of a `status` in incubation goes through one.

One door per machine (project, milestone, agreement, tranche, quarterly report, change request,
patent), each built on the shared door `proposals.services.audit.change_state`: it checks that the
transition is possible from the current state (IllegalTransition, with the caller's message) and
that the actor may take it (the transition's `permission`, NotPermitted) unless the change is the
system's, runs the transition (fields change in memory only), saves with optimistic locking on the
status, appends the audit row (action, from, to, note, data) and fires the machine's signal last,
all in one transaction. The use-case services (agreement, money, reports, changes, projects,
midterm, acceptance, outcomes) validate their input, then call these doors.

The one exception to "one audit row per change" is `cancel_tranches`: the tranches a stopped
project cancels are recorded together in the single `project.unpaid_returned` row, as always.
"""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed

from core.errors import ConcurrentChange, IllegalTransition
from incubation.models import Agreement, ChangeRequest, Milestone, Patent, ProgressReport, Project, Tranche
from incubation.signals import agreement_issued, tranche_released
from proposals.services.audit import change_state, record_audit


def transition_project(*, project: Project, transition: str, actor, action: str, note: str = "",
                       data: Mapping | None = None, illegal: str | None = None,
                       transition_kwargs: Mapping[str, Any] | None = None) -> str:
    """graduate, terminate or require_rectification; returns the state the project left."""
    return change_state(project, transition, actor=actor, action=action, proposal=project.proposal, note=note,
                        data=data, illegal=illegal, transition_kwargs=transition_kwargs)


def transition_milestone(*, milestone: Milestone, transition: str, actor, action: str, note: str = "",
                         data: Mapping | None = None, illegal: str | None = None,
                         transition_kwargs: Mapping[str, Any] | None = None) -> str:
    """record_progress (between planned, in progress, done and missed) or accept."""
    return change_state(milestone, transition, actor=actor, action=action, proposal=milestone.project.proposal,
                        note=note, data=data, illegal=illegal, transition_kwargs=transition_kwargs,
                        update_fields=["completed_at", "accepted_at", "accepted_by"])


def transition_agreement(*, agreement: Agreement, transition: str, actor, action: str, note: str = "",
                         data: Mapping | None = None, illegal: str | None = None,
                         transition_kwargs: Mapping[str, Any] | None = None,
                         update_fields: list[str] | None = None) -> str:
    """issue (sends `agreement_issued`, on which decisions renders the PDF), reopen or sign."""
    return change_state(agreement, transition, actor=actor, action=action, proposal=agreement.project.proposal,
                        note=note, data=data, illegal=illegal, transition_kwargs=transition_kwargs,
                        update_fields=update_fields,
                        signal=agreement_issued if transition == "issue" else None,
                        signal_kwargs={"agreement": agreement})


def transition_tranche(*, tranche: Tranche, transition: str, actor, action: str, proposal, note: str = "",
                       data: Mapping | None = None, illegal: str | None = None,
                       transition_kwargs: Mapping[str, Any] | None = None) -> str:
    """release (sends `tranche_released`, on which decisions renders the release notice)."""
    return change_state(tranche, transition, actor=actor, action=action, proposal=proposal, note=note, data=data,
                        illegal=illegal, transition_kwargs=transition_kwargs,
                        update_fields=["released_at", "released_by", "payment_reference", "ledger_entry"],
                        signal=tranche_released if transition == "release" else None,
                        signal_kwargs={"tranche": tranche})


def cancel_tranches(*, tranches: list[Tranche], actor, proposal, reason: str, data: Mapping) -> None:
    """Cancel planned tranches of a project being stopped (terminated, failed acceptance, stopped at
    mid-term): the closing door checked the actor. Each tranche takes its `cancel` transition and
    is saved optimistically locked; one audit row `project.unpaid_returned` records them all."""
    now = timezone.now()
    try:
        with transaction.atomic():
            for tranche in tranches:
                if not can_proceed(tranche.cancel):
                    raise IllegalTransition()
                tranche.cancel(reason=reason, at=now)
                tranche.save(update_fields=["status", "cancelled_at", "cancel_reason"])
            record_audit(action="project.unpaid_returned", proposal=proposal, actor=actor, note=reason, data=dict(data))
    except ConcurrentTransition as exc:
        for tranche in tranches:
            tranche.refresh_from_db()
        raise ConcurrentChange() from exc


def transition_report(*, report: ProgressReport, transition: str, actor, action: str, note: str = "",
                      data: Mapping | None = None, illegal: str | None = None,
                      transition_kwargs: Mapping[str, Any] | None = None,
                      update_fields: list[str] | None = None) -> str:
    """submit, accept or return_for_revision."""
    return change_state(report, transition, actor=actor, action=action, proposal=report.project.proposal,
                        note=note, data=data, illegal=illegal, transition_kwargs=transition_kwargs,
                        update_fields=update_fields)


def transition_change(*, change: ChangeRequest, transition: str, actor, action: str, proposal, note: str = "",
                      data: Mapping | None = None, illegal: str | None = None,
                      transition_kwargs: Mapping[str, Any] | None = None) -> str:
    """approve, refuse or withdraw."""
    return change_state(change, transition, actor=actor, action=action, proposal=proposal, note=note, data=data,
                        illegal=illegal, transition_kwargs=transition_kwargs,
                        update_fields=["decided_by", "decided_at", "decision_note"])


def transition_patent(*, patent: Patent, transition: str, actor, action: str, data: Mapping | None = None,
                      illegal: str | None = None, transition_kwargs: Mapping[str, Any] | None = None) -> str:
    """grant."""
    return change_state(patent, transition, actor=actor, action=action, proposal=patent.project.proposal,
                        data=data, illegal=illegal, transition_kwargs=transition_kwargs,
                        update_fields=["granted_on"])
