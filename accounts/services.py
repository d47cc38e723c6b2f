import hashlib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from accounts.enums import Role
from accounts.models import User
from accounts.roles import grant_role


def register_researcher(*, form):
    with transaction.atomic():
        user = form.save()
        grant_role(user, Role.RESEARCHER)
    return user


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


def send_user_mail_now(*, user_id, template, context, key=""):
    """Send one owed mail: re-fetch the user, skip an inactive one or one without an address."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    subject, body = render_user_mail(user=user, template=template, context=context)
    send_mail_once(subject=subject, body=body, to=[user.email], key=key)
    return True
