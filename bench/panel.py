"""The panel chair's ranked table over HTTP (issue #13 item 3): a 1,000-proposal call × 5 reviews, the full
table (`?all=1`) and the first screen, p50 of 20 warm requests after warm-up, with the query count and the
full garbage collections that landed inside the timed requests (the gunicorn worker settles its heap
after start-up with core.heap.settle: gc.freeze and larger thresholds; the benchmark does the same). Also times the snapshot refresh a
change pays (reviews.services.snapshot), which the pages no longer do.

    python -m bench --only panel [--panel-proposals N]
"""

import gc
import statistics
import time

PROPOSALS = 1_000
K = 5
WARM = 3
RUNS = 20


def configure(*, proposals=None):
    global PROPOSALS
    PROPOSALS = proposals or PROPOSALS


def _timed(client, url, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM):
        assert client.get(url, params).status_code == 200
    full = []  # (start, stop) of each full collection during the timed requests

    def watch(phase, info):
        if info["generation"] == 2:
            if phase == "start":
                full.append([time.perf_counter(), None])
            elif full:
                full[-1][1] = time.perf_counter()

    gc.callbacks.append(watch)
    times = []
    try:
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, params)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200
    finally:
        gc.callbacks.pop()
    spent = sum(stop - start for start, stop in full if stop is not None)
    return statistics.median(times), len(queries.captured_queries), len(full), len(response.content), times, spent


def main():
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment
    from django.urls import reverse

    from accounts.enums import Role
    from accounts.models import User
    from accounts.roles import ensure_role_groups, grant_role
    from bench import aggregation
    from bench.record import record
    from core.heap import settle

    old = aggregation.PROPOSALS, aggregation.K
    aggregation.PROPOSALS, aggregation.K = PROPOSALS, K
    try:
        criteria, proposals, reviews, _offsets, expert_types = aggregation.generate()
    finally:
        aggregation.PROPOSALS, aggregation.K = old
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        call = aggregation._populate(criteria, proposals, reviews, expert_types)
        refresh = None
        try:
            from reviews.services.snapshot import refresh_panel_snapshot
        except ImportError:  # before the stored snapshot: the page computed on every request
            refresh_panel_snapshot = None
        if refresh_panel_snapshot is not None:
            refresh_panel_snapshot(call=call)  # first build
            from reviews.models import RankingAdjustment

            times = []
            for _ in range(3):  # what a change pays: the chair's order changes every time, so all rows rewrite
                first = call.proposals.order_by("pk").first()
                chair = User.objects.filter(username="bench-chair").first() or User.objects.create(username="bench-chair")
                RankingAdjustment.objects.create(call=call, proposal=first, from_position=1, to_position=1, reason="bench",
                                                 order=[first.pk, *[p.pk for p in call.proposals.order_by("-pk")[:3]]],
                                                 actor=chair)
                started = time.perf_counter()
                refresh_panel_snapshot(call=call)
                times.append(time.perf_counter() - started)
            refresh = statistics.median(times)
        chair = User.objects.create(username="bench-panel-chair", full_name="会评主任委员")
        ensure_role_groups()
        grant_role(chair, Role.PANEL_CHAIR)
        client = Client()
        client.force_login(chair)
        client.cookies["django_language"] = "zh-hans"
        url = reverse("panel:call", args=[call.pk])
        defaults = gc.get_threshold()
        settle()  # as gunicorn.conf.py's post_worker_init does after start-up
        full = _timed(client, url, {"all": "1"})
        first = _timed(client, url, {})
        gc.unfreeze()
        gc.set_threshold(*defaults)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    sizes = {"proposals": PROPOSALS, "k": K, "requests": RUNS}
    print(f"Panel page: {PROPOSALS} proposals × {K} reviews, p50 of {RUNS} warm requests after {WARM} warm-up ones")
    for label, (p50, queries, gcs, size, times, spent) in (("full table (?all=1)", full), ("first screen", first)):
        print(f"  {label}: p50 {p50 * 1000:.0f} ms, {queries} queries, {gcs} full GC in {RUNS} requests "
              f"({spent * 1000:.0f} ms in all), "
              f"{size / 1024:.0f} KiB  [min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms]")
    if refresh is not None:
        print(f"  snapshot refresh a change pays (compute + rewrite every row): median of 3 {refresh * 1000:.0f} ms")
    record("panel: full ranked table, 1,000 rows (p50)", full[0], "s", sizes=sizes, target=0.2)
    record("panel: full ranked table, queries", full[1], "queries", sizes=sizes)
    record("panel: full ranked table, full GCs in 20 requests", full[2], "count", sizes=sizes, target=0)
    record("panel: first screen (p50)", first[0], "s", sizes=sizes, target=0.06)
    record("panel: first screen, queries", first[1], "queries", sizes=sizes)
    if refresh is not None:
        record("panel: snapshot refresh per change (median)", refresh, "s", sizes=sizes)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pocflow.settings")
    django.setup()
    main()
