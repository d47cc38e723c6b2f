"""Named rate limits on the public edges: password reset, registration, document verification."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TOO_MANY = "Too many requests from you in a short time"


def reset(client, email, ip="198.51.100.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_password_reset_from_one_address_is_limited_and_other_addresses_are_not(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset_ip": "3/h"}

    answers = [reset(client, f"nobody{n}@example.org").status_code for n in range(3)]
    refused = reset(client, "nobody9@example.org")
    other = reset(client, "nobody9@example.org", ip="198.51.100.2")

    assert answers == [302, 302, 302]
    assert refused.status_code == 429
    assert TOO_MANY in refused.content.decode()
    assert refused["Retry-After"] == "60"
    assert other.status_code == 302


def test_thirty_reset_requests_send_at_most_three_mails_to_one_inbox_and_every_answer_is_the_same(client):
    user = UserFactory(language="en")

    answers = {(r.status_code, r.url) for r in (reset(client, user.email, ip=f"198.51.100.{n}") for n in range(30))}
    other = UserFactory(language="en")
    reset(client, other.email, ip="198.51.100.200")

    assert answers == {(302, reverse("password_reset_done"))}
    assert [m.to for m in mail.outbox] == [[user.email]] * 3 + [[other.email]]


def without_csrf(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_the_per_address_limit_answers_like_an_unknown_address(client):
    user = UserFactory(language="en")
    for n in range(3):
        reset(client, user.email, ip=f"198.51.100.{n}")

    limited = client.post(reverse("password_reset"), {"email": user.email}, REMOTE_ADDR="198.51.100.50", follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, REMOTE_ADDR="198.51.100.51",
                          follow=True)

    assert limited.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert without_csrf(limited) == without_csrf(unknown)
    assert "If an account uses that address" in limited.content.decode()


def registration(n):
    return {"username": f"new{n}", "email": f"new{n}@example.org", "full_name": "新用户", "language": "en",
            "password1": "Perovskite-2026!", "password2": "Perovskite-2026!"}


def test_registration_from_one_address_is_limited_and_other_addresses_are_not(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register_ip": "2/h"}

    answers = [client.post(reverse("accounts:register"), registration(n), REMOTE_ADDR="198.51.100.1").status_code
               for n in range(2)]
    refused = client.post(reverse("accounts:register"), registration(3), REMOTE_ADDR="198.51.100.1")
    other = client.post(reverse("accounts:register"), registration(4), REMOTE_ADDR="198.51.100.2")

    assert answers == [302, 302]
    assert refused.status_code == 429
    assert TOO_MANY in refused.content.decode()
    assert other.status_code == 302
    assert client.get(reverse("accounts:register"), REMOTE_ADDR="198.51.100.1").status_code == 200  # reading is free


def test_document_verification_from_one_address_is_limited_and_other_addresses_are_not(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify_ip": "3/m"}
    check = {"sha256": "0" * 64}

    answers = [client.post(reverse("decisions:verify"), check, REMOTE_ADDR="198.51.100.1").status_code
               for _ in range(3)]
    refused = client.post(reverse("decisions:verify"), check, REMOTE_ADDR="198.51.100.1")
    other = client.post(reverse("decisions:verify"), check, REMOTE_ADDR="198.51.100.2")

    assert answers == [200, 200, 200]
    assert refused.status_code == 429
    assert TOO_MANY in refused.content.decode()
    assert other.status_code == 200
