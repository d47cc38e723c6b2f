"""Tamper-evident records: hash-chained audit and ledger rows, triggers that refuse UPDATE and DELETE on
every append-only table (PostgreSQL), `verify_records`, and the verification page re-checking the file."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from core import chain
from core.apps import append_only_tables
from core.models import AppendOnly
from decisions.enums import DocumentKind
from decisions.models import Document
from decisions.services.integrity import verify_records
from decisions.services.letters import issue_letter
from funding.models import LedgerEntry
from proposals.models import AuditEntry
from proposals.services.audit import record_audit
from tests.factories import FundFactory, ProposalFactory

pytestmark = pytest.mark.django_db
ON_POSTGRES = connection.vendor == "postgresql"


def tamper(sql, params):
    """What someone with a database shell would do; on PostgreSQL the triggers must be switched off first
    (only a superuser can: session_replication_role = replica)."""
    with connection.cursor() as cursor:
        if ON_POSTGRES:
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if ON_POSTGRES:
            cursor.execute("SET session_replication_role = DEFAULT")


def test_each_audit_row_links_to_the_one_before_and_the_chain_verifies():
    proposal = ProposalFactory()
    rows = [record_audit(action=f"test.act{i}", proposal=proposal, data={"n": i, "amount": "1.50"}) for i in range(4)]
    rows += AuditEntry.objects.bulk_create([AuditEntry(action="test.bulk", proposal=proposal, data={"i": i})
                                            for i in range(3)])
    assert chain.seal_pending(AuditEntry) == AuditEntry.objects.count()  # what runs after the writers' commit
    chained = list(AuditEntry.objects.order_by("chain_seq"))
    assert [row.chain_seq for row in chained] == list(range(1, len(chained) + 1))
    assert chained[0].prev_hash == chain.GENESIS
    assert [row.pk for row in chained][-7:] == [row.pk for row in rows]  # sealed in the order written
    for before, after in zip(chained, chained[1:]):
        assert after.prev_hash == before.row_hash and len(after.row_hash) == 64
    report = verify_records()
    assert report.ok and report.checked["proposals_auditentry"] == len(chained)
    assert chain.seal_pending(AuditEntry) == 0  # nothing left to seal; sealing twice changes nothing


def test_a_changed_audit_row_is_reported_as_the_first_break_and_the_command_fails(capsys):
    proposal = ProposalFactory()
    rows = [record_audit(action="test.act", proposal=proposal, note=f"row {i}") for i in range(5)]
    chain.seal_pending(AuditEntry)
    tamper("UPDATE proposals_auditentry SET note = %s WHERE id = %s", ["rewritten", rows[2].pk])

    report = verify_records()
    assert [(b.table, b.pk) for b in report.breaks] == [("proposals_auditentry", rows[2].pk)]
    assert "content changed" in report.breaks[0].problem
    with pytest.raises(CommandError, match=f"proposals_auditentry row {rows[2].pk}"):
        call_command("verify_records")
    assert f"BREAK proposals_auditentry row {rows[2].pk}" in capsys.readouterr().err


def test_a_removed_ledger_row_breaks_the_chain_at_the_next_row():
    fund = FundFactory(size=Decimal("1000000.00"))
    rows = [LedgerEntry.objects.create(fund=fund, kind="commitment", amount=Decimal(f"{i + 1}000.00"))
            for i in range(4)]
    chain.seal_pending(LedgerEntry)
    tamper("DELETE FROM funding_ledgerentry WHERE id = %s", [rows[1].pk])
    [found] = verify_records().breaks
    assert (found.table, found.pk) == ("funding_ledgerentry", rows[2].pk) and "a row was removed" in found.problem


def test_an_altered_document_file_is_reported_and_the_verification_page_no_longer_vouches_for_it(
        client, funded_world_proposal):
    document = issue_letter(proposal=funded_world_proposal, kind=DocumentKind.APPROVAL_LETTER)
    page = client.post(reverse("decisions:verify"), {"sha256": document.sha256}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Authentic" in page and "no longer matches" not in page
    assert verify_records().ok

    with open(document.file.path, "r+b") as handle:
        handle.seek(100)
        handle.write(b"X")

    [found] = verify_records().breaks
    assert (found.table, found.pk) == ("decisions_document", document.pk)
    page = client.post(reverse("decisions:verify"), {"sha256": document.sha256}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "no longer matches" in page and "Authentic" not in page


@pytest.fixture
def funded_world_proposal(world):
    world.call.notice_days = 0
    world.call.save()
    return world.funded()


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="database triggers are PostgreSQL's")
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id WHERE id = %s", "DELETE FROM {table} WHERE id = %s"])
@pytest.mark.parametrize("model", [AuditEntry, LedgerEntry, Document])
def test_the_database_refuses_update_and_delete_on_append_only_tables(model, statement, funded_world_proposal):
    if model is Document:
        row = issue_letter(proposal=funded_world_proposal, kind=DocumentKind.APPROVAL_LETTER)
    else:
        row = model.objects.order_by("pk").first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(table=model._meta.db_table), [row.pk])
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="database triggers are PostgreSQL's")
def test_the_trigger_lets_only_the_sealing_through_once():
    row = record_audit(action="test.seal", proposal=ProposalFactory())
    chain.seal_pending(AuditEntry)  # the one update allowed: chain columns of an unsealed row
    row.refresh_from_db()
    assert row.chain_seq is not None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE proposals_auditentry SET row_hash = %s WHERE id = %s", ["0" * 64, row.pk])
    unsealed = record_audit(action="test.unsealed", proposal=row.proposal)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE proposals_auditentry SET note = 'forged', row_hash = %s WHERE id = %s",
                       ["1" * 64, unsealed.pk])


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="database triggers are PostgreSQL's")
def test_every_append_only_table_has_the_trigger():
    models = [m for m in apps.get_models() if issubclass(m, AppendOnly)]
    assert len(models) >= 16
    expected = {m._meta.db_table for m in models} | {Document._meta.db_table}
    assert set(append_only_tables()) == expected
    assert expected <= chain.tables_with_trigger(connection)




def test_a_transaction_writing_many_rows_seals_them_once_after_commit(django_capture_on_commit_callbacks):
    proposal = ProposalFactory()
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for i in range(5):
            record_audit(action="test.many", proposal=proposal, data={"i": i})
    assert len([c for c in callbacks if getattr(c, "seals", None) is AuditEntry]) == 1
    for callback in callbacks:
        callback()
    assert not AuditEntry.objects.filter(chain_seq__isnull=True).exists()
