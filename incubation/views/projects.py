
"""Incubation pages: the project list, a project's page, and the manager's two actions."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.listing import build_listing
from core.views import render_domain_error, require_perm
from incubation.enums import ProjectStatus
from incubation.filters import ProjectFilter
from incubation.forms.projects import CloseProjectForm, ProgressForm
from incubation.rules import can_see_project_list
from incubation.selectors.projects import milestones_of, progress_of, project_with_details, projects_overview
from incubation.services import close_project, record_progress
from incubation.views import agreement as views_agreement, lifecycle as views_lifecycle, outcomes as views_outcomes

DETAIL_TEMPLATE = "incubation/project.html"


def projects(request):
    require_perm(request.user, "incubation.view_projects")
    listing = build_listing(request, filterset_class=ProjectFilter, queryset=projects_overview())
    return render(request, "incubation/projects.html", {"listing": listing, "projects": listing.rows})


def _detail_context(request, project, *, progress_form=None, close_form=None):
    can_manage = request.user.has_perm("incubation.manage_project", project)
    return {
        "project": project,
        "milestones": milestones_of(project=project),
        "notes": progress_of(project=project),
        "can_manage": can_manage,
        "can_list": can_see_project_list(request.user),
        "can_view_proposal": request.user.has_perm("proposals.view_proposal", project.proposal),
        "is_active": project.is_open,
        "progress_form": progress_form or ProgressForm(project=project, prefix="progress"),
        "close_form": close_form or CloseProjectForm(prefix="close"),
        **views_agreement.card_context(request, project),
        **views_lifecycle.card_context(request, project),
        **views_outcomes.card_context(request, project),
    }


def _get_project(pk):
    return get_object_or_404(project_with_details(), pk=pk)


def project(request, pk):
    project = _get_project(pk)
    require_perm(request.user, "incubation.view_project", project)
    return render(request, DETAIL_TEMPLATE, _detail_context(request, project))


@require_POST
def progress(request, pk):
    project = _get_project(pk)
    require_perm(request.user, "incubation.manage_project", project)
    form = ProgressForm(request.POST, project=project, prefix="progress")
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return render(request, DETAIL_TEMPLATE, _detail_context(request, project, progress_form=form), status=400)
    try:
        record_progress(
            project=project, author=request.user, note=form.cleaned_data["note"],
            milestone=form.cleaned_data["milestone"], milestone_status=form.cleaned_data["milestone_status"] or None,
        )
    except DomainError as exc:
        return render_domain_error(request, exc, DETAIL_TEMPLATE, _detail_context(request, project, progress_form=form))
    messages.success(request, _("Progress recorded."))
    return redirect("incubation:project", pk=project.pk)


@require_POST
def close(request, pk):
    project = _get_project(pk)
    require_perm(request.user, "incubation.manage_project", project)
    form = CloseProjectForm(request.POST, prefix="close")
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return render(request, DETAIL_TEMPLATE, _detail_context(request, project, close_form=form), status=400)
    try:
        close_project(project=project, actor=request.user, outcome=form.cleaned_data["outcome"],
                      note=form.cleaned_data["note"])
    except DomainError as exc:
        return render_domain_error(request, exc, DETAIL_TEMPLATE, _detail_context(request, project, close_form=form))
    if project.status == ProjectStatus.GRADUATED:
        messages.success(request, _("The project graduated."))
    else:
        messages.success(request, _("The project was terminated."))
    return redirect("incubation:project", pk=project.pk)
