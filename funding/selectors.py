"""Reads about funds. The ledger arithmetic lives here only:

- committed = commitments − returns
- paid = releases
- available = size − committed
- outstanding = committed − paid (committed but not yet paid out)
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, DecimalField, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from funding.enums import ApprovalDecision, CommissionEntryKind, LedgerKind
from funding.models import (
    CommissionEntry,
    CommissionRule,
    EligibilityFacts,
    EligibilityRule,
    Fund,
    FundingApproval,
    FundingDecision,
    LedgerEntry,
)
from funding.services.commission_formulas import CENT

MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)


def _sum(kind):
    return Coalesce(Sum("ledger__amount", filter=Q(ledger__kind=kind)), ZERO)


def _money(expression):
    return ExpressionWrapper(expression, output_field=MONEY)


def funds_with_balances():
    """Funds annotated with `committed`, `paid`, `available` and `outstanding` (one query)."""
    return (
        Fund.objects.annotate(
            committed_gross=_sum(LedgerKind.COMMITMENT),
            returned=_sum(LedgerKind.RETURN),
            paid=_sum(LedgerKind.RELEASE),
        )
        .annotate(committed=_money(F("committed_gross") - F("returned")))
        .annotate(available=_money(F("size") - F("committed")), outstanding=_money(F("committed") - F("paid")))
        .order_by("name_zh", "pk")
    )


def funds_overview():
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


def balance_of(row) -> dict:
    """The ledger amounts of a row of funds_with_balances(), as exact Decimals."""
    quantum = Decimal("0.01")
    return {
        "size": row.size,
        "committed": Decimal(row.committed).quantize(quantum),
        "paid": Decimal(row.paid).quantize(quantum),
        "available": Decimal(row.available).quantize(quantum),
        "outstanding": Decimal(row.outstanding).quantize(quantum),
    }


def fund_balance(fund) -> dict:
    """Size, committed, paid, available and outstanding of one fund, read from the ledger."""
    return balance_of(funds_with_balances().get(pk=fund.pk))


def fund_ledger(*, fund):
    return LedgerEntry.objects.filter(fund=fund).select_related("proposal", "actor").order_by("created_at", "pk")


def fund_decisions(*, fund):
    return FundingDecision.objects.filter(fund=fund).select_related("proposal", "decided_by").order_by("-decided_at", "-pk")


def pending_approval(*, proposal):
    """The first approval waiting for a second approver, or None.

    It is pending while it is the proposal's latest four-eyes row and is itself a first approval.
    """
    latest = (
        FundingApproval.objects.filter(proposal=proposal).select_related("approver", "fund")
        .order_by("-created_at", "-pk").first()
    )
    if latest is not None and latest.decision == ApprovalDecision.APPROVE and latest.confirms_id is None:
        return latest
    return None


def approvals_of(*, proposal):
    return FundingApproval.objects.filter(proposal=proposal).select_related("approver").order_by("created_at", "pk")


def proposal_position(*, proposal) -> dict:
    """Committed (commitments − returns), paid (releases) and outstanding for one proposal."""
    sums = LedgerEntry.objects.filter(proposal=proposal).aggregate(
        commitments=Coalesce(Sum("amount", filter=Q(kind=LedgerKind.COMMITMENT)), ZERO),
        returns=Coalesce(Sum("amount", filter=Q(kind=LedgerKind.RETURN)), ZERO),
        releases=Coalesce(Sum("amount", filter=Q(kind=LedgerKind.RELEASE)), ZERO),
    )
    quantum = Decimal("0.01")
    committed = Decimal(sums["commitments"] - sums["returns"]).quantize(quantum)
    paid = Decimal(sums["releases"]).quantize(quantum)
    return {"committed": committed, "paid": paid, "outstanding": committed - paid}


def paid_to(proposal_ref: str = "proposal"):
    """An annotation: the sum of releases (payments) to the proposal at `proposal_ref` of the outer
    queryset, 0.00 when nothing was paid. One subquery, no join, so lists stay one query."""
    releases = (LedgerEntry.objects.filter(proposal=OuterRef(proposal_ref), kind=LedgerKind.RELEASE).order_by()
                .values("proposal").annotate(total=Sum("amount")).values("total"))
    return Coalesce(Subquery(releases, output_field=MONEY), ZERO)


# eligibility


def facts_of(proposal) -> EligibilityFacts | None:
    return EligibilityFacts.objects.filter(proposal=proposal).select_related("recorded_by").first()


def rules_of(call):
    return EligibilityRule.objects.filter(call=call).order_by("order", "pk")


# the technology managers' commission ledger


def _commission_sum(kind):
    return Coalesce(Sum("amount", filter=Q(kind=kind)), ZERO)


def commission_balance(*, manager, fund=None) -> dict:
    """Accrued, paid and payable (accrued − paid) of one manager, in one fund or in all."""
    entries = CommissionEntry.objects.filter(manager=manager)
    if fund is not None:
        entries = entries.filter(fund=fund)
    sums = entries.aggregate(accrued=_commission_sum(CommissionEntryKind.ACCRUAL),
                             paid=_commission_sum(CommissionEntryKind.PAYMENT))
    accrued, paid = Decimal(sums["accrued"]).quantize(CENT), Decimal(sums["paid"]).quantize(CENT)
    return {"accrued": accrued, "paid": paid, "payable": accrued - paid}


def ledger_rows(*, manager=None):
    """Accrued, paid and payable per (manager, fund), one query. Each row is a dict with
    manager_id, fund_id, accrued, paid, payable."""
    entries = CommissionEntry.objects.all()
    if manager is not None:
        entries = entries.filter(manager=manager)
    rows = (entries.order_by().values("manager_id", "fund_id")
            .annotate(accrued=_commission_sum(CommissionEntryKind.ACCRUAL),
                      paid=_commission_sum(CommissionEntryKind.PAYMENT))
            .order_by("manager_id", "fund_id"))
    result = []
    for row in rows:
        accrued = Decimal(row["accrued"]).quantize(CENT)
        paid = Decimal(row["paid"]).quantize(CENT)
        result.append({**row, "accrued": accrued, "paid": paid, "payable": accrued - paid})
    return result


def commission_ledger_rows():
    """`ledger_rows()` of every manager, each row with its `manager` and `fund` (three queries)."""
    rows = ledger_rows()
    users = get_user_model().objects.in_bulk({row["manager_id"] for row in rows})
    funds = Fund.objects.in_bulk({row["fund_id"] for row in rows})
    for row in rows:
        row["manager"], row["fund"] = users[row["manager_id"]], funds[row["fund_id"]]
    return rows


def commission_rules(*, fund=None):
    """Commission rules with their fund, active first and newest first; of one fund when given."""
    rules = CommissionRule.objects.select_related("fund")
    if fund is not None:
        rules = rules.filter(fund=fund)
    return rules.order_by("-active", "-created_at", "-pk")


def ledger_entries(*, manager=None, fund=None):
    entries = CommissionEntry.objects.select_related("manager", "fund", "proposal", "rule", "actor")
    if manager is not None:
        entries = entries.filter(manager=manager)
    if fund is not None:
        entries = entries.filter(fund=fund)
    return entries.order_by("-created_at", "-pk")
