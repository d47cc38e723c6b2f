"""Mail to a user in the user's own language, sent after commit (inline or by Celery)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


def render_user_mail(*, user, template, context):
    """Render `<template>_subject.txt` and `<template>_body.txt` in the user's language."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        ctx = {"user": user, "site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())
        body = render_to_string(f"{template}_body.txt", ctx)
    return subject, body


def send_user_mail_now(*, user_id, template, context):
    from accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    subject, body = render_user_mail(user=user, template=template, context=context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True


def queue_user_mail(*, user, template, context):
    """Queue a mail after the current transaction commits. `context` must be JSON-serialisable."""
    from accounts.tasks import send_user_mail

    if user is None:
        return
    user_id = user.pk
    transaction.on_commit(lambda: send_user_mail.delay(user_id, template, context))
