"""The production recipe, run: static files collected as `make build` does, gunicorn started with the
repository's gunicorn.conf.py and DEBUG off on a free port; a page and its stylesheet both answer."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 — a local test server
        return response.status, dict(response.headers), response.read()


@pytest.fixture
def production_server(tmp_path):
    port = free_port()
    env = {**os.environ, "DJANGO_DEBUG": "0", "SECRET_KEY": "x" * 20 + "-production-test-key-" + "y" * 20,
           "ALLOWED_HOSTS": "127.0.0.1", "STATIC_ROOT": str(tmp_path / "static"), "MEDIA_ROOT": str(tmp_path / "media"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PYTHONPATH": str(ROOT)}
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                   env={**env, "STATIC_MANIFEST": "1"}, check=True, timeout=300)
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 — closed below
    server = subprocess.Popen([str(GUNICORN), "pocflow.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                fetch(f"{base}/healthz")
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.2)
        yield base, tmp_path / "gunicorn.log"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        log.close()


def test_the_production_server_serves_a_page_and_its_hashed_compressed_stylesheet(production_server):
    base, log = production_server
    status, headers, body = fetch(f"{base}/accounts/login/")
    assert status == 200, log.read_text()
    assert headers["Content-Type"].startswith("text/html")
    stylesheet = re.search(rb'href="(/static/css/pocflow\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, body[:2000]

    status, headers, css = fetch(base + stylesheet.group(1).decode(), {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert headers.get("Content-Encoding") == "gzip"
    assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
