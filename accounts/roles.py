"""Role membership and the permissions each role's group carries.

Roles are groups named by `Role` keys. `ensure_role_groups()` (run after every
migrate) creates the groups and grants the model permissions that viewflow's
queues use to decide who may claim a task.
"""

from django.contrib.auth.models import Group, Permission

from accounts.enums import STAFF_ROLES, Role

# app_label.codename granted to each role's group
ROLE_PERMISSIONS = {
    Role.PROGRAM_OFFICER: [
        "proposals.screen_proposal",
        "proposals.decide_proposal",
        "proposals.manage_call",
        "workflows.view_proposalprocess",
    ],
    Role.PANEL_CHAIR: ["workflows.view_proposalprocess"],
    Role.FUND_MANAGER: ["proposals.approve_funding", "workflows.view_proposalprocess"],
    Role.INCUBATION_MANAGER: ["proposals.start_incubation", "workflows.view_proposalprocess"],
    Role.ADMINISTRATOR: [
        "proposals.screen_proposal",
        "proposals.decide_proposal",
        "proposals.manage_call",
        "proposals.approve_funding",
        "proposals.start_incubation",
        "workflows.view_proposalprocess",
        "workflows.manage_proposalprocess",
    ],
    Role.RESEARCHER: [],
    Role.EXPERT: [],
    Role.TECHNOLOGY_MANAGER: [],
}


def ensure_role_groups():
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        perms = []
        for dotted in ROLE_PERMISSIONS.get(role, []):
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.add(*perms)


def role_names(user):
    """The set of role keys a user holds (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_pocflow_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {Role.ADMINISTRATOR.value}
        user._pocflow_roles = cached
    return cached


def has_role(user, *roles):
    names = role_names(user)
    return any(Role(r).value in names for r in roles)


def is_staff_member(user):
    return has_role(user, *STAFF_ROLES)


def grant_role(user, role):
    group, _ = Group.objects.get_or_create(name=Role(role).value)
    user.groups.add(group)
    if hasattr(user, "_pocflow_roles"):
        del user._pocflow_roles
