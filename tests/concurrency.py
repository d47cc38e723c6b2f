"""Races for the PostgreSQL-only concurrency tests: real threads, each with its own connection."""

import os
import threading

import pytest
from django.db import connections

# Module-level `pytestmark` for tests whose guarantees hold on PostgreSQL only
# (SQLite serialises writers and ignores SELECT ... FOR UPDATE).
POSTGRES_ONLY = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="concurrency guarantees are tested on PostgreSQL (SQLite ignores SELECT ... FOR UPDATE)",
    ),
]


def race(fns):
    """Start every callable at the same moment; return ("ok", value) or ("error", exception) per callable."""
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except Exception as exc:  # noqa: BLE001 - recorded for the assertion
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results
