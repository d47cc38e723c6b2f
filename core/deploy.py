"""The servers (gunicorn through pocflow.wsgi, the Celery worker and beat) refuse to start with DEBUG
off unless the installation has its own SECRET_KEY and ALLOWED_HOSTS: a production process never runs
on the development defaults. `manage.py` commands still run (migrations, backups, the tests)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0", ""}


def problems() -> list[str]:
    if settings.DEBUG:
        return []
    found = []
    key = settings.SECRET_KEY or ""
    if key == settings.INSECURE_SECRET_KEY or len(key) < 50 or len(set(key)) < 5:
        found.append("SECRET_KEY: set a long random secret (50+ characters), e.g. "
                     "python -c 'import secrets; print(secrets.token_urlsafe(50))'")
    if not settings.ALLOWED_HOSTS_SET:
        found.append("ALLOWED_HOSTS: list the host names this server answers to, e.g. poc.example.edu.cn")
    return found


def refuse_unsafe_start() -> None:
    found = problems()
    if found:
        raise ImproperlyConfigured("pocflow will not serve with DEBUG off until these are set (see .env.example): "
                                   + "; ".join(found))


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(app_configs=None, **kwargs):
    """Letters print SITE_URL as the address to verify them and to sign in: a loopback address there would be
    printed on every document a center sends."""
    if settings.DEBUG or urlsplit(settings.SITE_URL).hostname not in LOOPBACK | {None}:
        return []
    return [checks.Warning(
        f"SITE_URL is {settings.SITE_URL!r}: every letter would print this address for verification.",
        hint="Set SITE_URL to the public address of this installation, e.g. https://poc.example.edu.cn (.env.example).",
        id="pocflow.W011")]
