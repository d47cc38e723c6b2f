"""With DEBUG off the servers refuse the development SECRET_KEY and a missing ALLOWED_HOSTS; the
documented production environment passes `check --deploy` at warning level."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = secrets.token_urlsafe(50)


def run(code, **env_vars):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_DEBUG")}
    env.update({"PYTHONPATH": str(ROOT), **env_vars})
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_web_server_refuses_the_development_secret_key_with_debug_off():
    result = run("import pocflow.wsgi", DJANGO_DEBUG="0", ALLOWED_HOSTS="poc.example.edu.cn")
    assert result.returncode != 0
    assert "SECRET_KEY: set a long random secret" in result.stderr and "ALLOWED_HOSTS:" not in result.stderr


def test_the_web_server_refuses_to_start_without_allowed_hosts():
    result = run("import pocflow.wsgi", DJANGO_DEBUG="0", SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0 and "ALLOWED_HOSTS: list the host names" in result.stderr


def test_the_worker_refuses_as_the_web_server_does():
    code = "import sys; from celery.__main__ import main; sys.argv = ['celery', '-A', 'pocflow', 'worker', '--pool=solo']; main()"
    result = run(code, DJANGO_DEBUG="0", ALLOWED_HOSTS="a.example", CELERY_BROKER_URL="redis://127.0.0.1:9/0")
    assert result.returncode != 0 and "SECRET_KEY: set a long random secret" in result.stderr


def test_with_its_own_secret_and_hosts_it_starts_and_debug_needs_neither():
    assert run("import pocflow.wsgi", DJANGO_DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="a.example").returncode == 0
    assert run("import pocflow.wsgi", DJANGO_DEBUG="1").returncode == 0


def test_the_documented_production_environment_passes_check_deploy_at_warning_level():
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    values["SECRET_KEY"] = GOOD_KEY  # the example's placeholder is to be replaced, as it says
    env = {k: v for k, v in os.environ.items() if k not in values}
    env.update(values)
    env.pop("CELERY_BROKER_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set in this process by the browser tests (tests/browser)
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout


def test_a_loopback_site_url_is_flagged_for_production_because_letters_print_it():
    from django.test import override_settings  # noqa: PLC0415

    from core.deploy import check_site_url  # noqa: PLC0415

    with override_settings(DEBUG=False, SITE_URL="http://127.0.0.1:8000"):
        assert [w.id for w in check_site_url()] == ["pocflow.W011"]
    with override_settings(DEBUG=False, SITE_URL="https://poc.example.edu.cn"):
        assert check_site_url() == []
    with override_settings(DEBUG=True, SITE_URL="http://127.0.0.1:8000"):
        assert check_site_url() == []
