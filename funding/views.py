"""Read-only pages about funds: balances, the ledger and the funding decisions."""

from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render

from funding.models import Fund, FundingDecision, LedgerEntry
from funding.selectors import fund_balance, funds_with_balances
from pocflow.views import require_perm


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


# Reads. These belong in funding/selectors.py; they live here until that module's owner
# takes them over (funds_with_balances() has no decision count yet).

def _funds_overview():
    """Funds with balances and their number of decisions, in one query.

    The count is a subquery: joining the decisions next to the ledger would multiply the sums.
    """
    decisions = (
        FundingDecision.objects.filter(fund=OuterRef("pk")).order_by().values("fund")
        .annotate(n=Count("pk")).values("n")
    )
    return funds_with_balances().annotate(
        decision_count=Coalesce(Subquery(decisions, output_field=IntegerField()), 0)
    )


def _ledger_of(fund):
    return LedgerEntry.objects.filter(fund=fund).select_related("proposal", "actor").order_by("created_at", "pk")


def _decisions_of(fund):
    return FundingDecision.objects.filter(fund=fund).select_related("proposal", "decided_by").order_by("-decided_at", "-pk")


def _balances(size, committed, paid, currency):
    return {
        "size": Money(size, currency),
        "committed": Money(committed, currency),
        "paid": Money(paid, currency),
        "available": Money(size - committed, currency),
    }


def funds(request):
    require_perm(request.user, "funding.view_funds")
    rows = [
        {
            "fund": fund,
            "decision_count": fund.decision_count,
            # same arithmetic as funding.selectors.fund_balance, from the annotated row
            **_balances(fund.size, fund.committed_gross - fund.returned, fund.paid, fund.currency),
        }
        for fund in _funds_overview()
    ]
    return render(request, "funding/funds.html", {"rows": rows})


def fund(request, pk):
    require_perm(request.user, "funding.view_funds")
    fund = get_object_or_404(Fund, pk=pk)
    balance = fund_balance(fund)
    entries = list(_ledger_of(fund))
    for entry in entries:
        entry.money = Money(entry.amount, fund.currency)
    decisions = list(_decisions_of(fund))
    for decision in decisions:
        decision.money = Money(decision.amount, fund.currency) if decision.amount is not None else None
    return render(request, "funding/fund.html", {
        "fund": fund,
        "balance": _balances(balance["size"], balance["committed"], balance["paid"], fund.currency),
        "entries": entries,
        "decisions": decisions,
    })
