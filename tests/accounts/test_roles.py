"""Role groups: every role's group exists with exactly its permissions, however often it is ensured."""

import pytest
from django.contrib.auth.models import Group

from accounts.enums import Role
from accounts.roles import ROLE_PERMISSIONS, ensure_role_groups

pytestmark = pytest.mark.django_db


def granted():
    return {
        group.name: sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())
        for group in Group.objects.prefetch_related("permissions__content_type")
    }


def test_every_role_group_carries_exactly_its_permissions():
    Group.objects.all().delete()

    ensure_role_groups()

    assert granted() == {role.value: sorted(ROLE_PERMISSIONS.get(role, [])) for role in Role}


def test_ensuring_again_adds_nothing_and_restores_a_removed_permission(django_assert_max_num_queries):
    ensure_role_groups()
    officer = Group.objects.get(name=Role.PROGRAM_OFFICER.value)
    officer.permissions.remove(officer.permissions.get(codename="screen_proposal"))

    with django_assert_max_num_queries(5):
        ensure_role_groups()

    assert granted() == {role.value: sorted(ROLE_PERMISSIONS.get(role, [])) for role in Role}
