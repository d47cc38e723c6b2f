import hashlib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from accounts.enums import Role
from accounts.models import User
from accounts.roles import grant_role


def create_user_with_role(*, form):
    with transaction.atomic():
        user = form.save()
        grant_role(user, form.cleaned_data["role"])
        if form.cleaned_data["role"] == Role.ADMINISTRATOR:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    return user


def render_user_mail(*, user, template, context):
    """Render `<template>_subject.txt` and `<template>_body.txt` in the user's language."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        ctx = {"user": user, "site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())
        body = render_to_string(f"{template}_body.txt", ctx)
    return subject, body


def message_id(key: str) -> str:
    """A Message-ID fixed by the owed delivery's key: a mail sent twice (a worker killed between
    sending and recording it) reaches the inbox as one message that mail clients de-duplicate."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{settings.MAIL_ID_DOMAIN}>"


def send_mail_once(*, subject, body, to, key=""):
    headers = {"Message-ID": message_id(key)} if key else {}
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to, headers=headers).send()


def send_user_mail_now(*, user_id, template, context, key="", to="", inactive_ok=False):
    """Send one owed mail: re-fetch the user, skip an inactive one (unless the mail is the one that
    activates the account) or one without an address. `to` sends it to another address than the
    account's, in the account's language (the confirmation of a new address)."""
    users = User.objects.filter(pk=user_id) if inactive_ok else User.objects.filter(pk=user_id, is_active=True)
    user = users.first()
    address = to or (user.email if user is not None else "")
    if user is None or not address:
        return False
    subject, body = render_user_mail(user=user, template=template, context=context)
    send_mail_once(subject=subject, body=body, to=[address], key=key)
    return True
