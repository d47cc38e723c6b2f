"""Named predicates for incubation projects (django-rules). Views and templates ask these.

Who sees a project: staff who follow projects, the project's team (the proposal's applicant)
and the technology managers assigned to it. Who acts:
- incubation managers run the project (agreement, milestones, reports, checks, changes, acceptance, outcomes);
- fund managers move money (release tranches, settle 先投后股 money);
- the team signs, reports each quarter and asks for changes."""

import rules

from accounts.rules import (
    is_administrator, is_fund_manager, is_incubation_manager, is_program_officer, is_technology_manager,
)


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
