"""A fund's money terms (size, currency) change only here: under the fund's row lock, never below what
the fund has committed, the currency never once money has moved, and each change audited."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.numbers import money
from funding.models import Fund, LedgerEntry
from funding.selectors import fund_balance
from proposals.services.audit import record_audit


class FundTermsRefused(DomainError):
    status = 409


def check_fund_terms(*, fund: Fund, size: Decimal, currency: str) -> Fund:
    """Lock the fund's row and refuse terms it cannot take; returns the locked, current fund. Call inside a
    transaction (the lock lasts until it commits)."""
    locked = Fund.objects.select_for_update().get(pk=fund.pk)
    if currency != locked.currency and LedgerEntry.objects.filter(fund=locked).exists():
        raise FundTermsRefused(_("The currency cannot change: money has already been committed or paid from this fund."))
    committed = fund_balance(locked)["committed"]
    if size < committed:
        raise FundTermsRefused(
            _("The fund cannot be smaller than what it has committed: %(committed)s %(currency)s.")
            % {"committed": money(committed), "currency": locked.currency})
    return locked


def change_fund_terms(*, fund: Fund, size: Decimal, currency: str, actor) -> Fund:
    with transaction.atomic():
        locked = check_fund_terms(fund=fund, size=size, currency=currency)
        if (locked.size, locked.currency) == (size, currency):
            return locked
        before = {"size": str(locked.size), "currency": locked.currency}
        locked.size, locked.currency = size, currency
        locked.save(update_fields=["size", "currency"])
        record_audit(action="fund.terms_changed", actor=actor,
                     data={"fund": locked.pk, "before": before, "after": {"size": str(size), "currency": currency}})
    fund.size, fund.currency = locked.size, locked.currency
    return locked
