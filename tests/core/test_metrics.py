"""/metrics: Prometheus text, scraped as a monitoring server would; guarded by address or token."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Delivery
from core.tasks import deliver_owed
from decisions.pdf import render_pdf
from tests.factories import ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db


def sample(text, name, **labels):
    """The value of one sample line, or None."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}\{{{re.escape(wanted)}\}} ([0-9.e+-]+)$" if labels else rf"^{re.escape(name)} ([0-9.e+-]+)$"
    match = re.search(pattern, text, re.MULTILINE)
    return float(match.group(1)) if match else None


def scrape(client, **extra):
    response = client.get("/metrics", **extra)
    return response, response.content.decode()


def test_scraping_shows_requests_by_view_queries_pipeline_and_owed_deliveries(client):
    ProposalFactory.create_batch(3)
    Delivery.objects.create(kind="mail.user", key="m1", next_attempt_at=timezone.now(), failed_at=timezone.now())
    Delivery.objects.create(kind="mail.user", key="m2", next_attempt_at=timezone.now())
    user = UserFactory(role="researcher")
    client.force_login(user)
    _before, text = scrape(client)
    served_before = sample(text, "pocflow_http_requests_total", method="GET", status="200", view="proposals:mine") or 0
    assert client.get(reverse("proposals:mine")).status_code == 200

    response, text = scrape(client)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert sample(text, "pocflow_http_requests_total", method="GET", status="200", view="proposals:mine") == \
        served_before + 1
    assert sample(text, "pocflow_http_request_duration_seconds_count", method="GET", view="proposals:mine") >= 1
    assert sample(text, "pocflow_http_request_db_queries_count", view="proposals:mine") >= 1
    assert sample(text, "pocflow_proposals", status="draft") == 3
    assert sample(text, "pocflow_proposals", status="funded") == 0
    assert sample(text, "pocflow_owed_deliveries", state="failed") == 1
    assert sample(text, "pocflow_owed_deliveries", state="waiting") == 1


def test_documents_rendered_and_task_outcomes_are_counted(client):
    _r, text = scrape(client)
    rendered = sample(text, "pocflow_documents_rendered_total", template="decisions/letters/base.html") or 0
    render_pdf(template_name="decisions/letters/base.html", context={}, language="en")
    delivery = Delivery.objects.create(kind="mail.user", key="gone", next_attempt_at=timezone.now(),
                                       done_at=timezone.now())
    succeeded = sample(text, "pocflow_celery_tasks_total", outcome="success", task="core.tasks.deliver_owed") or 0
    deliver_owed.apply(args=[delivery.pk])

    _r, text = scrape(client)
    assert sample(text, "pocflow_documents_rendered_total", template="decisions/letters/base.html") == rendered + 1
    assert sample(text, "pocflow_document_render_seconds_count", template="decisions/letters/base.html") >= 1
    assert sample(text, "pocflow_celery_tasks_total", outcome="success", task="core.tasks.deliver_owed") == \
        succeeded + 1


def test_metrics_answer_only_the_allowed_addresses_or_the_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    elsewhere = {"REMOTE_ADDR": "10.1.2.3"}
    assert client.get("/metrics", **elsewhere).status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **elsewhere).status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token", **elsewhere).status_code == 200
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", **elsewhere).status_code == 404
