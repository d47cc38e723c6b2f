"""Named rate limits for the public edges (password reset, registration, objections, document
verification), applied with django-ratelimit's `@ratelimit(..., rate=limit("name"), block=True)`.

Each limit is a setting (`RATE_LIMITS`, each overridable from the environment as RATE_LIMIT_<NAME>,
e.g. RATE_LIMIT_VERIFY_IP=30/m); a request over it raises `Ratelimited`, which the refusal middleware
answers with 429, a translated page and Retry-After. The counters live in the default cache, which
must be shared by every server process in production (CACHE_URL): the deploy check says so."""

from django.conf import settings
from django.core import checks

NOT_SHARED = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


def limit(name: str):
    """django-ratelimit's `rate` for the named limit, read at request time (tests and operators change it)."""

    def rate(group, request):
        return settings.RATE_LIMITS[name]

    return rate


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in NOT_SHARED:
        return [checks.Warning(
            "The default cache is not shared between server processes: rate limits and login lockouts "
            "are counted per process.", hint="Set CACHE_URL, e.g. redis://127.0.0.1:6379/1 (.env.example).",
            id="pocflow.W010")]
    return []
