"""Read-only pages about funds: balances, the ledger and the funding decisions."""

from decimal import Decimal

from django.shortcuts import get_object_or_404, render

from core.views import require_perm
from funding.selectors import balance_of, fund_decisions, fund_ledger, funds_overview, funds_with_balances


class Money:
    """A Decimal amount with its currency; renders as `1,234,567.89 CNY`."""

    __slots__ = ("amount", "currency")

    def __init__(self, amount: Decimal, currency: str):
        self.amount = amount
        self.currency = currency

    def __str__(self):
        return f"{self.amount:,.2f} {self.currency}"

    def __eq__(self, other):
        return isinstance(other, Money) and (self.amount, self.currency) == (other.amount, other.currency)

    def __repr__(self):
        return f"Money({self.amount!r}, {self.currency!r})"


def _balances(balance, currency):
    return {key: Money(balance[key], currency) for key in ("size", "committed", "paid", "available", "outstanding")}


def funds(request):
    require_perm(request.user, "funding.view_funds")
    rows = [
        {"fund": fund, "decision_count": fund.decision_count, "threshold": Money(fund.four_eyes_threshold, fund.currency),
         **_balances(balance_of(fund), fund.currency)}
        for fund in funds_overview()
    ]
    return render(request, "funding/funds.html", {"rows": rows})


def fund(request, pk):
    require_perm(request.user, "funding.view_funds")
    fund = get_object_or_404(funds_with_balances(), pk=pk)
    entries = list(fund_ledger(fund=fund))
    for entry in entries:
        entry.money = Money(entry.amount, fund.currency)
    decisions = list(fund_decisions(fund=fund))
    for decision in decisions:
        decision.money = Money(decision.amount, fund.currency) if decision.amount is not None else None
    return render(request, "funding/fund.html", {
        "fund": fund,
        "balance": _balances(balance_of(fund), fund.currency),
        "threshold": Money(fund.four_eyes_threshold, fund.currency),
        "entries": entries,
        "decisions": decisions,
    })
