"""Named predicates for accounts (django-rules)."""

import rules
from django.conf import settings

from accounts.enums import Role
from accounts.roles import has_role, is_staff_member


@rules.predicate
def is_researcher(user):
    return has_role(user, Role.RESEARCHER)


@rules.predicate
def is_program_officer(user):
    return has_role(user, Role.PROGRAM_OFFICER, Role.ADMINISTRATOR)


@rules.predicate
def is_expert(user):
    return has_role(user, Role.EXPERT)


@rules.predicate
def is_panel_chair(user):
    return has_role(user, Role.PANEL_CHAIR, Role.ADMINISTRATOR)


@rules.predicate
def is_fund_manager(user):
    return has_role(user, Role.FUND_MANAGER, Role.ADMINISTRATOR)


@rules.predicate
def is_incubation_manager(user):
    return has_role(user, Role.INCUBATION_MANAGER, Role.ADMINISTRATOR)


@rules.predicate
def is_technology_manager(user):
    """技术经理人: sees the projects assigned to them and their own commissions, nothing else."""
    return has_role(user, Role.TECHNOLOGY_MANAGER)


@rules.predicate
def is_administrator(user):
    return has_role(user, Role.ADMINISTRATOR)


@rules.predicate
def is_staff(user):
    return is_staff_member(user)


@rules.predicate
def is_superuser(user):
    return bool(getattr(user, "is_superuser", False))


@rules.predicate
def must_enrol_two_factor(user):
    """OTP_REQUIRED_FOR_ADMINS: superusers and administrators cannot work without a second factor."""
    return settings.OTP_REQUIRED_FOR_ADMINS and (is_superuser(user) or is_administrator(user))


rules.add_perm("accounts.manage_users", is_administrator | is_program_officer)
rules.add_perm("accounts.edit_profile", rules.is_authenticated)
rules.add_perm("accounts.change_email", rules.is_authenticated & rules.is_active)
# staff (fund managers included) and superusers may protect their login with a TOTP code
rules.add_perm("accounts.use_two_factor", is_staff | is_superuser)
