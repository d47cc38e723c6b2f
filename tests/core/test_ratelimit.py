"""Named rate limits: a request over one is answered 429 with a translated page and Retry-After; the
deploy check warns while the counters are per process."""

import pytest
from django.test import RequestFactory, override_settings
from django.utils import translation
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from core.middleware import RefusalMiddleware
from core.ratelimit import limit, shared_cache


def test_a_request_over_a_named_limit_is_limited_by_that_limits_setting(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify_ip": "2/m"}
    request = RequestFactory().get("/documents/verify/", REMOTE_ADDR="203.0.113.7")
    seen = [is_ratelimited(request, group="test-verify", key="ip", rate=limit("verify_ip"), increment=True)
            for _ in range(3)]
    assert seen == [False, False, True]
    other = RequestFactory().get("/documents/verify/", REMOTE_ADDR="203.0.113.8")
    assert not is_ratelimited(other, group="test-verify", key="ip", rate=limit("verify_ip"), increment=True)


@pytest.mark.django_db
def test_ratelimited_is_answered_429_with_a_translated_message_and_retry_after():
    request = RequestFactory().post("/objections/")
    request.user = None
    with translation.override("zh-hans"):
        response = RefusalMiddleware(lambda r: None).process_exception(request, Ratelimited())
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "请求过于频繁" in response.content.decode()


def test_the_deploy_check_warns_while_the_cache_is_per_process():
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        assert [w.id for w in shared_cache(None)] == ["pocflow.W010"]
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": "redis://127.0.0.1:6379/1"}}):
        assert shared_cache(None) == []
