"""Registration tells nobody whether an address has an account: both paths answer "check your mail"."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.enums import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

User = get_user_model()


def form(username="liwei", email="liwei@example.edu.cn", language="en"):
    return {"username": username, "email": email, "full_name": "李伟", "language": language,
            "password1": "Perovskite-2026!", "password2": "Perovskite-2026!", "organisation_name": "清华大学"}


def register(client, capture, **fields):
    with capture(execute=True):
        return client.post(reverse("accounts:register"), form(**fields), follow=True)


def link_in(message):
    return re.search(r"https?://\S+", message.body).group(0).split("testserver", 1)[-1].replace(
        "http://127.0.0.1:8000", "")


def page_text(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_a_new_address_gets_an_inactive_account_and_the_activation_link(client, django_capture_on_commit_callbacks):
    response = register(client, django_capture_on_commit_callbacks)

    user = User.objects.get(username="liwei")
    assert response.redirect_chain == [(reverse("accounts:registered"), 302)]
    assert "Open the link in it to activate your account" in response.content.decode()
    assert (user.is_active, user.groups.filter(name=Role.RESEARCHER).exists()) == (False, True)
    assert "_auth_user_id" not in client.session
    [message] = mail.outbox
    assert message.to == ["liwei@example.edu.cn"]
    assert message.subject == "[pocflow] Activate your account"


def test_the_activation_link_activates_signs_in_and_works_once(client, django_capture_on_commit_callbacks):
    register(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])

    page = client.get(link)
    response = client.post(link)
    again = client.post(link)

    assert page.status_code == 200
    assert (response.status_code, response.url) == (302, reverse("home"))
    assert User.objects.get(username="liwei").is_active
    assert again.status_code == 400
    assert "This link has expired or was already used." in again.content.decode()


def test_a_forged_activation_link_is_refused(client):
    response = client.post(reverse("accounts:activate", args=["forged:token"]))

    assert response.status_code == 400
    assert "This link has expired or was already used." in response.content.decode()


def test_a_taken_address_answers_exactly_like_a_new_one_creates_nothing_and_warns_the_owner(
        client, django_capture_on_commit_callbacks):
    owner = UserFactory(email="owner@example.edu.cn", language="en", username="owner")
    fresh = register(client, django_capture_on_commit_callbacks, username="first", email="fresh@example.edu.cn")
    mail.outbox.clear()

    taken = register(client, django_capture_on_commit_callbacks, username="second", email="OWNER@example.edu.cn")

    assert taken.redirect_chain == fresh.redirect_chain
    assert page_text(taken) == page_text(fresh)
    assert not User.objects.filter(username="second").exists()
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert message.subject == "[pocflow] Someone tried to register with your address"
    assert "Your account's username is owner." in message.body
    assert "/accounts/password_reset/" in message.body


def test_the_warning_to_the_owner_is_in_the_owners_language(client, django_capture_on_commit_callbacks):
    UserFactory(email="owner@example.edu.cn", language="zh-hans", full_name="王芳")

    register(client, django_capture_on_commit_callbacks, email="owner@example.edu.cn")

    [message] = mail.outbox
    assert message.body.startswith("王芳：")  # the salutation as the Chinese catalog has it
    assert "Dear" not in message.body


def test_registering_again_before_activating_sends_the_link_again(client, django_capture_on_commit_callbacks):
    register(client, django_capture_on_commit_callbacks)

    response = register(client, django_capture_on_commit_callbacks, username="liwei2")

    assert response.redirect_chain == [(reverse("accounts:registered"), 302)]
    assert User.objects.filter(email="liwei@example.edu.cn").count() == 1
    assert [m.subject for m in mail.outbox] == ["[pocflow] Activate your account"] * 2


def test_a_bad_registration_keeps_what_was_typed_and_creates_nothing(client):
    data = {**form(), "password2": "something else"}

    response = client.post(reverse("accounts:register"), data)

    assert response.status_code == 200
    assert 'value="liwei@example.edu.cn"' in response.content.decode()
    assert not User.objects.exists()
