import pytest
from django.core.cache import cache

from accounts.enums import Role
from tests.factories import UserFactory


@pytest.fixture
def officer(roles_ready):
    return UserFactory(role=Role.PROGRAM_OFFICER)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the default cache, which outlives a test: each test starts uncounted."""
    cache.clear()
    yield
    cache.clear()
