"""Funding decisions. The fund row is locked (SELECT … FOR UPDATE) while the balance is
checked and the commitment written, so concurrent approvals can never over-commit a fund.

Four eyes: an amount strictly above the fund's threshold needs two different fund managers.
The first approval is recorded as pending (the proposal stays in funding); a second manager
confirms the same amount and instrument (the decision is taken) or refuses it with a reason
(the pending approval is void and a new one can be proposed)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, NotPermitted
from core.numbers import money
from funding.enums import ApprovalDecision, FundingChoice, FundingOutcome, Instrument, LedgerKind
from funding.models import FundingApproval, FundingDecision, LedgerEntry
from funding.selectors import fund_balance, pending_approval
from funding.services.deciders import check_may_decide
from funding.services.eligibility import check_eligible
from funding.services.ledger import lock_fund
from proposals.enums import Transition
from proposals.services.audit import record_audit
from proposals.services.transition import transition_proposal


def _check_amount(*, proposal, amount) -> Decimal:
    if proposal.call.fund_id is None:
        raise InvalidInput(_("The call draws on no fund; attach a fund to the call first."))
    amount = Decimal(amount)
    if amount <= 0:
        raise InvalidInput(_("The amount must be positive."))
    if proposal.requested_amount is not None and amount > proposal.requested_amount:
        raise InvalidInput(_("The amount may not exceed the %(requested)s requested.") % {"requested": money(proposal.requested_amount)})
    return amount


def _check_fund(*, fund, amount, instrument) -> None:
    """Under the fund lock: open period, allowed instrument, enough uncommitted money."""
    today = timezone.localdate()
    if not fund.is_open_on(today):
        raise InvalidInput(_("The fund %(fund)s is not open today: its period is %(period)s.")
                           % {"fund": fund.name, "period": f"{fund.starts_on:%Y-%m-%d} – {fund.ends_on:%Y-%m-%d}"
                              if fund.ends_on else f"{fund.starts_on:%Y-%m-%d} –"})
    if not fund.allows(instrument):
        raise InvalidInput(_("The fund %(fund)s may not use the instrument “%(instrument)s”.")
                           % {"fund": fund.name, "instrument": Instrument(instrument).label})
    available = fund_balance(fund)["available"]
    if amount > available:
        raise InvalidInput(
            _("The fund has only %(available)s %(currency)s uncommitted; %(amount)s cannot be approved.")
            % {"available": money(available), "currency": fund.currency, "amount": money(amount)}
        )


def _commit(*, proposal, fund, amount, instrument, decided_by, note) -> FundingDecision:
    decision = FundingDecision.objects.create(
        proposal=proposal, fund=fund, outcome=FundingOutcome.APPROVED, instrument=instrument,
        amount=amount, reasons=note, decided_by=decided_by,
    )
    LedgerEntry.objects.create(fund=fund, kind=LedgerKind.COMMITMENT, amount=amount, proposal=proposal,
                               actor=decided_by, reference=proposal.reference or "")
    record_audit(action="funding.approved", proposal=proposal, actor=decided_by, note=note,
                 data={"amount": str(amount), "fund": fund.pk, "instrument": decision.instrument})
    transition_proposal(proposal=proposal, transition=Transition.FUND, actor=decided_by, note=note)
    return decision


def _check_eligibility(*, proposal, instrument) -> None:
    """The call's eligibility rules that apply to the instrument must all be met (checked on the
    first approval and again on the confirmation: the facts may have changed in between)."""
    check_eligible(proposal=proposal, instrument=instrument)


def approve_funding(*, proposal, amount: Decimal, decided_by, instrument: str = Instrument.GRANT,
                    note: str = "") -> FundingDecision | FundingApproval:
    """Approve funding. Returns the FundingDecision when the decision is taken, or the pending
    FundingApproval when the amount is above the fund's threshold and a second approver is needed."""
    check_may_decide(proposal=proposal, user=decided_by)
    amount = _check_amount(proposal=proposal, amount=amount)
    if instrument not in Instrument.values:
        raise InvalidInput(_("Choose a valid instrument."))
    instrument = Instrument(instrument)
    with transaction.atomic():
        fund = lock_fund(proposal)
        _check_fund(fund=fund, amount=amount, instrument=instrument)
        _check_eligibility(proposal=proposal, instrument=instrument)
        pending = pending_approval(proposal=proposal)
        if pending is not None:
            if pending.approver_id == decided_by.pk:
                raise NotPermitted(_("You gave the first approval; a different fund manager must confirm it."))
            if (pending.amount, pending.instrument) != (amount, instrument):
                raise InvalidInput(
                    _("A first approval of %(amount)s %(currency)s as “%(instrument)s” is pending; confirm exactly that "
                      "or refuse it with a reason.")
                    % {"amount": money(pending.amount), "currency": fund.currency,
                       "instrument": pending.get_instrument_display()})
            FundingApproval.objects.create(proposal=proposal, fund=fund, approver=decided_by, amount=amount,
                                           instrument=instrument, decision=ApprovalDecision.APPROVE,
                                           reason=note, confirms=pending)
            record_audit(action="funding.approval_confirmed", proposal=proposal, actor=decided_by, note=note,
                         data={"amount": str(amount), "fund": fund.pk, "instrument": instrument,
                               "first_approval": pending.pk, "first_approver": pending.approver_id})
            return _commit(proposal=proposal, fund=fund, amount=amount, instrument=instrument,
                           decided_by=decided_by, note=note)
        if amount > fund.four_eyes_threshold:
            approval = FundingApproval.objects.create(proposal=proposal, fund=fund, approver=decided_by, amount=amount,
                                                      instrument=instrument, decision=ApprovalDecision.APPROVE,
                                                      reason=note)
            record_audit(action="funding.approval_recorded", proposal=proposal, actor=decided_by, note=note,
                         data={"amount": str(amount), "fund": fund.pk, "instrument": instrument,
                               "threshold": str(fund.four_eyes_threshold)})
            return approval
        return _commit(proposal=proposal, fund=fund, amount=amount, instrument=instrument,
                       decided_by=decided_by, note=note)


def refuse_funding_approval(*, proposal, refused_by, reason: str) -> FundingApproval:
    """A second fund manager refuses the pending first approval; it becomes void."""
    check_may_decide(proposal=proposal, user=refused_by)
    if not reason.strip():
        raise InvalidInput(_("Give the reason for refusing the approval."))
    with transaction.atomic():
        fund = lock_fund(proposal) if proposal.call.fund_id else None
        pending = pending_approval(proposal=proposal)
        if pending is None:
            raise InvalidInput(_("There is no pending approval to refuse."))
        if pending.approver_id == refused_by.pk:
            raise NotPermitted(_("You gave the first approval; a different fund manager must confirm or refuse it."))
        refusal = FundingApproval.objects.create(proposal=proposal, fund=fund or pending.fund, approver=refused_by,
                                                 amount=pending.amount, instrument=pending.instrument,
                                                 decision=ApprovalDecision.REFUSE, reason=reason, confirms=pending)
        record_audit(action="funding.approval_refused", proposal=proposal, actor=refused_by, note=reason,
                     data={"amount": str(pending.amount), "fund": pending.fund_id, "instrument": pending.instrument,
                           "first_approval": pending.pk, "first_approver": pending.approver_id})
    return refusal


def decline_funding(*, proposal, reasons: str, decided_by) -> FundingDecision:
    check_may_decide(proposal=proposal, user=decided_by)
    if not reasons.strip():
        raise InvalidInput(_("Give the reasons for declining."))
    with transaction.atomic():
        pending = pending_approval(proposal=proposal)
        if pending is not None:  # declining voids a first approval still waiting for its second approver
            FundingApproval.objects.create(proposal=proposal, fund=pending.fund, approver=decided_by, amount=pending.amount,
                                           instrument=pending.instrument, decision=ApprovalDecision.REFUSE,
                                           reason=reasons, confirms=pending)
            record_audit(action="funding.approval_voided", proposal=proposal, actor=decided_by, note=reasons,
                         data={"first_approval": pending.pk, "first_approver": pending.approver_id,
                               "amount": str(pending.amount)})
        decision = FundingDecision.objects.create(
            proposal=proposal, fund_id=proposal.call.fund_id, outcome=FundingOutcome.DECLINED,
            reasons=reasons, decided_by=decided_by,
        )
        record_audit(action="funding.declined", proposal=proposal, actor=decided_by, note=reasons)
        transition_proposal(proposal=proposal, transition=Transition.DECLINE_FUNDING, actor=decided_by, note=reasons)
    return decision


def take_funding_decision(*, proposal, decided_by, choice: str, amount: Decimal | None = None,
                          instrument: str = Instrument.GRANT, reasons: str = "") -> FundingDecision | FundingApproval:
    """The fund manager's decision in the funding task: approve (a decision, or a first approval
    waiting for its second approver), decline, or refuse the pending first approval (the refusal)."""
    if choice == FundingChoice.REFUSE:
        return refuse_funding_approval(proposal=proposal, refused_by=decided_by, reason=reasons)
    if choice == FundingChoice.APPROVE:
        if amount is None:
            raise InvalidInput(_("Enter the amount to approve."))
        return approve_funding(proposal=proposal, amount=amount, decided_by=decided_by, instrument=instrument,
                               note=reasons)
    if choice == FundingChoice.DECLINE:
        return decline_funding(proposal=proposal, reasons=reasons, decided_by=decided_by)
    raise ValueError(f"unknown funding choice {choice!r}")
