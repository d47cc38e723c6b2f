import pytest
from django.test import Client


@pytest.fixture
def client():
    """A browser asking for English pages (the anonymous pages otherwise answer in the default zh-hans)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")
