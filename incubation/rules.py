"""Named predicates for incubation projects (django-rules). Views and templates ask these.

Who sees a project: staff who follow projects, the project's team (the proposal's applicant)
and the technology managers assigned to it. Who acts:
- incubation managers run the project (agreement, milestones, reports, checks, changes, acceptance, outcomes);
- fund managers move money (release tranches, settle 先投后股 money);
- the team signs, reports each quarter and asks for changes."""

import rules

from accounts.rules import (
    is_administrator,
    is_fund_manager,
    is_incubation_manager,
    is_program_officer,
    is_staff,
    is_technology_manager,
)
from incubation.enums import EDITABLE_STATES, TO_WRITE, AgreementStatus, ChangeStatus, ProjectStatus, ReportStatus


@rules.predicate
def is_project_team(user, project):
    """The applicant of the project's proposal."""
    return project is not None and user.is_authenticated and project.proposal.applicant_id == user.pk


@rules.predicate
def is_assigned_tech_manager(user, project):
    if project is None or not user.is_authenticated:
        return False
    return project.tech_managers.filter(manager=user).exists()


# is_incubation_manager already holds for administrators.
can_view_projects = is_incubation_manager | is_administrator | is_program_officer | is_fund_manager
can_manage_project = is_incubation_manager
can_view_project = can_view_projects | is_project_team | is_assigned_tech_manager
# The "All projects" link on a project's page: any staff member (the list itself asks view_projects).
can_see_project_list = is_staff


@rules.predicate
def can_accept_milestones(user, project):
    """May the user accept the project's milestones now? They run the project and it is open."""
    return user.has_perm("incubation.manage_project", project) and project.is_open


@rules.predicate
def can_record_kpi_actuals(user, project):
    """May the user record the KPIs' actual values now? They run the project and it is open."""
    return user.has_perm("incubation.manage_project", project) and project.is_open



@rules.predicate
def can_edit_agreement(user, agreement):
    """May the user change the agreement's terms, milestones, budget and tranches now? They run the
    project, the agreement is not signed yet and the project is open."""
    project = agreement.project
    return (user.has_perm("incubation.manage_project", project) and agreement.status in EDITABLE_STATES
            and project.is_open)


@rules.predicate
def can_upload_signed_copy(user, agreement):
    """May the user record the signed copy now? The agreement is issued for signature and the project open."""
    project = agreement.project
    return (user.has_perm("incubation.upload_signed_agreement", project) and agreement.status == AgreementStatus.ISSUED
            and project.is_open)


@rules.predicate
def can_edit_report(user, report):
    """May the user write the quarterly report now? The project's team, while it is to be written, on an open project."""
    project = report.project
    return user.has_perm("incubation.submit_report", project) and report.status in TO_WRITE and project.is_open


@rules.predicate
def can_review_report(user, report):
    """May the user accept or return the submitted report? A manager who neither wrote it nor leads the team."""
    project = report.project
    return (user.has_perm("incubation.manage_project", project) and report.status == ReportStatus.SUBMITTED
            and user.pk not in (report.submitted_by_id, project.proposal.applicant_id))


@rules.predicate
def can_request_change(user, project):
    """May the user file a change request? The project is open and its agreement signed."""
    agreement = getattr(project, "agreement", None)
    return (user.has_perm("incubation.request_change", project) and project.is_open
            and agreement is not None and agreement.status == AgreementStatus.SIGNED)


@rules.predicate
def can_decide_change(user, change):
    """May the user approve or refuse the pending change? A manager other than the one who asked."""
    return (change.status == ChangeStatus.PENDING and user.has_perm("incubation.decide_change", change.project)
            and user.pk != change.requested_by_id)


@rules.predicate
def can_record_outcomes(user, project):
    """May the user record outcomes of the project? Not once it was terminated."""
    return project.status != ProjectStatus.TERMINATED and user.has_perm("incubation.record_outcome", project)


@rules.predicate
def can_assign_tech_managers(user, project):
    """May the user assign or remove technology managers? Not once the project was terminated."""
    return project.status != ProjectStatus.TERMINATED and user.has_perm("incubation.assign_tech_manager", project)


rules.add_perm("incubation.view_projects", can_view_projects)
rules.add_perm("incubation.view_project", can_view_project)
rules.add_perm("incubation.manage_project", can_manage_project)
# agreement: the manager drafts and issues it; the signed copy comes from the manager or the team
rules.add_perm("incubation.upload_signed_agreement", is_incubation_manager | is_project_team)
# money
rules.add_perm("incubation.release_tranche", is_fund_manager)
rules.add_perm("incubation.settle_investment", is_fund_manager)
# the team's side
rules.add_perm("incubation.submit_report", is_project_team)
rules.add_perm("incubation.request_change", is_project_team | is_incubation_manager)
rules.add_perm("incubation.decide_change", is_incubation_manager)
# outcomes are recorded by the incubation manager or an assigned technology manager
rules.add_perm("incubation.record_outcome", is_incubation_manager | is_assigned_tech_manager)
rules.add_perm("incubation.assign_tech_manager", is_incubation_manager)
# the technology managers' own page (their projects and commissions)
rules.add_perm("incubation.tech_manager_home", is_technology_manager)
# figures across calls (statistics, exports)
rules.add_perm("incubation.view_statistics", can_view_projects)
