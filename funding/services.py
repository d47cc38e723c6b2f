"""Funding decisions. The fund row is locked (SELECT … FOR UPDATE) while the balance is
checked and the commitment written, so concurrent approvals can never over-commit a fund."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from funding.enums import FundingOutcome, Instrument, LedgerKind
from funding.models import Fund, FundingDecision, LedgerEntry
from funding.selectors import fund_balance
from proposals.enums import Transition
from proposals.exceptions import InvalidInput, NotPermitted
from proposals.rules import is_funder
from proposals.services.audit import record_audit
from proposals.services.transition import transition_proposal


def approve_funding(*, proposal, amount: Decimal, decided_by, instrument: str = Instrument.GRANT, note: str = "") -> FundingDecision:
    if not is_funder(decided_by):
        raise NotPermitted()
    fund_id = proposal.call.fund_id
    if fund_id is None:
        raise InvalidInput(_("The call draws on no fund; attach a fund to the call first."))
    amount = Decimal(amount)
    if amount <= 0:
        raise InvalidInput(_("The amount must be positive."))
    if proposal.requested_amount is not None and amount > proposal.requested_amount:
        raise InvalidInput(_("The amount may not exceed the %(requested)s requested.") % {"requested": f"{proposal.requested_amount:,.2f}"})
    with transaction.atomic():
        fund = Fund.objects.select_for_update().get(pk=fund_id)
        available = fund_balance(fund)["available"]
        if amount > available:
            raise InvalidInput(
                _("The fund has only %(available)s %(currency)s uncommitted; %(amount)s cannot be approved.")
                % {"available": f"{available:,.2f}", "currency": fund.currency, "amount": f"{amount:,.2f}"}
            )
        decision = FundingDecision.objects.create(
            proposal=proposal, fund=fund, outcome=FundingOutcome.APPROVED, instrument=Instrument(instrument),
            amount=amount, reasons=note, decided_by=decided_by,
        )
        LedgerEntry.objects.create(fund=fund, kind=LedgerKind.COMMITMENT, amount=amount, proposal=proposal,
                                   actor=decided_by, reference=proposal.reference or "")
        record_audit(action="funding.approved", proposal=proposal, actor=decided_by, note=note,
                     data={"amount": str(amount), "fund": fund.pk, "instrument": decision.instrument})
        transition_proposal(proposal=proposal, transition=Transition.FUND, actor=decided_by, note=note)
    return decision


def decline_funding(*, proposal, reasons: str, decided_by) -> FundingDecision:
    if not is_funder(decided_by):
        raise NotPermitted()
    if not reasons.strip():
        raise InvalidInput(_("Give the reasons for declining."))
    with transaction.atomic():
        decision = FundingDecision.objects.create(
            proposal=proposal, fund_id=proposal.call.fund_id, outcome=FundingOutcome.DECLINED,
            reasons=reasons, decided_by=decided_by,
        )
        record_audit(action="funding.declined", proposal=proposal, actor=decided_by, note=reasons)
        transition_proposal(proposal=proposal, transition=Transition.DECLINE_FUNDING, actor=decided_by, note=reasons)
    return decision
