"""/healthz and /readyz: no login, JSON, 503 naming the failing check, no secrets."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from core.models import Delivery
from tests.brokers import broker

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_liveness_answers_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_is_ok_when_every_check_passes(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "media": "ok",
                                                          "outbox": "ok"}}


def test_readiness_names_a_closed_broker_port_without_its_address(client):
    with broker("redis://:s3cret@127.0.0.1:9/0"):
        response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503 and body["status"] == "fail"
    assert body["checks"]["broker"].startswith("unreachable") and body["checks"]["database"] == "ok"
    assert "s3cret" not in response.content.decode() and "127.0.0.1" not in response.content.decode()


def test_readiness_fails_on_a_media_root_that_cannot_be_written(client, settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["media"].startswith("not writable")


@override_settings(READYZ_OUTBOX_MAX_BACKLOG=2, READYZ_OUTBOX_STALE_SECONDS=600)
def test_readiness_fails_when_owed_deliveries_pile_up(client):
    old = timezone.now() - timedelta(hours=2)
    for i in range(3):
        Delivery.objects.create(kind="mail.user", key=f"stale-{i}", next_attempt_at=old)
    Delivery.objects.filter(key__startswith="stale-").update(created_at=old)
    assert client.get("/readyz").status_code == 503
    Delivery.objects.filter(key="stale-0").update(done_at=timezone.now())
    assert client.get("/readyz").status_code == 200


def test_readiness_fails_with_a_broken_database_url_and_liveness_still_answers():
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "r = c.get('/readyz'); h = c.get('/healthz')\n"
        "print(json.dumps({'ready': r.status_code, 'body': r.json(), 'live': h.status_code}))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pocflow.settings", "ALLOWED_HOSTS": "testserver",
           "DATABASE_URL": "postgres://nobody:topsecret@127.0.0.1:9/nowhere", "PYTHONPATH": str(ROOT)}
    env.pop("CELERY_BROKER_URL", None)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["ready"] == 503 and answer["live"] == 200
    assert answer["body"]["checks"]["database"].startswith("unreachable")
    assert "topsecret" not in result.stdout
