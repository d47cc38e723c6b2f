"""Tranches: their gates, releasing one (idempotently), and returning a stopped project's unpaid money.

A tranche is paid only when its gate is met:
- signature: the agreement's signed copy has been uploaded;
- milestone: its milestone has been accepted;
- midterm: the latest mid-term check says continue or adjust;
- acceptance: the latest acceptance round says pass.
The ledger write is keyed `tranche:<pk>:release`, so a double click or a retried job pays once.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.rules import is_fund_manager
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from funding.services import ledger as funding_services
from incubation.enums import (
    AcceptanceOutcome,
    AgreementStatus,
    MidtermOutcome,
    MilestoneStatus,
    ProjectStatus,
    TrancheGate,
    TrancheStatus,
)
from incubation.models import Acceptance, MidtermCheck, Tranche
from incubation.services.transitions import cancel_tranches, transition_tranche


def _prefetched(project, name) -> bool:
    return name in getattr(project, "_prefetched_objects_cache", {})


def _latest(project, name, key):
    """The latest of a prefetched relation (lists of many projects read the gates without a query each)."""
    rows = getattr(project, name).all()
    return max(rows, key=key) if rows else None


def gate_status(tranche) -> tuple[bool, str]:
    """(met, why not) for a tranche's gate, read from the project's records. When the project's
    `midterm_checks` / `acceptances` are prefetched (see agreement.tranche_queue) no query is made."""
    agreement = tranche.agreement
    project = agreement.project
    if agreement.status != AgreementStatus.SIGNED:
        return False, _("The agreement has not been signed yet.")
    if tranche.gate == TrancheGate.SIGNATURE:
        return True, ""
    if tranche.gate == TrancheGate.MILESTONE:
        milestone = tranche.milestone
        if milestone is None or milestone.status != MilestoneStatus.ACCEPTED:
            return False, _("The milestone “%(milestone)s” has not been accepted yet.") % {
                "milestone": milestone.title if milestone else "—"}
        return True, ""
    if tranche.gate == TrancheGate.MIDTERM:
        check = _latest(project, "midterm_checks", lambda c: (c.decided_at, c.pk)) if _prefetched(project, "midterm_checks") \
            else MidtermCheck.objects.filter(project=project).order_by("-decided_at", "-pk").first()
        if check is None or check.outcome not in (MidtermOutcome.CONTINUE, MidtermOutcome.ADJUST):
            return False, _("The mid-term check has not been passed yet.")
        return True, ""
    if tranche.gate == TrancheGate.ACCEPTANCE:
        latest = _latest(project, "acceptances", lambda a: (a.round, a.pk)) if _prefetched(project, "acceptances") \
            else Acceptance.objects.filter(project=project).order_by("-round", "-pk").first()
        if latest is None or latest.outcome != AcceptanceOutcome.PASS:
            return False, _("Final acceptance has not been passed yet.")
        return True, ""
    return False, _("Unknown gate.")


def release_tranche(*, tranche, actor, reference: str) -> tuple[Tranche, bool]:
    """Pay a tranche whose gate is met. Returns (tranche, released now); releasing a released
    tranche again returns it unchanged (False) and pays nothing."""
    if not is_fund_manager(actor):
        raise NotPermitted()
    with transaction.atomic():
        # lock the tranche row only: the milestone is an outer join, which PostgreSQL cannot lock
        tranche = (Tranche.objects.select_for_update(of=("self",))
                   .select_related("agreement__project__proposal__call", "milestone").get(pk=tranche.pk))
        if tranche.status == TrancheStatus.RELEASED:
            return tranche, False
        if tranche.status == TrancheStatus.CANCELLED:
            raise IllegalTransition(_("This tranche was cancelled and its money returned to the fund."))
        project = tranche.agreement.project
        if project.status == ProjectStatus.TERMINATED or (
                project.status == ProjectStatus.GRADUATED and tranche.gate != TrancheGate.ACCEPTANCE):
            raise IllegalTransition(_("The project is closed."))
        met, why = gate_status(tranche)
        if not met:
            raise InvalidInput(_("This tranche cannot be released yet: %(reason)s") % {"reason": why})
        proposal = project.proposal
        entry, _created = funding_services.record_release(
            proposal=proposal, amount=tranche.amount, actor=actor, reference=reference,
            key=f"tranche:{tranche.pk}:release")
        transition_tranche(tranche=tranche, transition="release", actor=actor, action="tranche.released",
                           proposal=proposal, note=entry.reference, transition_kwargs={"by": actor, "entry": entry},
                           data={"tranche": tranche.pk, "order": tranche.order, "amount": str(tranche.amount),
                                 "gate": tranche.gate, "ledger_entry": entry.pk})
    return tranche, True


def return_unpaid(*, project, actor, reason: str):
    """Cancel the project's planned tranches and return the unpaid commitment to the fund (once).
    Call inside the transaction that stops or fails the project. Returns the ledger entry or None."""
    proposal = project.proposal
    planned = list(Tranche.objects.select_for_update().filter(agreement__project=project, status=TrancheStatus.PLANNED))
    # the unpaid commitment is read from the ledger, not from the tranches
    entry = funding_services.return_unpaid(proposal=proposal, actor=actor, reason=reason, key=f"project:{project.pk}:return")
    cancel_tranches(tranches=planned, actor=actor, proposal=proposal, reason=reason,
                    data={"cancelled_tranches": [t.pk for t in planned],
                          "returned": str(entry.amount) if entry is not None else "0.00"})
    return entry
