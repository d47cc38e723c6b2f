"""Optional TOTP two-factor login (django-otp): enrolment, the code step, removal, enforcement, admin."""

import re

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PASSWORD = "pw-secret-123"
WRONG_CODE = "This code is not valid"


def code(device, drift=0):
    """The code the authenticator app shows now (drift: steps ahead, accepted within the tolerance)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def wrong(device):
    return f"{(int(code(device)) + 1) % 1_000_000:06d}"


@pytest.fixture
def manager(client):
    user = UserFactory(role=Role.FUND_MANAGER, language="en")
    client.force_login(user)
    return user


@pytest.fixture
def enrolled():
    user = UserFactory(role=Role.PROGRAM_OFFICER, language="en")
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user, device


def test_the_enrolment_page_shows_an_inline_svg_qr_code_and_the_key_in_text(client, manager):
    response = client.get(reverse("accounts:two_factor"))

    html = response.content.decode()
    device = TOTPDevice.objects.get(user=manager)
    assert response.status_code == 200
    assert "<svg" in html and re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []  # the code needs no script
    assert response.context["secret"] in html
    assert not device.confirmed


def test_enrolment_is_confirmed_by_a_current_code_from_the_device(client, manager):
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=manager)

    response = client.post(reverse("accounts:two_factor"), {"token": code(device)})

    device.refresh_from_db()
    assert (response.status_code, response.url) == (302, reverse("accounts:two_factor"))
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_a_wrong_enrolment_code_is_refused_and_confirms_nothing(client, manager):
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=manager)

    response = client.post(reverse("accounts:two_factor"), {"token": wrong(device)})

    device.refresh_from_db()
    assert response.status_code == 400
    assert WRONG_CODE in response.content.decode()
    assert not device.confirmed


@pytest.mark.parametrize(("role", "status"), [(Role.FUND_MANAGER, 200), (Role.ADMINISTRATOR, 200),
                                              (Role.PROGRAM_OFFICER, 200), (Role.RESEARCHER, 403),
                                              (Role.EXPERT, 403)])
def test_staff_may_enrol_and_researchers_and_experts_may_not(client, role, status):
    client.force_login(UserFactory(role=role))

    assert client.get(reverse("accounts:two_factor")).status_code == status


def test_a_superuser_may_enrol(admin_client):
    assert admin_client.get(reverse("accounts:two_factor")).status_code == 200


def log_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def test_with_a_device_the_password_alone_does_not_sign_in(client, enrolled):
    user, _device = enrolled

    response = log_in(client, user)

    assert (response.status_code, response.url) == (302, reverse("accounts:login_code"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302  # still anonymous


def test_the_right_code_signs_in_verified(client, enrolled):
    user, device = enrolled
    log_in(client, user)

    response = client.post(reverse("accounts:login_code"), {"token": code(device)})

    assert (response.status_code, response.url) == (302, reverse("home"))
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_a_wrong_code_is_refused_with_a_message_and_counts_as_a_failed_login(client, enrolled):
    user, device = enrolled
    log_in(client, user)

    response = client.post(reverse("accounts:login_code"), {"token": wrong(device)})

    assert response.status_code == 400
    assert WRONG_CODE in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 1


def test_wrong_codes_lead_to_the_lockout(client, enrolled):
    user, device = enrolled
    log_in(client, user)

    statuses = [client.post(reverse("accounts:login_code"), {"token": wrong(device)}).status_code for _ in range(5)]
    right = client.post(reverse("accounts:login_code"), {"token": code(device)})

    assert statuses == [400] * 4 + [429]
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_django_otp_throttles_the_device_after_a_wrong_code(client, enrolled):
    user, device = enrolled
    log_in(client, user)
    client.post(reverse("accounts:login_code"), {"token": wrong(device)})

    response = client.post(reverse("accounts:login_code"), {"token": code(device)})

    device.refresh_from_db()
    assert response.status_code == 400  # right, but too soon after a wrong one
    assert device.throttling_failure_count >= 1


def test_the_code_step_without_a_password_step_sends_back_to_the_login(client):
    response = client.get(reverse("accounts:login_code"))

    assert (response.status_code, response.url) == (302, reverse("login"))


def test_removing_the_device_needs_a_current_code(client, enrolled):
    user, device = enrolled
    client.force_login(user)

    refused = client.post(reverse("accounts:two_factor_remove"), {"token": wrong(device)})
    assert TOTPDevice.objects.filter(user=user).exists()
    device.throttling_failure_count = 0
    device.save()
    removed = client.post(reverse("accounts:two_factor_remove"), {"token": code(device)})

    assert refused.status_code == 400
    assert (removed.status_code, removed.url) == (302, reverse("accounts:two_factor"))
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_an_administrator_resets_a_users_device_in_the_admin(admin_client, enrolled):
    user, _device = enrolled

    response = admin_client.post(reverse("admin:accounts_user_changelist"),
                                 {"action": "reset_two_factor", "_selected_action": [user.pk]})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_the_admin_login_is_pocflows_login(client):
    response = client.get("/admin/login/?next=/admin/")

    assert (response.status_code, response.url) == (302, f"{reverse('login')}?next=/admin/")


class TestEnforcement:
    @pytest.fixture(autouse=True)
    def required(self, settings):
        settings.OTP_REQUIRED_FOR_ADMINS = True

    @pytest.mark.parametrize("path", ["/", "/admin/", "/accounts/profile/"])
    def test_an_unenrolled_administrator_is_sent_to_enrolment_from_every_page(self, client, path):
        client.force_login(UserFactory(role=Role.ADMINISTRATOR, is_staff=True))

        response = client.get(path)

        assert (response.status_code, response.url) == (302, reverse("accounts:two_factor"))

    def test_an_unenrolled_superuser_is_sent_to_enrolment_from_the_admin_site(self, admin_client):
        response = admin_client.get(reverse("admin:index"))

        assert (response.status_code, response.url) == (302, reverse("accounts:two_factor"))

    def test_the_enrolment_page_itself_opens(self, admin_client):
        assert admin_client.get(reverse("accounts:two_factor")).status_code == 200

    def test_a_researcher_and_a_fund_manager_are_not_sent(self, client):
        for role in (Role.RESEARCHER, Role.FUND_MANAGER):
            client.force_login(UserFactory(role=role))
            assert client.get(reverse("home")).status_code == 200

    def test_an_enrolled_administrator_who_logged_in_with_the_code_works_normally(self, client):
        admin = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
        device = TOTPDevice.objects.create(user=admin, name="authenticator", confirmed=True)
        log_in(client, admin)
        client.post(reverse("accounts:login_code"), {"token": code(device)})

        assert client.get(reverse("home")).status_code == 200
        assert client.get(reverse("admin:index")).status_code == 200

    def test_an_administrators_session_not_verified_by_a_code_is_signed_out(self, client):
        admin = UserFactory(role=Role.ADMINISTRATOR, is_staff=True)
        TOTPDevice.objects.create(user=admin, name="authenticator", confirmed=True)
        client.force_login(admin)  # a session from before the device was enrolled

        response = client.get(reverse("home"))

        assert (response.status_code, response.url) == (302, f"{reverse('login')}?next=/")
        assert "_auth_user_id" not in client.session

    def test_without_the_setting_an_unenrolled_administrator_works_normally(self, client, settings):
        settings.OTP_REQUIRED_FOR_ADMINS = False
        client.force_login(UserFactory(role=Role.ADMINISTRATOR, is_staff=True))

        assert client.get(reverse("home")).status_code == 200
