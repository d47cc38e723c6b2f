"""Reads for the agreement (任务书) page, its card on the project page and the disbursement queue."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from incubation.enums import (
    AcceptanceOutcome,
    AgreementStatus,
    MidtermOutcome,
    MilestoneStatus,
    ProjectStatus,
    TrancheGate,
    TrancheStatus,
)
from incubation.models import Acceptance, Agreement, BudgetLine, Kpi, MidtermCheck, Milestone, Tranche


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


def tranche_queue(*, fund=None):
    """Tranches not yet paid of open projects (and the retained tranche of graduated ones), with
    everything `gate_status` reads loaded up front: the gate status costs no query per row."""
    queryset = (
        Tranche.objects.filter(status=TrancheStatus.PLANNED)
        .filter(Q(agreement__project__status__in=[ProjectStatus.ACTIVE, ProjectStatus.RECTIFICATION])
                | Q(agreement__project__status=ProjectStatus.GRADUATED, gate=TrancheGate.ACCEPTANCE))
        .select_related("agreement__project__proposal__call__fund", "milestone")
        .prefetch_related(Prefetch("agreement__project__midterm_checks", queryset=MidtermCheck.objects.order_by()),
                          Prefetch("agreement__project__acceptances", queryset=Acceptance.objects.order_by()))
        .order_by("agreement__project__started_at", "agreement__project__pk", "order")
    )
    if fund is not None:
        queryset = queryset.filter(agreement__project__proposal__call__fund=fund)
    return queryset



def tranches_of(*, agreement):
    """The agreement's tranches for its page, with what gate_status and the table read."""
    return (Tranche.objects.filter(agreement=agreement)
            .select_related("agreement__project", "milestone", "released_by", "ledger_entry")
            .prefetch_related(Prefetch("agreement__project__midterm_checks", queryset=MidtermCheck.objects.order_by()),
                              Prefetch("agreement__project__acceptances", queryset=Acceptance.objects.order_by()))
            .order_by("order"))



def milestones_for_page(*, project):
    return Milestone.objects.filter(project=project).select_related("accepted_by").order_by("due_date", "pk")



def kpis_of(*, project):
    return Kpi.objects.filter(project=project).select_related("milestone").order_by("due_date", "pk")



def budget_of(*, agreement):
    return BudgetLine.objects.filter(agreement=agreement).order_by("category")


def _prefetched(project, name) -> bool:
    return name in getattr(project, "_prefetched_objects_cache", {})



def _latest(project, name, key):
    """The latest of a prefetched relation (lists of many projects read the gates without a query each)."""
    rows = getattr(project, name).all()
    return max(rows, key=key) if rows else None



def gate_status(tranche) -> tuple[bool, str]:
    """(met, why not) for a tranche's gate, read from the project's records. When the project's
    `midterm_checks` / `acceptances` are prefetched (see agreement.tranche_queue) no query is made."""
    agreement = tranche.agreement
    project = agreement.project
    if agreement.status != AgreementStatus.SIGNED:
        return False, _("The agreement has not been signed yet.")
    if tranche.gate == TrancheGate.SIGNATURE:
        return True, ""
    if tranche.gate == TrancheGate.MILESTONE:
        milestone = tranche.milestone
        if milestone is None or milestone.status != MilestoneStatus.ACCEPTED:
            return False, _("The milestone “%(milestone)s” has not been accepted yet.") % {
                "milestone": milestone.title if milestone else "—"}
        return True, ""
    if tranche.gate == TrancheGate.MIDTERM:
        check = _latest(project, "midterm_checks", lambda c: (c.decided_at, c.pk)) if _prefetched(project, "midterm_checks") \
            else MidtermCheck.objects.filter(project=project).order_by("-decided_at", "-pk").first()
        if check is None or check.outcome not in (MidtermOutcome.CONTINUE, MidtermOutcome.ADJUST):
            return False, _("The mid-term check has not been passed yet.")
        return True, ""
    if tranche.gate == TrancheGate.ACCEPTANCE:
        latest = _latest(project, "acceptances", lambda a: (a.round, a.pk)) if _prefetched(project, "acceptances") \
            else Acceptance.objects.filter(project=project).order_by("-round", "-pk").first()
        if latest is None or latest.outcome != AcceptanceOutcome.PASS:
            return False, _("Final acceptance has not been passed yet.")
        return True, ""
    return False, _("Unknown gate.")
