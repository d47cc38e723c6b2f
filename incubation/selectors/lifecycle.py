"""Reads for the lifecycle pages: quarterly reports, the mid-term check, change requests and acceptance."""

from incubation.enums import TrancheGate
from incubation.models import ChangeRequest, Kpi, MidtermCheck, ProgressReport, Tranche
from incubation.selectors.projects import project_with_details
from incubation.services.reports import with_flags


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
