"""Contract test: schemathesis generates requests for every operation of the live OpenAPI schema, as a
researcher, an expert and a staff member (and anonymously), and checks each answer: no 5xx, a documented status,
a documented content type, a body that matches the schema."""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from accounts.enums import Role
from api.services import create_token
from tests.factories import ProposalFactory, UserFactory
from tests.helpers import World


@pytest.fixture
def callers(db):
    world = World()
    world.funded()
    world.assigned()
    researcher = UserFactory(role=Role.RESEARCHER)
    ProposalFactory(call=world.call, applicant=researcher)
    keys = {"anonymous": None}
    for name, user in (("researcher", researcher), ("expert", world.experts[0]), ("officer", world.officer),
                       ("fund manager", world.fund_manager)):
        keys[name] = create_token(user=user, name="contract", scope="write")[1]
    return keys


@pytest.fixture
def connection_kept_between_requests():
    """Requests go through the WSGI app, which closes the database connection after each one; the test's
    transaction must survive them, as it does under Django's test client (which disconnects the same handler)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_answers_as_its_schema_says(callers, connection_kept_between_requests):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12  # every route of /api/v1/ is in the schema (tests/api/test_api.py names them)
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
        def answers_as_documented(case):
            cache.clear()  # the rate limits would otherwise answer most generated requests with 429
            for key in callers.values():
                case.call_and_validate(headers={"Authorization": f"Bearer {key}"} if key else {})

        answers_as_documented()
