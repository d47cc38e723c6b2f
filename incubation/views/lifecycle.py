"""The project's lifecycle pages: quarterly reports, the mid-term check, change requests and acceptance."""

from pathlib import PurePath

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.listing import build_listing
from core.views import render_domain_error, require_perm
from incubation.enums import TO_WRITE, AgreementStatus, ChangeStatus, ReportStatus, TrancheGate
from incubation.filters import ReportFilter
from incubation.forms.lifecycle import (
    AcceptanceForm,
    ChangeDecisionForm,
    ChangeRequestForm,
    MidtermForm,
    ReportForm,
    ReportReviewForm,
)
from incubation.rules import can_decide_change, can_edit_report, can_request_change, can_review_report
from incubation.selectors.agreement import gate_status
from incubation.selectors.lifecycle import (
    budget_lines_of,
    change_with_details,
    changes_of,
    kpis_with_milestone,
    latest_check,
    midterm_checks_of,
    project_with_agreement,
    report_with_details,
    reports_of,
    reports_overview,
    rounds_of,
    tranches_at_gate,
)
from incubation.selectors.projects import milestones_of
from incubation.services import (
    acceptance as acceptance_service,
    changes as change_service,
    midterm as midterm_service,
    reports as report_service,
)

REPORTS_TEMPLATE = "incubation/lifecycle/reports.html"
REPORT_TEMPLATE = "incubation/lifecycle/report.html"
MIDTERM_TEMPLATE = "incubation/lifecycle/midterm.html"
CHANGE_FORM_TEMPLATE = "incubation/lifecycle/change_form.html"
CHANGE_TEMPLATE = "incubation/lifecycle/change.html"
ACCEPTANCE_TEMPLATE = "incubation/lifecycle/acceptance.html"


def _project(pk):
    return get_object_or_404(project_with_agreement(), pk=pk)


def _is_signed(project) -> bool:
    agreement = getattr(project, "agreement", None)
    return agreement is not None and agreement.status == AgreementStatus.SIGNED


def _form_error(request, template, context):
    messages.error(request, _("Please correct the errors below."))
    return render(request, template, context, status=400)


# the project page's card

def card_context(request, project) -> dict:
    """Context for incubation/_lifecycle_card.html on the project page (five queries)."""
    user = request.user
    today = timezone.localdate()
    reports = list(reports_of(project=project, today=today))
    to_write = sorted((r for r in reports if r.status in TO_WRITE), key=lambda r: (r.due_on, r.pk))
    latest_midterm = latest_check(project=project)
    changes = list(changes_of(project=project))
    rounds = list(rounds_of(project=project))
    can_manage = user.has_perm("incubation.manage_project", project)
    return {"lifecycle": {
        "reports": reports,
        "next_report": to_write[0] if to_write else None,
        "overdue_count": sum(1 for r in reports if r.overdue),
        "to_review": [r for r in reports if r.status == ReportStatus.SUBMITTED],
        "is_team": user.has_perm("incubation.submit_report", project),
        "can_manage": can_manage,
        "midterm": latest_midterm,
        "can_midterm": can_manage and not midterm_service.midterm_problem(project=project, latest=latest_midterm),
        "changes": changes,
        "pending_changes": [c for c in changes if c.status == ChangeStatus.PENDING],
        "can_request_change": can_request_change(user, project),
        "can_decide_change": user.has_perm("incubation.decide_change", project),
        "rounds": rounds,
        "can_accept": can_manage and not acceptance_service.acceptance_problem(project=project),
        "signed": _is_signed(project),
        "user_pk": user.pk,
    }}


# quarterly reports

def reports(request):
    require_perm(request.user, "incubation.manage_project")
    listing = build_listing(request, filterset_class=ReportFilter, queryset=reports_overview())
    return render(request, REPORTS_TEMPLATE, {"listing": listing, "reports": listing.rows})


def _report(pk):
    return get_object_or_404(report_with_details(), pk=pk)


def _report_context(request, report, *, form=None, review_form=None):
    user, project = request.user, report.project
    can_edit = can_edit_report(user, report)
    can_review = can_review_report(user, report)
    return {
        "report": report, "project": project, "can_edit": can_edit, "can_review": can_review,
        "form": form or (ReportForm.for_report(report, prefix="report") if can_edit else None),
        "review_form": review_form or (ReportReviewForm(prefix="review") if can_review else None),
    }


def report(request, pk):
    report = _report(pk)
    require_perm(request.user, "incubation.view_project", report.project)
    return render(request, REPORT_TEMPLATE, _report_context(request, report))


@require_POST
def report_save(request, pk):
    report = _report(pk)
    require_perm(request.user, "incubation.submit_report", report.project)
    form = ReportForm(request.POST, request.FILES, prefix="report")
    if not form.is_valid():
        return _form_error(request, REPORT_TEMPLATE, _report_context(request, report, form=form))
    submit = "submit" in request.POST
    data = form.cleaned_data
    try:
        report_service.save_report(report=report, actor=request.user, summary=data["summary"],
                                   problems=data["problems"], next_steps=data["next_steps"], spent=data["spent"],
                                   attachment=data["attachment"] or None, submit=submit)
    except DomainError as exc:
        return render_domain_error(request, exc, REPORT_TEMPLATE, _report_context(request, report, form=form))
    messages.success(request, _("The report was submitted.") if submit else _("The draft was saved."))
    return redirect("incubation:report", pk=report.pk)


@require_POST
def report_review(request, pk):
    report = _report(pk)
    require_perm(request.user, "incubation.manage_project", report.project)
    form = ReportReviewForm(request.POST, prefix="review")
    if not form.is_valid():
        return _form_error(request, REPORT_TEMPLATE, _report_context(request, report, review_form=form))
    accept = form.cleaned_data["decision"] == "accept"
    try:
        report_service.review_report(report=report, actor=request.user, accept=accept, note=form.cleaned_data["note"])
    except DomainError as exc:
        return render_domain_error(request, exc, REPORT_TEMPLATE, _report_context(request, report, review_form=form))
    messages.success(request, _("The report was accepted.") if accept else _("The report was returned to the team."))
    return redirect("incubation:report", pk=report.pk)


def report_attachment(request, pk):
    report = _report(pk)
    require_perm(request.user, "incubation.view_project", report.project)
    if not report.attachment:
        raise Http404
    name = report.attachment_name or PurePath(report.attachment.name).name
    return FileResponse(report.attachment.open("rb"), as_attachment=True, filename=name)


# mid-term check

def _midterm_context(project, *, form=None):
    latest = latest_check(project=project)
    return {
        "project": project,
        "checks": midterm_checks_of(project=project),
        "problem": midterm_service.midterm_problem(project=project, latest=latest),
        "form": form or MidtermForm(prefix="midterm"),
        "tranches": tranches_at_gate(project=project, gate=TrancheGate.MIDTERM),
    }


def midterm(request, pk):
    project = _project(pk)
    require_perm(request.user, "incubation.manage_project", project)
    if request.method != "POST":
        return render(request, MIDTERM_TEMPLATE, _midterm_context(project))
    form = MidtermForm(request.POST, prefix="midterm")
    if not form.is_valid():
        return _form_error(request, MIDTERM_TEMPLATE, _midterm_context(project, form=form))
    data = form.cleaned_data
    try:
        check = midterm_service.record_midterm_check(project=project, actor=request.user, outcome=data["outcome"],
                                                     findings=data["findings"], adjustments=data["adjustments"])
    except DomainError as exc:
        return render_domain_error(request, exc, MIDTERM_TEMPLATE, _midterm_context(project, form=form))
    messages.success(request, _("Mid-term check recorded: %(outcome)s.") % {"outcome": check.get_outcome_display()})
    return redirect("incubation:project", pk=project.pk)


# change requests

def change_new(request, pk):
    project = _project(pk)
    require_perm(request.user, "incubation.request_change", project)
    context = {"project": project, "budget_lines": budget_lines_of(project=project),
               "max_months": change_service.MAX_EXTENSION_MONTHS}
    if request.method != "POST":
        return render(request, CHANGE_FORM_TEMPLATE, {**context, "form": ChangeRequestForm(prefix="change")})
    form = ChangeRequestForm(request.POST, prefix="change")
    context["form"] = form
    if not form.is_valid():
        return _form_error(request, CHANGE_FORM_TEMPLATE, context)
    data = form.cleaned_data
    try:
        change_service.request_change(project=project, actor=request.user, kind=data["kind"], reason=data["reason"],
                                      from_category=data["from_category"], to_category=data["to_category"],
                                      amount=data["amount"], new_end_date=data["new_end_date"])
    except DomainError as exc:
        return render_domain_error(request, exc, CHANGE_FORM_TEMPLATE, context)
    messages.success(request, _("The change request was filed; an incubation manager will decide it."))
    return redirect("incubation:project", pk=project.pk)


def _change(pk):
    return get_object_or_404(change_with_details(), pk=pk)


def _change_context(request, change, *, form=None):
    user = request.user
    pending = change.status == ChangeStatus.PENDING
    can_decide = can_decide_change(user, change)
    return {
        "change": change, "project": change.project, "pending": pending,
        "can_decide": can_decide, "own_request": pending and user.pk == change.requested_by_id,
        "form": form or (ChangeDecisionForm(prefix="decision") if can_decide else None),
        "budget_lines": budget_lines_of(project=change.project),
    }


def change(request, pk):
    change = _change(pk)
    require_perm(request.user, "incubation.view_project", change.project)
    return render(request, CHANGE_TEMPLATE, _change_context(request, change))


@require_POST
def change_decide(request, pk):
    change = _change(pk)
    require_perm(request.user, "incubation.decide_change", change.project)
    form = ChangeDecisionForm(request.POST, prefix="decision")
    if not form.is_valid():
        return _form_error(request, CHANGE_TEMPLATE, _change_context(request, change, form=form))
    approve = form.cleaned_data["decision"] == "approve"
    try:
        change_service.decide_change(change=change, actor=request.user, approve=approve, note=form.cleaned_data["note"])
    except DomainError as exc:
        return render_domain_error(request, exc, CHANGE_TEMPLATE, _change_context(request, change, form=form))
    messages.success(request, _("The change was approved and applied.") if approve else _("The change was refused."))
    return redirect("incubation:change", pk=change.pk)


@require_POST
def change_withdraw(request, pk):
    change = _change(pk)
    require_perm(request.user, "incubation.view_project", change.project)
    project = change.project
    try:
        change_service.withdraw_change(change=change, actor=request.user)
    except DomainError as exc:
        return render_domain_error(request, exc, CHANGE_TEMPLATE, _change_context(request, change))
    messages.success(request, _("The change request was withdrawn."))
    return redirect("incubation:project", pk=project.pk)


# final acceptance

def _acceptance_context(project, *, form=None):
    retained = list(tranches_at_gate(project=project, gate=TrancheGate.ACCEPTANCE))
    return {
        "project": project,
        "rounds": rounds_of(project=project),
        "kpis": kpis_with_milestone(project=project),
        "milestones": milestones_of(project=project),
        "retained": [(t, gate_status(t)[0]) for t in retained],
        "problem": acceptance_service.acceptance_problem(project=project),
        "form": form or AcceptanceForm(prefix="acceptance",
                                       outcomes=acceptance_service.allowed_outcomes(project)),
    }


def acceptance(request, pk):
    project = _project(pk)
    require_perm(request.user, "incubation.manage_project", project)
    if request.method != "POST":
        return render(request, ACCEPTANCE_TEMPLATE, _acceptance_context(project))
    form = AcceptanceForm(request.POST, prefix="acceptance", outcomes=acceptance_service.allowed_outcomes(project))
    if not form.is_valid():
        return _form_error(request, ACCEPTANCE_TEMPLATE, _acceptance_context(project, form=form))
    data = form.cleaned_data
    try:
        record = acceptance_service.record_acceptance(
            project=project, actor=request.user, outcome=data["outcome"], findings=data["findings"],
            rectification_deadline=data["rectification_deadline"])
    except DomainError as exc:
        return render_domain_error(request, exc, ACCEPTANCE_TEMPLATE, _acceptance_context(project, form=form))
    messages.success(request, _("Acceptance round %(round)s recorded: %(outcome)s.")
                     % {"round": record.round, "outcome": record.get_outcome_display()})
    return redirect("incubation:project", pk=project.pk)
