from django.conf import settings
from django.core.mail import send_mail
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


def send_user_mail_now(*, user_id, template, context):
    """Send one queued mail (the task's body): re-fetch the user, skip an inactive one or one without an address."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    subject, body = render_user_mail(user=user, template=template, context=context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True
