"""Structured logs: one JSON object per request with the request id, user, method, path, status and
duration; domain events with their ids; the request id returned, and handed to Celery tasks."""

import io
import json
import logging
from types import SimpleNamespace

import pytest
from django.urls import reverse

from core import observability
from core.observability import ContextFilter, JSONFormatter, request_id_var
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    """Capture the 'pocflow' loggers as the production JSON handler writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JSONFormatter())
    logger = logging.getLogger("pocflow")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(previous)


def test_a_request_logs_one_json_line_with_its_id_user_and_timing(client, json_log):
    user = UserFactory(role="researcher")
    client.force_login(user)
    response = client.get(reverse("proposals:mine"), HTTP_X_REQUEST_ID="edge-proxy-1234abcd")
    assert response.status_code == 200 and response["X-Request-ID"] == "edge-proxy-1234abcd"

    [line] = [entry for entry in json_log() if entry["logger"] == "pocflow.request"]
    assert line["level"] == "INFO" and line["request_id"] == "edge-proxy-1234abcd"
    assert line["user_id"] == str(user.pk)
    assert (line["method"], line["path"], line["status"]) == ("GET", reverse("proposals:mine"), 200)
    assert line["view"] == "proposals:mine" and line["duration_ms"] >= 0
    assert line["timestamp"].endswith("+00:00") or line["timestamp"].endswith("Z")


def test_a_missing_or_malformed_request_id_is_replaced_by_a_fresh_one(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    assert len(first) == 32 and len(second) == 32 and first != second


def test_a_transition_is_logged_as_a_domain_event_with_its_ids_and_the_request_id(client, world, json_log):
    proposal = world.proposal()
    client.force_login(proposal.applicant)
    complete = {"title": "钙钛矿叠层电池", "language": "zh-hans", "abstract": "摘要", "field": "other",
                "ip_status": "none", "requested_amount": "100000.00"}
    response = client.post(reverse("workflows:submit", args=[proposal.pk]), complete,
                           HTTP_X_REQUEST_ID="submit-req-0001")
    assert response.status_code == 302
    events = [entry for entry in json_log() if entry["logger"] == "pocflow.audit"]
    submitted = [e for e in events if e["to_state"] == "submitted"]
    assert submitted and submitted[0]["proposal_id"] == proposal.pk
    assert submitted[0]["request_id"] == "submit-req-0001" and submitted[0]["actor_id"] == proposal.applicant_id
    assert "note" not in submitted[0]  # free text stays in the database


def test_the_request_id_travels_in_a_task_message_and_is_restored_in_the_worker():
    token = request_id_var.set("click-0000-1111")
    try:
        headers = {}
        observability._send_request_id(headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers == {"request_id": "click-0000-1111"}

    task = SimpleNamespace(request=SimpleNamespace(request_id=None, headers=headers))
    observability._restore_request_id(task_id="t1", task=task)
    assert request_id_var.get() == "click-0000-1111"
    observability._forget_request_id(task_id="t1")
    assert request_id_var.get() != "click-0000-1111"
