"""Backup and restore (issue #10, point 7): a seeded installation round-trips into an empty
database and media root, on whichever database the suite runs (SQLite or PostgreSQL).

The data must be committed for pg_dump to see it, so these tests are transactional. The restore
runs in a subprocess pointed at an empty target (a fresh SQLite file or a fresh PostgreSQL
database) through DATABASE_URL and MEDIA_ROOT, exactly as an operator runs it; the checks of the
restored installation run in a second subprocess against the same target."""

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core import backup as backup_module
from core.backup import MANIFEST, BackupError, audit_chain_column, pg_environment, run_verify_records, snapshot_facts
from decisions.enums import DocumentKind
from decisions.models import Document
from decisions.services.letters import issue_letter
from proposals.models import AuditEntry
from tests.helpers import World

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("english")]

BASE_DIR = Path(settings.BASE_DIR)

# Run inside the restored installation: row counts, every document's bytes against its SHA-256, and
# the applicant's copy of the letter posted to the public verification page.
CHECK_SCRIPT = """
import hashlib, json, os
from pathlib import Path
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse
from core.backup import _pg_tables, snapshot_facts
from decisions.models import Document

setup_test_environment()
with connection.cursor() as cursor:
    tables = _pg_tables(cursor) if connection.vendor == "postgresql" else connection.introspection.table_names(cursor)
    counts, last_hash = snapshot_facts(cursor, tables)
documents = {}
for document in Document.objects.all():
    data = (Path(settings.MEDIA_ROOT) / document.file.name).read_bytes()
    documents[document.sha256] = hashlib.sha256(data).hexdigest()
with open(os.environ["LETTER_COPY"], "rb") as handle:
    response = Client().post(reverse("decisions:verify"), {"file": handle}, HTTP_ACCEPT_LANGUAGE="en")
print(json.dumps({
    "counts": counts, "last_hash": last_hash, "documents": documents, "status": response.status_code,
    "checked": response.context["checked"],
    "verified_pk": response.context["document"].pk if response.context["document"] else None,
    "authentic": "Authentic: this is an unaltered document issued by pocflow." in response.content.decode(),
}))
"""


def live_facts():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            tables = [name for (name,) in cursor.fetchall()]
        else:
            tables = connection.introspection.table_names(cursor)
        return snapshot_facts(cursor, tables)


def manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env={**os.environ, "LANGUAGE_CODE": "en", **env},
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def installation():
    """A funded proposal through the real services (audit rows, ledger, workflow) and its issued
    approval letter, stored under MEDIA_ROOT."""
    world = World()
    proposal = world.funded()
    letter = issue_letter(proposal=proposal, kind=DocumentKind.APPROVAL_LETTER)
    assert (Path(settings.MEDIA_ROOT) / letter.file.name).is_file()
    return letter


@pytest.fixture
def empty_target(tmp_path):
    """The environment of an empty installation: a database with nothing in it and an absent media root."""
    env = {"MEDIA_ROOT": str(tmp_path / "restored-media"), "DJANGO_DEBUG": "0"}
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        yield env
        return
    source = connection.settings_dict
    name = f"{source['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    auth = source["USER"] + (f":{source['PASSWORD']}" if source["PASSWORD"] else "")
    env["DATABASE_URL"] = f"postgres://{auth}@{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}/{name}"
    try:
        yield env
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def backup_dir(installation, tmp_path):
    out = tmp_path / "backup"
    call_command("backup", out=out, stdout=open(os.devnull, "w"))
    return out


def read_manifest(out):
    return json.loads((out / MANIFEST).read_text())


def write_manifest(out, manifest):
    (out / MANIFEST).write_text(json.dumps(manifest))


def test_round_trip_into_an_empty_installation(installation, backup_dir, empty_target, tmp_path):
    counts, last_hash = live_facts()
    letter_copy = tmp_path / "applicants-copy.pdf"
    letter_copy.write_bytes((Path(settings.MEDIA_ROOT) / installation.file.name).read_bytes())
    documents = dict(Document.objects.values_list("sha256", "sha256"))

    restored = manage("restore", str(backup_dir), env=empty_target)
    assert restored.returncode == 0, restored.stderr
    assert f"{len(documents)} documents verified" in restored.stdout

    checked = manage("shell", "-c", CHECK_SCRIPT, env={**empty_target, "LETTER_COPY": str(letter_copy)})
    assert checked.returncode == 0, checked.stderr
    facts = json.loads(checked.stdout.strip().splitlines()[-1])
    assert facts["counts"] == counts  # every table, row for row
    assert sum(counts.values()) > 0 and counts[Document._meta.db_table] >= 1
    assert counts[connection.introspection.identifier_converter("proposals_auditentry")] > 0
    assert facts["documents"] == documents  # every document's bytes hash to its SHA-256
    assert facts["last_hash"] == last_hash  # the audit chain ends where it ended
    assert (facts["status"], facts["checked"], facts["verified_pk"], facts["authentic"]) == (
        200, True, installation.pk, True)


def test_manifest_lists_files_counts_and_version(installation, backup_dir):
    manifest = read_manifest(backup_dir)
    counts, last_hash = live_facts()

    assert manifest["format"] == 1 and manifest["pocflow_version"] == "0.1.0"
    assert manifest["created_at"].endswith("+00:00")
    assert manifest["database"]["vendor"] == connection.vendor
    dump = backup_dir / manifest["database"]["file"]
    assert hashlib.sha256(dump.read_bytes()).hexdigest() == manifest["database"]["sha256"]
    assert manifest["tables"] == counts
    assert manifest["audit_chain_last_hash"] == last_hash
    expected_hash = None
    if audit_chain_column() is not None:  # the hash chain, once it exists, is recorded
        expected_hash = AuditEntry.objects.order_by("-pk").values_list("row_hash", flat=True).first()
    assert last_hash == expected_hash
    media = {item["path"]: item for item in manifest["media"]}
    letter = media[installation.file.name]
    assert letter["sha256"] == installation.sha256
    assert letter["size"] == (backup_dir / "media" / installation.file.name).stat().st_size
    assert sorted(backup_dir.iterdir()) == sorted([dump, backup_dir / "media", backup_dir / MANIFEST])


def test_backup_refuses_a_non_empty_directory(installation, tmp_path):
    out = tmp_path / "used"
    out.mkdir()
    (out / "something").write_text("x")

    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", out=out)


def test_tampered_media_file_is_refused_before_anything_is_restored(installation, backup_dir, tmp_path, settings):
    stored = backup_dir / "media" / installation.file.name
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0x01
    stored.write_bytes(bytes(data))
    settings.MEDIA_ROOT = tmp_path / "untouched"

    with pytest.raises(CommandError, match=f"Media file {installation.file.name} in the backup does not match"):
        call_command("restore", backup_dir)
    assert not settings.MEDIA_ROOT.exists()


def test_missing_or_extra_media_file_is_refused(installation, backup_dir):
    (backup_dir / "media" / "stray.txt").write_text("not in the manifest")

    with pytest.raises(CommandError, match="does not list: stray.txt"):
        call_command("restore", backup_dir)

    (backup_dir / "media" / "stray.txt").unlink()
    (backup_dir / "media" / installation.file.name).unlink()
    with pytest.raises(CommandError, match="is missing from the backup"):
        call_command("restore", backup_dir)


def test_edited_manifest_count_makes_restore_fail(installation, backup_dir, empty_target):
    manifest = read_manifest(backup_dir)
    table = Document._meta.db_table
    manifest["tables"][table] += 1
    write_manifest(backup_dir, manifest)

    restored = manage("restore", str(backup_dir), env=empty_target)

    assert restored.returncode != 0
    assert "Row counts in" in restored.stderr and f"{table}: {manifest['tables'][table] - 1} ≠" in restored.stderr


def test_restore_refuses_a_non_empty_database(installation, backup_dir, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "empty-media"

    with pytest.raises(CommandError, match="The target database is not empty"):
        call_command("restore", backup_dir)


def test_restore_refuses_a_non_empty_media_root(installation, backup_dir, empty_target):
    media = Path(empty_target["MEDIA_ROOT"])
    media.mkdir()
    (media / "left-over.pdf").write_bytes(b"%PDF")

    restored = manage("restore", str(backup_dir), env=empty_target)

    assert restored.returncode != 0 and "is not empty" in restored.stderr


def test_restore_refuses_an_incomplete_backup_or_another_vendor(installation, backup_dir):
    manifest = read_manifest(backup_dir)
    manifest["database"]["vendor"] = "oracle"
    write_manifest(backup_dir, manifest)
    with pytest.raises(CommandError, match="The backup is of a oracle database"):
        call_command("restore", backup_dir)

    (backup_dir / MANIFEST).unlink()
    with pytest.raises(CommandError, match="has no manifest: the backup is incomplete"):
        call_command("restore", backup_dir)


def test_password_goes_to_libpq_environment_never_to_the_command_line():
    env = pg_environment({"NAME": "pocflow", "USER": "app", "PASSWORD": "s3cret", "HOST": "db", "PORT": 5433})

    assert (env["PGPASSWORD"], env["PGUSER"], env["PGHOST"], env["PGPORT"], env["PGDATABASE"]) == (
        "s3cret", "app", "db", "5433", "pocflow")
    assert "PGPASSWORD" not in pg_environment({"NAME": "pocflow", "USER": "app", "PASSWORD": ""})


def test_restore_runs_verify_records_and_fails_on_a_break(monkeypatch):
    calls = []

    def broken_chain(name, **kwargs):
        calls.append(name)
        raise CommandError("audit entry 7: prev_hash does not match")

    monkeypatch.setattr(backup_module, "call_command", broken_chain)
    with pytest.raises(BackupError, match="break in the restored records: audit entry 7"):
        run_verify_records()
    assert calls == ["verify_records"]

    monkeypatch.setattr(backup_module, "call_command", lambda name, **kwargs: calls.append(name))
    assert run_verify_records() == "passed" and calls == ["verify_records", "verify_records"]


def test_database_is_dumped_before_media_are_copied_and_the_manifest_comes_last(installation, tmp_path, monkeypatch):
    out, events = tmp_path / "ordered", []
    dump_step = "_backup_postgresql" if connection.vendor == "postgresql" else "_backup_sqlite"
    real_dump, real_copy = getattr(backup_module, dump_step), backup_module.shutil.copytree

    def dump(*args, **kwargs):
        result = real_dump(*args, **kwargs)
        events.append("database")
        # an upload that lands after the dump: copied too, named by no row, harmless
        (Path(settings.MEDIA_ROOT) / "uploads-after-dump.pdf").write_bytes(b"%PDF-late")
        return result

    def copy(*args, **kwargs):
        if "media" not in events:  # copytree copies subfolders by calling itself
            events.append("media")
        assert not (out / MANIFEST).exists()
        return real_copy(*args, **kwargs)

    monkeypatch.setattr(backup_module, dump_step, dump)
    monkeypatch.setattr(backup_module.shutil, "copytree", copy)
    call_command("backup", out=out, stdout=open(os.devnull, "w"))

    assert events == ["database", "media"]
    assert "uploads-after-dump.pdf" in {item["path"] for item in read_manifest(out)["media"]}
    assert not (out / (MANIFEST + ".tmp")).exists()


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="pg_restore --clean would leave such tables; SQLite's backup API replaces the whole file")
def test_restore_refuses_a_database_with_tables_the_backup_lacks(installation, backup_dir, empty_target):
    with psycopg.connect(empty_target["DATABASE_URL"], autocommit=True) as target:
        target.execute("CREATE TABLE from_a_newer_version (id integer)")

    restored = manage("restore", str(backup_dir), env=empty_target)

    assert restored.returncode != 0
    assert "has tables the backup does not (from_a_newer_version)" in restored.stderr


def test_only_pocflows_own_tables_make_a_target_non_empty():
    tables = backup_module._pocflow_tables()

    assert {Document._meta.db_table, AuditEntry._meta.db_table} <= tables
    assert not tables & {"auth_permission", "auth_group", "django_content_type", "django_migrations"}
