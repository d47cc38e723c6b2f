"""Reads for the agreement (任务书) page, its card on the project page and the disbursement queue."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from incubation.enums import TrancheStatus
from incubation.models import Agreement, Tranche


def agreement_with_details():
    """Agreements with their project, call, manager and the people who issued and recorded them."""
    return Agreement.objects.select_related("project__proposal__call", "project__manager", "issued_by",
                                            "signed_recorded_by")


def agreement_of(*, project) -> Agreement | None:
    return Agreement.objects.filter(project=project).first()


def tranche_with_agreement():
    return Tranche.objects.select_related("agreement__project")


def tranche_counts(*, agreement) -> dict:
    """{"total": n, "released": m} of the agreement's tranches, in one query."""
    return Tranche.objects.filter(agreement=agreement).aggregate(
        total=Count("pk"), released=Count("pk", filter=Q(status=TrancheStatus.RELEASED)))


@dataclass(frozen=True)
class BudgetBalance:
    """The budget's running total against the agreement's amount."""

    total: Decimal
    difference: Decimal
    balanced: bool


def budget_balance(*, agreement, amounts) -> BudgetBalance:
    """The total of the budget lines' amounts (missing ones count as zero), what is left to
    allocate of the agreement's amount, and whether the two are equal."""
    total = Decimal("0")
    for amount in amounts:
        total += amount or Decimal("0")
    return BudgetBalance(total=total, difference=agreement.amount - total, balanced=total == agreement.amount)
