"""A real Celery worker on Redis, killed (SIGKILL) while it renders a decision letter: the letter and its
mail are still delivered, exactly once, by the restarted worker — after the message comes back or the
sweep re-drives the row. PostgreSQL only (the worker process needs the committed rows)."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.services import message_id
from core import outbox
from core.models import Delivery
from decisions.enums import DocumentKind
from decisions.models import Document
from decisions.services.owed import LETTER
from proposals.enums import ProposalStatus as S
from tests.brokers import broker as use, use_broker
from tests.concurrency import POSTGRES_ONLY
from tests.helpers import World
from workflows import services

# one Redis database per xdist worker: two workers' test Celery processes must never share a queue
_XDIST = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = os.environ.get("OUTBOX_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{8 + _XDIST % 8}")
ROOT = Path(__file__).resolve().parents[2]


def _redis_up() -> bool:
    import redis  # noqa: PLC0415 — only this module needs the client

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = [*POSTGRES_ONLY, pytest.mark.skipif(not _redis_up(), reason=f"needs Redis at {REDIS_URL}")]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(tmp_path, name):
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": REDIS_URL,
           "MEDIA_ROOT": str(settings.MEDIA_ROOT), "OUTBOX_TEST_MARKER": str(tmp_path / "render-started"),
           "OUTBOX_TEST_MAIL_DIR": str(tmp_path / "mail"), "CELERY_VISIBILITY_TIMEOUT": "3",
           "PYTHONPATH": str(ROOT), "SECRET_KEY": "worker-test-" + "k" * 40 + "-0123456789", "ALLOWED_HOSTS": "127.0.0.1"}
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 — closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.outbox.worker_app", "worker", "--pool=prefork",
         "--concurrency=1", "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"{name}@%h",
         "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for(predicate, timeout=60.0, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


@pytest.fixture
def broker():
    import redis  # noqa: PLC0415

    redis.Redis.from_url(REDIS_URL).flushdb()
    with use(REDIS_URL):
        yield
    redis.Redis.from_url(REDIS_URL).flushdb()


def test_a_worker_killed_mid_render_still_delivers_the_letter_and_its_mail_exactly_once(tmp_path, broker):
    (tmp_path / "mail").mkdir()
    world = World()
    world.call.notice_days = 0
    world.call.save()
    proposal = world.in_funding(requested_amount=Decimal("100000.00"))
    worker = start_worker(tmp_path, "first")
    restarted = None
    try:
        # the decision commits and owes its letter; after commit it is queued on Redis for the worker
        services.decide_funding(proposal=proposal, manager=world.fund_manager, approve=True,
                                amount=Decimal("100000.00"))
        proposal.refresh_from_db()
        assert proposal.status == S.FUNDED
        owed = Delivery.objects.get(kind=LETTER, subject=f"proposal:{proposal.pk}")

        assert wait_for((tmp_path / "render-started").exists), (tmp_path / "first.log").read_text()
        os.killpg(worker.pid, signal.SIGKILL)  # master and child, mid-render
        worker.wait(10)
        owed.refresh_from_db()
        assert owed.done_at is None and owed.attempts == 0  # nothing half-recorded
        assert not Document.objects.filter(proposal=proposal).exists()

        restarted = start_worker(tmp_path, "restarted")
        # whichever comes first: Redis returns the unacknowledged message, or the sweep re-drives the row
        wait_for(lambda: Delivery.objects.filter(pk=owed.pk, done_at__isnull=False).exists(), timeout=15)
        outbox.sweep(now=timezone.now() + timedelta(minutes=5))
        assert wait_for(lambda: Delivery.objects.filter(pk=owed.pk, done_at__isnull=False).exists()), \
            (tmp_path / "restarted.log").read_text()
        mail_row = Delivery.objects.get(kind="mail.user", key__startswith="mail:letter-ready:")
        assert wait_for(lambda: Delivery.objects.filter(pk=mail_row.pk, done_at__isnull=False).exists())
        # let any duplicate message (the returned original, a second sweep) run out before counting
        outbox.sweep(now=timezone.now() + timedelta(hours=1))
        time.sleep(5)

        assert Document.objects.filter(proposal=proposal, kind=DocumentKind.APPROVAL_LETTER).count() == 1
        owed.refresh_from_db()
        assert owed.done_at is not None and owed.attempts == 1
        mails = [p.read_text() for p in (tmp_path / "mail").iterdir()]
        assert sum(m.count(f"Message-ID: {message_id(mail_row.key)}") for m in mails) == 1, mails
    finally:
        for process in (worker, restarted):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


def test_with_the_broker_down_the_decision_stands_and_its_letter_goes_out_once_the_broker_is_back(tmp_path, broker):
    (tmp_path / "mail").mkdir()
    (tmp_path / "render-started").write_text("no stall in this test")
    world = World()
    world.call.notice_days = 0
    world.call.save()
    proposal = world.in_funding(requested_amount=Decimal("100000.00"))
    use_broker("redis://127.0.0.1:9/0")  # the broker is down: nothing listens there
    services.decide_funding(proposal=proposal, manager=world.fund_manager, approve=True, amount=Decimal("100000.00"))
    proposal.refresh_from_db()
    owed = Delivery.objects.get(kind=LETTER, subject=f"proposal:{proposal.pk}")
    assert proposal.status == S.FUNDED and owed.is_pending and owed.attempts == 0

    use_broker(REDIS_URL)  # the broker is back, with a worker
    worker = start_worker(tmp_path, "worker")
    try:
        assert outbox.sweep(now=timezone.now() + timedelta(minutes=5)) >= 1
        assert wait_for(lambda: Delivery.objects.filter(pk=owed.pk, done_at__isnull=False).exists()), \
            (tmp_path / "worker.log").read_text()
        mail_row = Delivery.objects.get(kind="mail.user", key__startswith="mail:letter-ready:")
        assert wait_for(lambda: Delivery.objects.filter(pk=mail_row.pk, done_at__isnull=False).exists())
        assert Document.objects.filter(proposal=proposal, kind=DocumentKind.APPROVAL_LETTER).count() == 1
        mails = [p.read_text() for p in (tmp_path / "mail").iterdir()]
        assert sum(m.count(f"Message-ID: {message_id(mail_row.key)}") for m in mails) == 1
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
