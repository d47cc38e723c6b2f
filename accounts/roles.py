"""Role membership and the permissions each role's group carries.

Roles are groups named by `Role` keys. `ensure_role_groups()` (run after every
migrate) creates the groups and grants the model permissions that viewflow's
queues use to decide who may claim a task.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

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
    """Create every role's group and grant its permissions. Idempotent, in five queries whatever
    the number of roles (it runs after every app's migrate and whenever a test makes a user)."""
    names = [role.value for role in Role]
    existing = set(Group.objects.filter(name__in=names).values_list("name", flat=True))
    Group.objects.bulk_create([Group(name=name) for name in names if name not in existing], ignore_conflicts=True)
    group_ids = dict(Group.objects.filter(name__in=names).values_list("name", "pk"))
    wanted = {role: [tuple(dotted.split(".")) for dotted in ROLE_PERMISSIONS.get(role, [])] for role in Role}
    keys = {key for pairs in wanted.values() for key in pairs}
    if not keys:
        return
    query = Q()
    for app_label, codename in keys:
        query |= Q(content_type__app_label=app_label, codename=codename)
    permission_ids = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.filter(query).values_list(
            "pk", "content_type__app_label", "codename")
    }
    through = Group.permissions.through
    through.objects.bulk_create(
        [through(group_id=group_ids[role.value], permission_id=permission_ids[key])
         for role, pairs in wanted.items() for key in pairs if key in permission_ids],
        ignore_conflicts=True,
    )


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
