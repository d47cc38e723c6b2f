"""Reads for the lifecycle pages: quarterly reports, the mid-term check, change requests and acceptance."""

import datetime as dt

from django.db.models import BooleanField, Case, F, IntegerField, Value, When
from django.utils import timezone

from incubation.enums import TO_WRITE, ChangeStatus, TrancheGate
from incubation.models import Acceptance, ChangeRequest, Kpi, MidtermCheck, ProgressReport, Tranche
from incubation.selectors.projects import project_with_details


def local_date(today) -> dt.date:
    """`today` as a local date: today when None, the local date of a datetime, a date as is."""
    if today is None:
        return timezone.localdate()
    if isinstance(today, dt.datetime):
        return timezone.localdate(today)
    return today


def project_with_agreement():
    return project_with_details().select_related("agreement")


def report_with_details():
    """Reports with their project, call, manager and people, flagged (overdue …) as on the lists."""
    return with_flags(ProgressReport.objects.select_related(
        "project", "project__proposal", "project__proposal__call", "project__manager", "submitted_by",
        "reviewed_by"))


def midterm_checks_of(*, project):
    return MidtermCheck.objects.filter(project=project).select_related("decided_by").order_by("decided_at", "pk")


def tranches_at_gate(*, project, gate: TrancheGate):
    """The project's tranches released at `gate` (mid-term check, acceptance …), in order, with their agreement."""
    return Tranche.objects.filter(agreement__project=project, gate=gate).select_related("agreement").order_by("order")


def budget_lines_of(*, project) -> list:
    """The budget lines of the project's agreement (prefetched on `project.agreement`), none without one."""
    agreement = getattr(project, "agreement", None)
    return list(agreement.budget_lines.all()) if agreement is not None else []


def change_with_details():
    return ChangeRequest.objects.select_related("project", "project__proposal", "requested_by", "decided_by")


def kpis_with_milestone(*, project):
    return Kpi.objects.filter(project=project).select_related("milestone").order_by("due_date", "pk")


def with_flags(queryset, today=None):
    """Reports annotated with `overdue` (still to write, past due) and `late` (submitted after the due date)."""
    today = local_date(today)
    return queryset.annotate(
        overdue=Case(When(status__in=TO_WRITE, due_on__lt=today, then=Value(True)), default=Value(False),
                     output_field=BooleanField()),
        late=Case(When(submitted_at__isnull=False, submitted_at__date__gt=F("due_on"), then=Value(True)),
                  default=Value(False), output_field=BooleanField()),
    )



def reports_overview(*, status: str = "", overdue: bool = False, today=None):
    """All reports for the managers' list, most urgent first, filtered by status and/or overdue."""
    today = local_date(today)
    reports = with_flags(ProgressReport.objects.select_related("project", "project__proposal",
                                                                "project__manager"), today)
    if status:
        reports = reports.filter(status=status)
    if overdue:
        reports = reports.filter(status__in=TO_WRITE, due_on__lt=today)
    return reports.order_by("due_on", "pk")



def reports_of(*, project, today=None):
    return with_flags(ProgressReport.objects.filter(project=project), today).order_by("-period_start", "-pk")


def changes_of(*, project):
    """The project's change requests, pending first, then the latest decided."""
    pending_first = Case(When(status=ChangeStatus.PENDING, then=Value(0)), default=Value(1),
                         output_field=IntegerField())
    return (ChangeRequest.objects.filter(project=project).select_related("requested_by", "decided_by")
            .order_by(pending_first, "-requested_at", "-pk"))


def rounds_of(*, project):
    return Acceptance.objects.filter(project=project).select_related("decided_by").order_by("round", "pk")


def latest_check(*, project) -> MidtermCheck | None:
    """The effective mid-term check of the project (the latest row), or None."""
    return (MidtermCheck.objects.filter(project=project).select_related("decided_by")
            .order_by("-decided_at", "-pk").first())
