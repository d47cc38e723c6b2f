"""Payments and returns against a proposal's commitment (used by incubation's tranches). The fund
row is locked (SELECT … FOR UPDATE) while the proposal's position is read and the entry written."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.numbers import money
from funding.enums import LedgerKind
from funding.models import Fund, LedgerEntry
from funding.selectors import proposal_position
from proposals.services.audit import record_audit


def lock_fund(proposal) -> Fund:
    """The proposal's call's fund, locked until the end of the transaction."""
    return Fund.objects.select_for_update().get(pk=proposal.call.fund_id)


def _existing(key):
    return LedgerEntry.objects.filter(idempotency_key=key).first() if key else None


def record_release(*, proposal, amount: Decimal, actor, reference: str, key: str) -> tuple[LedgerEntry, bool]:
    """Pay `amount` out of the proposal's commitment, at most once per `key`.

    Returns (entry, created): a second call with the same key (a double click, a retried job)
    returns the first payment and writes nothing. Runs under the fund lock."""
    amount = Decimal(amount)
    if not reference.strip():
        raise InvalidInput(_("Enter the payment reference (for example the bank voucher number)."))
    with transaction.atomic():
        fund = lock_fund(proposal)
        existing = _existing(key)
        if existing is not None:
            return existing, False
        outstanding = proposal_position(proposal=proposal)["outstanding"]
        if amount <= 0 or amount > outstanding:
            raise InvalidInput(
                _("Only %(outstanding)s %(currency)s of this proposal's commitment is unpaid; %(amount)s cannot be released.")
                % {"outstanding": money(outstanding), "currency": fund.currency, "amount": money(amount)})
        entry = LedgerEntry.objects.create(fund=fund, kind=LedgerKind.RELEASE, amount=amount, proposal=proposal,
                                           reference=reference.strip(), idempotency_key=key, actor=actor)
        record_audit(action="funding.released", proposal=proposal, actor=actor, note=reference,
                     data={"amount": str(amount), "fund": fund.pk, "ledger_entry": entry.pk, "key": key})
    return entry, True


def return_unpaid(*, proposal, actor, reason: str, key: str) -> LedgerEntry | None:
    """Return the proposal's unpaid commitment to the fund (once per `key`); None when nothing is unpaid."""
    with transaction.atomic():
        fund = lock_fund(proposal)
        existing = _existing(key)
        if existing is not None:
            return existing
        outstanding = proposal_position(proposal=proposal)["outstanding"]
        if outstanding <= 0:
            return None
        entry = LedgerEntry.objects.create(fund=fund, kind=LedgerKind.RETURN, amount=outstanding, proposal=proposal,
                                           reference=(proposal.reference or "")[:100], idempotency_key=key, actor=actor)
        record_audit(action="funding.returned", proposal=proposal, actor=actor, note=reason,
                     data={"amount": str(outstanding), "fund": fund.pk, "ledger_entry": entry.pk, "key": key})
    return entry
