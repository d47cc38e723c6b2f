"""Backup and restore of a whole installation: the database, the media files and a manifest.

The order makes a snapshot consistent: the database first, then the media. Documents are
content-addressed and never rewritten and uploads are only ever added, so every file the dumped
database names already exists when the media are copied after it; newer files are harmless.
The manifest is written last and atomically: a backup directory without one is incomplete.

Core imports no pocflow app: the audit chain and the documents are reached through the app
registry, and their absence is tolerated.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, transaction
from django.utils.translation import gettext as _

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
SQLITE_FILE = "db.sqlite3"
PG_FILE = "db.dump"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore that must not go on; the message says why."""


# ---------------------------------------------------------------- small helpers


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def pocflow_version() -> str:
    try:
        return metadata.version("pocflow")
    except metadata.PackageNotFoundError:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as handle:
            return tomllib.load(handle)["project"]["version"]


def media_files(root: Path) -> list[dict]:
    """Every regular file under `root`: relative POSIX path, SHA-256 and size, sorted by path."""
    if not root.exists():
        return []
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        files.append({"path": path.relative_to(root).as_posix(), "sha256": sha256_of(path),
                      "size": path.stat().st_size})
    return files


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def audit_chain_column() -> tuple[str, str, str] | None:
    """(table, hash column, chain-position column) of the audit trail's hash chain, or None before it exists."""
    try:
        model = apps.get_model("proposals", "AuditEntry")
    except LookupError:
        return None
    try:
        row_hash = model._meta.get_field("row_hash")
    except Exception:  # FieldDoesNotExist: the chain is not there yet
        return None
    return model._meta.db_table, row_hash.column, model._meta.get_field("chain_seq").column


def snapshot_facts(cursor, tables: list[str]) -> tuple[dict[str, int], str | None]:
    """Row counts of `tables` and the last audit-chain hash, read through a DB-API cursor
    (Django's inside the dump's snapshot, or sqlite3's on the backup file)."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - names from introspection
        counts[table] = cursor.fetchone()[0]
    last_hash = None
    chain = audit_chain_column()
    if chain is not None and chain[0] in counts:
        table, column, position = chain  # the sealed end of the chain
        cursor.execute(f"SELECT {_quote(column)} FROM {_quote(table)} WHERE {_quote(position)} IS NOT NULL "  # noqa: S608
                       f"ORDER BY {_quote(position)} DESC LIMIT 1")
        row = cursor.fetchone()
        last_hash = row[0] if row else None
    return counts, last_hash


def sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [name for (name,) in rows]


def pg_environment(settings_dict: dict) -> dict:
    """libpq's environment for pg_dump / pg_restore: the password never appears on a command line."""
    env = dict(os.environ)
    options = settings_dict.get("OPTIONS") or {}
    for key, value in (("PGHOST", settings_dict.get("HOST")), ("PGPORT", settings_dict.get("PORT")),
                       ("PGUSER", settings_dict.get("USER")), ("PGPASSWORD", settings_dict.get("PASSWORD")),
                       ("PGDATABASE", settings_dict.get("NAME")), ("PGSSLMODE", options.get("sslmode"))):
        if value:
            env[key] = str(value)
        else:
            env.pop(key, None)  # what the settings leave unset is libpq's default, not the caller's shell's
    return env


def _run(command: list[str], *, env: dict) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(_("%(program)s is not installed (package postgresql-client).")
                          % {"program": command[0]}) from exc
    if result.returncode != 0:
        raise BackupError(_("%(program)s failed: %(error)s")
                          % {"program": command[0], "error": result.stderr.strip()})


# ---------------------------------------------------------------- backup


def backup(*, out: Path, using: str = "default") -> dict:
    """Write database, media and manifest to `out` (absent or empty); return the manifest."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(_("The backup directory %(path)s is not empty.") % {"path": out})
    out.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    created_at = dt.datetime.now(dt.UTC)

    # 1. the database, and its counts from the same snapshot
    if connection.vendor == "sqlite":
        db_file, counts, last_hash = _backup_sqlite(connection, out / SQLITE_FILE)
    elif connection.vendor == "postgresql":
        db_file, counts, last_hash = _backup_postgresql(connection, out / PG_FILE)
    else:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": connection.vendor})

    # 2. the media, copied after the database
    media_root = Path(settings.MEDIA_ROOT)
    target_media = out / MEDIA_DIR
    if media_root.exists():
        shutil.copytree(media_root, target_media)
    else:
        target_media.mkdir()

    # 3. the manifest, last and atomically
    manifest = {
        "format": FORMAT_VERSION,
        "pocflow_version": pocflow_version(),
        "created_at": created_at.isoformat(),
        "database": {"vendor": connection.vendor, "file": db_file.name, "sha256": sha256_of(db_file),
                     "size": db_file.stat().st_size},
        "tables": counts,
        "media": media_files(target_media),
        "audit_chain_last_hash": last_hash,
    }
    temporary = out / (MANIFEST + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, out / MANIFEST)
    return manifest


def _backup_sqlite(connection, target: Path):
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)  # the online backup API: a consistent copy
    finally:
        destination.close()
    copy = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        counts, last_hash = snapshot_facts(copy.cursor(), sqlite_tables(copy))
    finally:
        copy.close()
    return target, counts, last_hash


def _backup_postgresql(connection, target: Path):
    if connection.in_atomic_block:
        raise BackupError(_("A backup cannot run inside a transaction."))
    env = pg_environment(connection.settings_dict)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        # pg_dump reads the exported snapshot while this transaction holds it open
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], env=env)
        counts, last_hash = snapshot_facts(cursor, _pg_tables(cursor))
    return target, counts, last_hash


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [name for (name,) in cursor.fetchall()]


# ---------------------------------------------------------------- restore


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    media_files: int = 0
    media_bytes: int = 0
    documents_checked: int = 0
    audit_chain_last_hash: str | None = None
    verify_records: str = ""


def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    if not path.is_file():
        raise BackupError(_("%(path)s has no manifest: the backup is incomplete or not a pocflow backup.")
                          % {"path": source})
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise BackupError(_("The manifest is not valid JSON: %(error)s") % {"error": exc}) from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(_("Unknown backup format %(format)s.") % {"format": manifest.get("format")})
    return manifest


def check_backup(source: Path, manifest: dict) -> None:
    """Every file the manifest names is there with its hash and size, and nothing else is."""
    source = Path(source)
    database = manifest["database"]
    db_file = source / database["file"]
    if not db_file.is_file():
        raise BackupError(_("The database file %(file)s is missing.") % {"file": database["file"]})
    if sha256_of(db_file) != database["sha256"]:
        raise BackupError(_("The database file %(file)s does not match its SHA-256 in the manifest.")
                          % {"file": database["file"]})
    _check_media(source / MEDIA_DIR, manifest["media"], where=_("the backup"))


def _check_media(root: Path, expected: list[dict], *, where: str) -> None:
    found = {item["path"]: item for item in media_files(root)}
    for item in expected:
        actual = found.pop(item["path"], None)
        if actual is None:
            raise BackupError(_("Media file %(path)s is missing from %(where)s.") % {"path": item["path"], "where": where})
        if actual["sha256"] != item["sha256"] or actual["size"] != item["size"]:
            raise BackupError(_("Media file %(path)s in %(where)s does not match its SHA-256 in the manifest.")
                              % {"path": item["path"], "where": where})
    if found:
        raise BackupError(_("%(where)s holds media files the manifest does not list: %(paths)s")
                          % {"where": where, "paths": ", ".join(sorted(found)[:5])})


def _pocflow_tables() -> set[str]:
    """The tables of pocflow's own apps: the top-level folders of the project (not those of packages
    installed in a virtualenv that may live inside it)."""
    base = Path(settings.BASE_DIR).resolve()
    tables = set()
    for config in apps.get_app_configs():
        if Path(config.path).resolve().parent == base:
            tables.update(model._meta.db_table for model in config.get_models(include_auto_created=True))
    return tables


def _target_has_rows(connection) -> list[str]:
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        full = []
        for table in sorted(_pocflow_tables() & existing):
            cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                full.append(table)
    return full


def restore(*, source: Path, using: str = "default", stdout=None) -> RestoreReport:
    source = Path(source)
    connection = connections[using]
    manifest = read_manifest(source)
    database = manifest["database"]
    if database["vendor"] != connection.vendor:
        raise BackupError(_("The backup is of a %(backup)s database; the target is %(target)s.")
                          % {"backup": database["vendor"], "target": connection.vendor})
    check_backup(source, manifest)
    if database["vendor"] == "sqlite":
        _check_sqlite_counts(source / database["file"], manifest)

    full = _target_has_rows(connection)
    if full:
        raise BackupError(_("The target database is not empty (rows in %(tables)s); restore only into an empty one.")
                          % {"tables": ", ".join(full[:5])})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            foreign = sorted(set(_pg_tables(cursor)) - set(manifest["tables"]))
        if foreign:  # left behind by pg_restore --clean, they would make a later migrate fail
            raise BackupError(_("The target database has tables the backup does not (%(tables)s): it was migrated "
                                "by another version; restore into a new, empty database.")
                              % {"tables": ", ".join(foreign[:5])})
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(_("The media root %(path)s is not empty; restore only into an empty one.")
                          % {"path": media_root})

    # the database, then the media
    if database["vendor"] == "sqlite":
        _restore_sqlite(connection, source / database["file"])
    else:
        _restore_postgresql(connection, source / database["file"])
    media_root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source / MEDIA_DIR, media_root, dirs_exist_ok=True)

    # and check what landed
    report = RestoreReport()
    _check_media(media_root, manifest["media"], where=_("the restored media root"))
    report.media_files = len(manifest["media"])
    report.media_bytes = sum(item["size"] for item in manifest["media"])
    with connection.cursor() as cursor:
        tables = _pg_tables(cursor) if connection.vendor == "postgresql" else connection.introspection.table_names(cursor)
        counts, last_hash = snapshot_facts(cursor, tables)
    _compare_counts(manifest["tables"], counts, where=_("the restored database"))
    if last_hash != manifest.get("audit_chain_last_hash"):
        raise BackupError(_("The restored audit chain ends in %(found)s, the manifest says %(expected)s.")
                          % {"found": last_hash, "expected": manifest.get("audit_chain_last_hash")})
    report.tables, report.rows, report.audit_chain_last_hash = len(counts), sum(counts.values()), last_hash
    report.documents_checked = _check_documents(media_root)
    report.verify_records = run_verify_records(stdout=stdout)
    return report


def run_verify_records(*, stdout=None) -> str:
    """The records' own check (hash chains and documents, decisions' verify_records); a break fails the restore."""
    try:
        call_command("verify_records", stdout=stdout)
    except CommandError as exc:
        raise BackupError(_("verify_records found a break in the restored records: %(error)s") % {"error": exc}) from exc
    return _("passed")


def _compare_counts(expected: dict, found: dict, *, where: str) -> None:
    differences = []
    for table in sorted(set(expected) | set(found)):
        if expected.get(table) != found.get(table):
            differences.append(f"{table}: {found.get(table)} ≠ {expected.get(table)}")
    if differences:
        raise BackupError(_("Row counts in %(where)s differ from the manifest (found ≠ manifest): %(differences)s")
                          % {"where": where, "differences": "; ".join(differences[:10])})


def _check_sqlite_counts(db_file: Path, manifest: dict) -> None:
    copy = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        counts, _last = snapshot_facts(copy.cursor(), sqlite_tables(copy))
    finally:
        copy.close()
    _compare_counts(manifest["tables"], counts, where=_("the backup's database file"))


def _restore_sqlite(connection, db_file: Path) -> None:
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _restore_postgresql(connection, dump: Path) -> None:
    env = pg_environment(connection.settings_dict)
    with connection.cursor() as cursor:
        migrated = bool(connection.introspection.table_names(cursor))
    connection.close()
    # a migrated but empty target: drop its (empty) objects before recreating them from the dump
    clean = ["--clean", "--if-exists"] if migrated else []
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          *clean, f"--dbname={connection.settings_dict['NAME']}", str(dump)], env=env)


def _check_documents(media_root: Path) -> int:
    """Each stored document's file hashes to the SHA-256 recorded on its row."""
    try:
        document_model = apps.get_model("decisions", "Document")
    except LookupError:
        return 0
    checked = 0
    for pk, name, recorded in document_model.objects.values_list("pk", "file", "sha256").iterator():
        path = media_root / name
        if not path.is_file():
            raise BackupError(_("Document %(pk)s: its file %(file)s is missing.") % {"pk": pk, "file": name})
        if sha256_of(path) != recorded:
            raise BackupError(_("Document %(pk)s: its file does not hash to its recorded SHA-256.") % {"pk": pk})
        checked += 1
    return checked
