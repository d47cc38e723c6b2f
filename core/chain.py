"""Hash chains over append-only records (the audit trail, the ledger) and the database triggers that
refuse UPDATE and DELETE on every append-only table.

Each chained row stores `prev_hash` (the row before it, by primary key; a row of zeros for the first)
and `row_hash` = SHA-256 of `prev_hash`, a newline and the row's canonical content: its fields except
the primary key and the two hashes, as JSON with sorted keys, decimals at their field's scale, times
in UTC ISO 8601 and foreign keys as ids. Changing, removing or reordering a row breaks the chain at
that row, which `manage.py verify_records` reports.

Writers take one PostgreSQL transaction-level advisory lock (shared by every chain, so two chains
never wait on each other in opposite orders) before reading the chain's last hash: concurrent writers
queue instead of forking the chain. SQLite serialises writers by itself.
"""

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.db import connections, models

GENESIS = "0" * 64
LOCK_KEY = 7_309_475_737_657_937  # pg_advisory_xact_lock key of the record chains ("pocflow" in spirit)


def _value(field, value):
    if value is None:
        return None
    if isinstance(field, models.DecimalField):
        return str(Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places)))
    if isinstance(field, models.DateTimeField):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(field, models.DateField):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def canonical(instance) -> str:
    fields = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in ("prev_hash", "row_hash"):
            continue
        fields[field.attname] = _value(field, getattr(instance, field.attname))
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def row_hash(prev_hash: str, instance) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical(instance)}".encode()).hexdigest()


def lock(using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def last_hash(model, using: str) -> str:
    return (model._default_manager.using(using).order_by("-pk").values_list("row_hash", flat=True).first()
            or GENESIS)


def seal(instances, using: str) -> None:
    """Give each new row (in order) its place in the chain; the caller inserts them in that order within
    the same transaction, after this call took the lock."""
    if not instances:
        return
    model = type(instances[0])
    lock(using)
    prev = last_hash(model, using)
    for instance in instances:
        instance.prev_hash = prev
        instance.row_hash = prev = row_hash(prev, instance)


# -- triggers ------------------------------------------------------------------------------------

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION pocflow_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'pocflow: % rows are append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
"""
TRIGGER_NAME = "pocflow_append_only"


def install_triggers(connection, tables) -> None:
    """Refuse UPDATE and DELETE on `tables` (PostgreSQL; idempotent). TRUNCATE stays possible for
    whoever owns the database (a restore, the test runner)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION_SQL)
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER_NAME} ON {quoted}")
            cursor.execute(f"CREATE TRIGGER {TRIGGER_NAME} BEFORE UPDATE OR DELETE ON {quoted} "
                           f"FOR EACH ROW EXECUTE FUNCTION pocflow_refuse_change()")


def tables_with_trigger(connection) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                       "WHERE t.tgname = %s AND NOT t.tgisinternal", [TRIGGER_NAME])
        return {row[0] for row in cursor.fetchall()}
