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
    ProjectStatus,
    TrancheGate,
    TrancheStatus,
)
from incubation.models import Tranche
from incubation.selectors.agreement import gate_status
from incubation.services.transitions import cancel_tranches, transition_tranche


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
