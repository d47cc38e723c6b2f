"""The servers (gunicorn through pocflow.wsgi, the Celery worker and beat) refuse to start with DEBUG
off unless the installation has its own SECRET_KEY and ALLOWED_HOSTS: a production process never runs
on the development defaults. `manage.py` commands still run (migrations, backups, the tests)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


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
