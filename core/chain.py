"""Hash chains over append-only records (the audit trail, the ledger) and the database triggers that
refuse UPDATE and DELETE on every append-only table.

A chained row is written as any row is, then *sealed* right after its transaction commits: the sealer
gives it the next `chain_seq`, `prev_hash` (the hash of the row before it in the chain; zeros for the
first) and `row_hash` = SHA-256 of `prev_hash`, a newline and the row's canonical content — its fields
except the primary key and the chain columns, as JSON with sorted keys, decimals at their field's
scale, times in UTC ISO 8601 and foreign keys as ids. Changing, removing or reordering a sealed row
breaks the chain at that row, which `manage.py verify_records` reports.

Only the sealer takes the chain's lock (one PostgreSQL transaction-level advisory lock, in its own
short transaction), and it sees committed rows only, so sealers never fork the chain and the writers'
own transactions never wait on it (a lock held from the first audit row to the commit deadlocked
against row locks taken later in the same transaction). A row left unsealed by a crash between its
commit and its sealing is sealed by the next seal or the timer sweep. The trigger lets exactly one
UPDATE through: the sealing of a row not yet sealed, changing nothing but the chain columns.
"""

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.db import connections, models, transaction

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
        if field.primary_key or field.name in CHAIN_FIELDS:
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


CHAIN_FIELDS = ("prev_hash", "row_hash", "chain_seq")


def seal_pending(model, using: str = "default", batch: int = 2000) -> int:
    """Seal every committed, unsealed row of `model` in primary-key order; returns how many."""
    sealed = 0
    while True:
        with transaction.atomic(using=using):
            lock(using)
            manager = model._default_manager.using(using)
            rows = list(manager.filter(chain_seq__isnull=True).order_by("pk")[:batch])
            if not rows:
                return sealed
            head = manager.filter(chain_seq__isnull=False).order_by("-chain_seq").values_list(
                "chain_seq", "row_hash").first() or (0, GENESIS)
            seq, prev = head
            for row in rows:
                seq += 1
                row.chain_seq, row.prev_hash = seq, prev
                row.row_hash = prev = row_hash(prev, row)
            manager.bulk_update(rows, list(CHAIN_FIELDS))
            sealed += len(rows)


def seal_after_commit(model, using: str) -> None:
    """Seal once the writer's transaction commits (at once when there is none); one seal per model and
    transaction, however many rows it writes."""
    connection = connections[using]
    if any(getattr(func, "seals", None) is model for _sids, func, _robust in connection.run_on_commit):
        return

    def seal():
        seal_pending(model, using)

    seal.seals = model
    transaction.on_commit(seal, using=using, robust=True)


# -- triggers ------------------------------------------------------------------------------------

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION pocflow_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- the one update allowed: sealing a chained row not yet sealed, touching only the chain columns
    IF TG_OP = 'UPDATE' AND to_jsonb(OLD) ? 'chain_seq' AND (to_jsonb(OLD) ->> 'chain_seq') IS NULL
       AND (to_jsonb(NEW) ->> 'chain_seq') IS NOT NULL AND (to_jsonb(OLD) - 'chain_seq' - 'prev_hash' - 'row_hash')
           = (to_jsonb(NEW) - 'chain_seq' - 'prev_hash' - 'row_hash') THEN
        RETURN NEW;
    END IF;
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
