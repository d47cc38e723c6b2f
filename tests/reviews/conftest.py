import pytest

from accounts.enums import Role
from tests.factories import UserFactory


@pytest.fixture
def officer(roles_ready):
    return UserFactory(role=Role.PROGRAM_OFFICER)

