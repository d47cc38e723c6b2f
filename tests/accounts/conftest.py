import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Rate-limit counters live in the (per-process) cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()
