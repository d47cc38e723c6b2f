"""Named predicates for incubation projects (django-rules). Views and templates ask these."""

import rules

from accounts.rules import is_administrator, is_fund_manager, is_incubation_manager, is_program_officer

# is_incubation_manager already holds for administrators.
can_view_projects = is_incubation_manager | is_administrator | is_program_officer | is_fund_manager
can_manage_project = is_incubation_manager

rules.add_perm("incubation.view_projects", can_view_projects)
rules.add_perm("incubation.manage_project", can_manage_project)
