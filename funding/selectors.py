from decimal import Decimal

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from funding.enums import LedgerKind
from funding.models import Fund

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=16, decimal_places=2))


def _sum(kind):
    return Coalesce(Sum("ledger__amount", filter=Q(ledger__kind=kind)), ZERO)


def funds_with_balances():
    """Funds annotated with committed, returned, paid and available amounts."""
    return Fund.objects.annotate(
        committed_gross=_sum(LedgerKind.COMMITMENT),
        returned=_sum(LedgerKind.RETURN),
        paid=_sum(LedgerKind.RELEASE),
    ).order_by("name_zh", "pk")


def fund_balance(fund) -> dict:
    row = funds_with_balances().get(pk=fund.pk)
    committed = row.committed_gross - row.returned
    return {"size": fund.size, "committed": committed, "paid": row.paid, "available": fund.size - committed}
