"""Reads for the outcomes page, the technology managers and their own page."""

from funding.models import Fund
from incubation.models import Company, TechManagerAssignment
from incubation.services.commissions import ledger_rows


def company_of(*, project) -> Company | None:
    return Company.objects.filter(project=project).first()


def assignment_with_project():
    return TechManagerAssignment.objects.select_related("project__proposal")


def commission_balances(*, manager) -> list[dict]:
    """The manager's commission balance per fund (commissions.ledger_rows), each row with its `fund`."""
    rows = ledger_rows(manager=manager)
    funds = Fund.objects.in_bulk({row["fund_id"] for row in rows})
    for row in rows:
        row["fund"] = funds[row["fund_id"]]
    return rows
