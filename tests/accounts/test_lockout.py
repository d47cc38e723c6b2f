"""Login lockout (django-axes): by username and by address, the cool-off, the page, the admin."""

import datetime as dt

import pytest
from axes.exceptions import AxesBackendRequestParameterRequired
from axes.models import AccessAttempt, AccessLog
from axes.utils import reset
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.client_ip import client_ip
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PASSWORD = "pw-secret-123"


def attempt(client, username, password, ip="198.51.100.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_then_the_right_one_is_refused_with_the_translated_lockout_page(client):
    user = UserFactory(language="en")

    failures = [attempt(client, user.username, "wrong").status_code for _ in range(5)]
    response = attempt(client, user.username, PASSWORD)

    assert failures[:4] == [200] * 4
    assert response.status_code == 429
    html = response.content.decode()
    assert "Logging in is blocked for 15 minutes" in html
    assert reverse("password_reset") in html
    assert "Account locked" not in html  # not django-axes' own text
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_the_lockout_holds_from_another_address_for_the_same_username(client):
    user = UserFactory()
    for _ in range(5):
        attempt(client, user.username, "wrong", ip="198.51.100.1")

    response = attempt(client, user.username, PASSWORD, ip="203.0.113.9")

    assert response.status_code == 429


def test_after_the_cool_off_the_right_password_works(client):
    user = UserFactory()
    for _ in range(5):
        attempt(client, user.username, "wrong")
    assert attempt(client, user.username, PASSWORD).status_code == 429
    # the cool-off passes: the failures are now older than AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))

    response = attempt(client, user.username, PASSWORD)

    assert (response.status_code, response.url) == (302, reverse("home"))
    assert client.session["_auth_user_id"] == str(user.pk)


def test_axes_reset_unlocks_at_once(client):
    user = UserFactory()
    for _ in range(5):
        attempt(client, user.username, "wrong")
    reset(username=user.username)
    response = attempt(client, user.username, PASSWORD)

    assert response.status_code == 302


def test_an_address_trying_many_usernames_is_locked_out_even_for_a_real_account(client):
    user = UserFactory()
    for n in range(5):
        attempt(client, f"guess{n}", "wrong", ip="198.51.100.77")

    hammering = attempt(client, user.username, PASSWORD, ip="198.51.100.77")
    elsewhere = attempt(client, user.username, PASSWORD, ip="198.51.100.78")

    assert hammering.status_code == 429
    assert elsewhere.status_code == 302


def test_a_successful_login_clears_the_failures_so_far(client):
    user = UserFactory()
    for _ in range(4):
        attempt(client, user.username, "wrong")
    assert attempt(client, user.username, PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        attempt(client, user.username, "wrong")
    response = attempt(client, user.username, PASSWORD)

    assert response.status_code == 302


def test_failures_and_logins_are_recorded_for_the_admin(admin_client):
    user = UserFactory()
    for _ in range(5):
        attempt(Client(), user.username, "wrong")

    page = admin_client.get(reverse("admin:axes_accessattempt_changelist"))

    row = AccessAttempt.objects.get(username=user.username)
    assert (row.failures_since_start, row.ip_address) == (5, "198.51.100.1")
    assert page.status_code == 200
    assert user.username in page.content.decode()
    assert admin_client.get(reverse("admin:axes_accesslog_changelist")).status_code == 200


def test_an_administrator_unlocks_an_account_by_deleting_its_attempt_in_the_admin(admin_client, client):
    user = UserFactory()
    for _ in range(5):
        attempt(client, user.username, "wrong")
    row = AccessAttempt.objects.get(username=user.username)

    admin_client.post(reverse("admin:axes_accessattempt_delete", args=[row.pk]), {"post": "yes"})
    response = attempt(client, user.username, PASSWORD)

    assert not AccessAttempt.objects.filter(username=user.username).exists()
    assert response.status_code == 302
    assert AccessLog.objects.filter(username=user.username).exists()  # the successful login is logged


def test_authenticate_without_a_request_is_refused_rather_than_unchecked():
    user = UserFactory()
    with pytest.raises(AxesBackendRequestParameterRequired):
        authenticate(username=user.username, password=PASSWORD)


@pytest.mark.parametrize(("proxies", "forwarded", "expected"), [
    (0, "6.6.6.6", "10.0.0.2"),                      # no trusted proxy: the header is anyone's
    (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),      # one proxy: the address it appended
    (2, "6.6.6.6, 203.0.113.5, 10.0.0.3", "203.0.113.5"),
    (1, "", "10.0.0.2"),                             # the header missing: the peer
])
def test_the_client_address_comes_from_x_forwarded_for_only_behind_trusted_proxies(settings, proxies, forwarded,
                                                                                   expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_behind_a_trusted_proxy_the_lockout_counts_the_forwarded_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        client.post(reverse("login"), {"username": f"guess{n}", "password": "x"}, REMOTE_ADDR="10.0.0.2",
                    HTTP_X_FORWARDED_FOR="203.0.113.5")

    locked = client.post(reverse("login"), {"username": "someone", "password": "x"}, REMOTE_ADDR="10.0.0.2",
                         HTTP_X_FORWARDED_FOR="203.0.113.5")
    other = client.post(reverse("login"), {"username": "someone", "password": "x"}, REMOTE_ADDR="10.0.0.2",
                        HTTP_X_FORWARDED_FOR="203.0.113.6")

    assert (locked.status_code, other.status_code) == (429, 200)
