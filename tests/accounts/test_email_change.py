"""Changing one's e-mail address: only through a link sent to the new address, never telling whether
another account has it."""

import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from accounts.services.email_change import EMAIL_CHANGE_SALT
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def profile_data(user, email):
    return {"full_name": user.full_name, "email": email, "phone": "", "organisation": "", "language": "en"}


@pytest.fixture
def user(client):
    user = UserFactory(language="en", email="me@example.org", full_name="Li Wei")
    client.force_login(user)
    return user


def change(client, user, email, capture):
    with capture(execute=True):
        return client.post(reverse("accounts:profile"), profile_data(user, email), follow=True)


def link_in(message):
    return re.search(r"http://127\.0\.0\.1:8000(\S+)", message.body).group(1)


def notices(response):
    return [str(m) for m in response.context["messages"]]


def test_a_new_address_waits_for_its_link_and_the_profile_says_where_it_was_sent(
        client, user, django_capture_on_commit_callbacks):
    response = change(client, user, "new@example.org", django_capture_on_commit_callbacks)

    user.refresh_from_db()
    assert user.email == "me@example.org"
    assert "We sent a confirmation link to new@example.org." in " ".join(notices(response))
    [message] = mail.outbox
    assert message.to == ["new@example.org"]
    assert message.subject == "[pocflow] Confirm your new e-mail address"


def test_the_link_applies_the_change_once_and_tells_the_old_address(client, user, django_capture_on_commit_callbacks):
    change(client, user, "new@example.org", django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    mail.outbox.clear()

    page = client.get(link)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)
    again = client.post(link)

    user.refresh_from_db()
    assert page.status_code == 200 and "new@example.org" in page.content.decode()
    assert (response.status_code, response.url) == (302, reverse("accounts:profile"))
    assert user.email == "new@example.org"
    assert again.status_code == 400
    [notice] = mail.outbox
    assert notice.to == ["me@example.org"]
    assert notice.subject == "[pocflow] Your e-mail address was changed"


def test_a_taken_address_answers_the_same_changes_nothing_and_tells_its_owner(
        client, user, django_capture_on_commit_callbacks):
    other = UserFactory(email="taken@example.org", language="en")
    free = change(client, user, "free@example.org", django_capture_on_commit_callbacks)
    mail.outbox.clear()

    taken = change(client, user, "Taken@example.org", django_capture_on_commit_callbacks)

    user.refresh_from_db()
    assert user.email == "me@example.org"
    assert notices(taken) == [n.replace("free@example.org", "Taken@example.org") for n in notices(free)]
    assert taken.redirect_chain == free.redirect_chain
    [message] = mail.outbox
    assert message.to == [other.email]
    assert message.subject == "[pocflow] Someone tried to use your address for another account"


def test_a_link_for_an_address_taken_meanwhile_is_refused(client, user, django_capture_on_commit_callbacks):
    change(client, user, "new@example.org", django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    UserFactory(email="new@example.org")

    response = client.post(link)

    user.refresh_from_db()
    assert response.status_code == 409
    assert user.email == "me@example.org"


def test_an_expired_or_forged_link_is_refused(client, user, settings):
    token = signing.dumps({"user": user.pk, "email": "new@example.org", "old": user.email}, salt=EMAIL_CHANGE_SALT)
    settings.EMAIL_CHANGE_MAX_AGE_SECONDS = -1

    expired = client.post(reverse("accounts:confirm_email", args=[token]))
    forged = client.post(reverse("accounts:confirm_email", args=[token[:-2] + "xx"]))

    user.refresh_from_db()
    assert (expired.status_code, forged.status_code) == (400, 400)
    assert "This link has expired or was already used." in expired.content.decode()
    assert user.email == "me@example.org"


def test_saving_the_profile_without_a_new_address_sends_nothing(client, user, django_capture_on_commit_callbacks):
    response = change(client, user, "ME@example.org", django_capture_on_commit_callbacks)

    assert notices(response) == ["Your profile was saved."]
    assert mail.outbox == []


def test_address_changes_are_rate_limited_per_user(client, user, settings, django_capture_on_commit_callbacks):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "profile_email_user": "2/h"}
    for n in range(2):
        change(client, user, f"new{n}@example.org", django_capture_on_commit_callbacks)

    refused = client.post(reverse("accounts:profile"), profile_data(user, "new9@example.org"))
    someone = UserFactory(language="en")
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(someone)
    allowed = other.post(reverse("accounts:profile"), profile_data(someone, "else@example.org"))

    assert refused.status_code == 429
    assert "Too many requests from you in a short time" in refused.content.decode()
    assert allowed.status_code == 302
