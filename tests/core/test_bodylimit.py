"""Request bodies over their URL's limit are refused with 413 before a byte of them is read."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.bodylimit import MB, body_limit

pytestmark = pytest.mark.django_db


class Untouchable(io.RawIOBase):
    """A wsgi.input that fails the test if more than a few bytes of it are read."""

    def __init__(self, allowed=16):
        self.allowed, self.taken = allowed, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        self.taken += len(buffer)
        if self.taken > self.allowed:
            raise AssertionError("the body was read")
        buffer[: len(buffer)] = b"\0" * len(buffer)
        return len(buffer)


def post(url, *, body=b"", content_type="application/x-www-form-urlencoded", **environ):
    """POST through the whole middleware stack; `environ` may replace Content-Length and wsgi.input."""
    with translation.override("en"):
        return Client().post(url, data=body, content_type=content_type, HTTP_ACCEPT_LANGUAGE="en",
                             CONTENT_TYPE=content_type, **environ)


def test_200_mb_declared_to_the_verify_page_is_refused_without_reading_it():
    stream = Untouchable()

    response = post(reverse("decisions:verify"), content_type="multipart/form-data; boundary=xyz",
                    CONTENT_LENGTH=str(200 * MB), **{"wsgi.input": stream})

    assert response.status_code == 413
    assert response["Connection"] == "close"
    assert "What you sent is larger than this page accepts (5 MB)." in response.content.decode()
    assert stream.taken == 0


def test_verification_within_the_limit_still_works():
    response = post(reverse("decisions:verify"), body=b"sha256=" + b"ab" * 32)

    assert response.status_code == 200
    assert (response.context["checked"], response.context["sha256"]) == (True, "ab" * 32)


def test_chunked_body_within_the_limit_is_read_and_parsed():
    body = b"sha256=" + b"cd" * 32

    response = post(reverse("decisions:verify"), CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked",
                    **{"wsgi.input": io.BytesIO(body)})

    assert response.status_code == 200
    assert response.context["sha256"] == "cd" * 32


def test_chunked_body_is_read_only_up_to_the_limit_then_refused():
    stream = io.BytesIO(b"x" * (6 * MB))

    response = post(reverse("decisions:verify"), CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked",
                    **{"wsgi.input": stream})

    assert response.status_code == 413
    assert stream.tell() == 5 * MB + 1  # the limit and one byte more, never the rest


def test_json_clients_get_the_refusal_as_json():
    response = post(reverse("decisions:verify"), CONTENT_LENGTH=str(6 * MB), HTTP_ACCEPT="application/json",
                    **{"wsgi.input": Untouchable()})

    assert response.status_code == 413
    assert response.json()["error"].startswith("What you sent is larger than this page accepts")


def test_the_expert_import_has_its_own_limit(rf, settings):
    assert body_limit(rf.post(reverse("pool:import"))) == settings.REQUEST_BODY_LIMITS["pool:import"]


@pytest.mark.parametrize("path", ["/no-such-page/", "/documents/verify/"])
def test_limits_come_from_settings(rf, settings, path):
    settings.REQUEST_BODY_MAX_BYTES = 123
    settings.REQUEST_BODY_LIMITS = {}

    assert body_limit(rf.post(path)) == 123


def test_a_body_within_the_default_limit_reaches_the_view(settings):
    settings.REQUEST_BODY_MAX_BYTES = 10
    settings.REQUEST_BODY_LIMITS = {}

    refused = post(reverse("decisions:verify"), body=b"sha256=" + b"ab" * 32)
    passed = post(reverse("decisions:verify"), body=b"sha256=1")

    # the small body reached the view: its answer to a malformed fingerprint is the form's 400, not a 413
    assert (refused.status_code, passed.status_code) == (413, 400)
    assert "sha256" in passed.context["form"].errors
