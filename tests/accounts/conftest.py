import pytest
from django.core.cache import cache
from django.test import Client


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Rate-limit counters live in the (per-process) cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client():
    """A browser asking for English pages (the anonymous pages otherwise answer in the default zh-hans)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")
