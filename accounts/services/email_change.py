"""Changing one's e-mail address: it changes only when the link sent to the new address is opened.

The profile answers the same whether the new address is free or another account's ("a confirmation
was sent to X"): for a taken address no link is sent, and that account's owner is told by mail that
someone tried to use it. The link is signed (django.core.signing), expires after
EMAIL_CHANGE_MAX_AGE_SECONDS and names the address it replaces, so it works once: after the change
the account's address no longer matches it."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.mail import absolute_url, queue_user_mail
from accounts.models import User
from accounts.services.registration import InvalidLink, account_with_email
from core.errors import DomainError

EMAIL_CHANGE_SALT = "accounts.email_change"


class AddressNotAvailable(DomainError):
    status = 409
    default_message = _("This address can no longer be used for your account. Nothing was changed.")


def request_email_change(*, user, email):
    """Owe the confirmation link to the new address, or the warning to the account that has it."""
    email = email.strip()
    with transaction.atomic():
        owner = account_with_email(email, exclude=user)
        if owner is not None:
            queue_user_mail(user=owner, template="accounts/mail/email_taken_attempt", subject=f"user:{owner.pk}",
                            context={"reset_url": absolute_url(reverse("password_reset"))})
            return
        token = signing.dumps({"user": user.pk, "email": email, "old": user.email}, salt=EMAIL_CHANGE_SALT)
        queue_user_mail(user=user, template="accounts/mail/confirm_email", to=email, subject=f"user:{user.pk}",
                        context={"email": email, "link": absolute_url(reverse("accounts:confirm_email", args=[token]))})


def pending_email_change(*, token, lock=False):
    """(user, new address) the link names; refused when expired, forged or already used."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=settings.EMAIL_CHANGE_MAX_AGE_SECONDS)
    except signing.BadSignature as exc:
        raise InvalidLink() from exc
    users = User.objects.select_for_update() if lock else User.objects.all()
    user = users.filter(pk=data.get("user"), is_active=True).first()
    if user is None or user.email != data.get("old"):  # used already, or the address changed since
        raise InvalidLink()
    return user, data["email"]


def confirm_email_change(*, token):
    with transaction.atomic():
        user, email = pending_email_change(token=token, lock=True)
        if account_with_email(email, exclude=user) is not None:
            raise AddressNotAvailable()
        old = user.email
        user.email = email
        user.save(update_fields=["email"])
        if old:  # the previous address learns of the change, in case it was not its owner
            queue_user_mail(user=user, template="accounts/mail/email_changed", to=old, subject=f"user:{user.pk}",
                            context={"email": email})
    return user
