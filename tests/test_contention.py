"""Contention gets an answer, never a 500 or a hang: a held lock, a deadlock, the flow lock or a stale
version answer 503/409 with a translated message, and nothing is half-written."""

from decimal import Decimal

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.urls import reverse

from funding.models import FundingApproval, FundingDecision, LedgerEntry
from proposals.enums import ProposalStatus as S
from proposals.models import AuditEntry
from tests.helpers import World

ON_POSTGRES = connection.vendor == "postgresql"


# -- the mapping, on both databases ---------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.urls("tests.contention_urls")
@pytest.mark.parametrize(("name", "status", "english", "chinese"), [
    ("lock-timeout", 503, "Someone else is working on this right now", "其他人正在处理"),
    ("sqlite-busy", 503, "Someone else is working on this right now", "其他人正在处理"),
    ("flow-lock", 503, "Someone else is working on this right now", "其他人正在处理"),
    ("concurrent", 409, "Someone else changed this at the same time", "其他人同时修改"),
    ("illegal", 409, "This action is not possible in the proposal", "当前状态"),
])
def test_contention_and_refusals_become_a_translated_page(client, name, status, english, chinese):
    response = client.post(f"/raise/{name}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status and english in response.content.decode()
    assert ("Retry-After" in response) == (status == 503)
    assert chinese in client.post(f"/raise/{name}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    api = client.post(f"/raise/{name}/", HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == status and english in api.json()["error"]


@pytest.mark.django_db
@pytest.mark.urls("tests.contention_urls")
def test_an_unrelated_database_error_is_not_dressed_up_as_contention(client):
    with pytest.raises(OperationalError, match="no such column"):
        client.post("/raise/unrelated/")


# -- real locks held from a second connection (PostgreSQL) ---------------------------------------

def second_connection():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**{k: v for k, v in params.items() if k in ("dbname", "host", "port", "user", "password")},
                           autocommit=False)


@pytest.fixture
def funding_case():
    world = World()
    world.call.notice_days = 0
    world.call.save()
    proposal = world.in_funding(requested_amount=Decimal("100000.00"))
    return world, proposal


def counts():
    return (FundingDecision.objects.count(), FundingApproval.objects.count(), LedgerEntry.objects.count(),
            AuditEntry.objects.count())


def approve(client, proposal, language="en"):
    return client.post(reverse("workflows:funding", args=[proposal.pk]),
                       {"decision": "approve", "instrument": "grant", "amount": "100000.00", "reasons": ""},
                       HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("held", ["fund row", "proposal row", "flow lock"])
@pytest.mark.usefixtures("transactional_db")
def test_a_lock_held_elsewhere_answers_busy_and_writes_nothing(client, funding_case, held):
    if not ON_POSTGRES:
        pytest.skip("row locks are PostgreSQL's (SQLite locks the whole database)")
    world, proposal = funding_case
    client.force_login(world.fund_manager)
    before, status_before = counts(), proposal.status
    other = second_connection()
    try:
        table, pk = {"fund row": ("funding_fund", proposal.call.fund_id),
                     "proposal row": ("proposals_proposal", proposal.pk),
                     "flow lock": ("viewflow_process", proposal.process.pk)}[held]
        other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [pk])  # noqa: S608 — fixed names
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        world.fund_manager.language = "zh-hans"
        world.fund_manager.save(update_fields=["language"])
        response = approve(client, proposal)
        assert response.status_code == 503 and response["Retry-After"] == "3"
        assert "其他人正在处理" in response.content.decode()
        world.fund_manager.language = "en"  # pages follow the user's language
        world.fund_manager.save(update_fields=["language"])
        page = approve(client, proposal).content.decode()
        assert "Someone else is working on this right now. Nothing was changed" in page
        proposal.refresh_from_db()
        assert counts() == before and proposal.status == status_before == S.FUNDING
    finally:
        other.rollback()
        other.close()
    response = approve(client, proposal)  # the lock is gone: the same request now goes through
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == S.FUNDED


@pytest.mark.django_db
def test_every_new_connection_has_the_configured_lock_timeout():
    if not ON_POSTGRES:
        pytest.skip("lock_timeout is PostgreSQL's")
    from django.db import connections  # noqa: PLC0415 — a fresh connection of its own

    fresh = connections.create_connection("default")
    try:
        with fresh.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            value = cursor.fetchone()[0]
    finally:
        fresh.close()
    expected = settings.DB_LOCK_TIMEOUT_MS
    assert value in (f"{expected}ms", f"{expected // 1000}s")


