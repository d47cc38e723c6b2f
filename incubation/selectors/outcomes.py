"""Reads for the outcomes page, the technology managers and their own page."""

from decimal import Decimal

from django.db.models import Count, Q, Sum

from funding.enums import Instrument
from funding.models import Fund
from funding.selectors import paid_to
from incubation.enums import PatentStatus
from incubation.models import (
    AnnualFigure,
    Company,
    FinancingRound,
    Kpi,
    Patent,
    Project,
    Settlement,
    TechContract,
    TechManagerAssignment,
)
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


def assignments_of(*, project):
    return TechManagerAssignment.objects.filter(project=project).select_related("manager").order_by("stage", "pk")



def projects_of_manager(*, manager):
    """The assignments of one technology manager with their projects (one query)."""
    return (TechManagerAssignment.objects.filter(manager=manager)
            .select_related("project__proposal", "project__manager").order_by("-assigned_at", "-pk"))


def outcome_totals(*, project) -> dict:
    """Company, financing raised, contract value registered, patents filed and granted (four queries)."""
    financing = FinancingRound.objects.filter(project=project).aggregate(total=Sum("amount"), rounds=Count("pk"))
    contracts = TechContract.objects.filter(project=project).aggregate(total=Sum("amount"), contracts=Count("pk"))
    patents = Patent.objects.filter(project=project).aggregate(
        filed=Count("pk"), granted=Count("pk", filter=Q(status=PatentStatus.GRANTED)))
    zero = Decimal("0.00")
    return {
        "company": Company.objects.filter(project=project).first(),
        "financing_total": financing["total"] or zero, "rounds": financing["rounds"],
        "contract_total": contracts["total"] or zero, "contracts": contracts["contracts"],
        "patents_filed": patents["filed"], "patents_granted": patents["granted"],
    }



def outcome_records(*, project) -> dict:
    """Every outcome row of the project, for the outcomes page."""
    return {
        "rounds": list(FinancingRound.objects.filter(project=project).select_related("recorded_by", "settlement")
                       .order_by("closed_on", "pk")),
        "patents": list(Patent.objects.filter(project=project).order_by("filed_on", "pk")),
        "contracts": list(TechContract.objects.filter(project=project).order_by("signed_on", "pk")),
        "figures": list(AnnualFigure.objects.filter(project=project).order_by("year")),
        "kpis": list(Kpi.objects.filter(project=project).select_related("milestone").order_by("due_date", "pk")),
    }


def invest_first_projects():
    """Every invest-first project with its agreement, settlement and the money paid (`paid_amount`),
    in one query."""
    return (Project.objects.filter(agreement__instrument=Instrument.INVEST_FIRST)
            .select_related("proposal", "agreement", "settlement", "settlement__financing_round")
            .annotate(paid_amount=paid_to("proposal"))
            .order_by("agreement__conversion_deadline", "pk"))



def settlement_of(project) -> Settlement | None:
    """The project's settlement or None (uses the select_related copy when there is one)."""
    try:
        return project.settlement
    except Settlement.DoesNotExist:
        return None
