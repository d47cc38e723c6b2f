"""Registration that does not tell anyone whether an address already has an account.

Both paths answer the same ("check your mail"): a new address gets an inactive account and the
link that activates it; an address that already has an account gets nothing created, and its owner
is told by mail that someone tried, with the way to reset the password."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.mail import absolute_url, queue_user_mail
from accounts.models import User
from accounts.roles import grant_role
from core.errors import DomainError

ACTIVATION_SALT = "accounts.activate"


class InvalidLink(DomainError):
    status = 400
    default_message = _("This link has expired or was already used.")


def account_with_email(email, *, exclude=None):
    accounts = User.objects.filter(email__iexact=email.strip())
    if exclude is not None:
        accounts = accounts.exclude(pk=exclude.pk)
    return accounts.first()


def register_researcher(*, form):
    """Returns the new (inactive) user, or None when the address already had an account."""
    email = form.cleaned_data["email"]
    with transaction.atomic():
        owner = account_with_email(email)
        if owner is not None:  # hash the password all the same: the answer takes as long as a registration
            make_password(form.cleaned_data.get("password1"))
        if owner is not None and _pending(owner):  # registered, never activated: the link again
            _queue_activation(owner)
            return None
        if owner is not None:
            queue_user_mail(user=owner, template="accounts/mail/registration_attempt",
                            context={"reset_url": absolute_url(reverse("password_reset"))}, subject=f"user:{owner.pk}")
            return None
        user = form.save(commit=False)
        user.is_active = False
        user.save()
        grant_role(user, Role.RESEARCHER)
        _queue_activation(user)
    return user


def _pending(user):
    return not user.is_active and user.last_login is None


def _queue_activation(user):
    token = signing.dumps({"user": user.pk}, salt=ACTIVATION_SALT)
    queue_user_mail(user=user, template="accounts/mail/activate", inactive_ok=True, subject=f"user:{user.pk}",
                    context={"link": absolute_url(reverse("accounts:activate", args=[token]))})


def user_to_activate(*, token):
    """The inactive, never-used account the link names; refused when expired, forged or used."""
    try:
        data = signing.loads(token, salt=ACTIVATION_SALT, max_age=settings.EMAIL_CHANGE_MAX_AGE_SECONDS)
    except signing.BadSignature as exc:
        raise InvalidLink() from exc
    user = User.objects.filter(pk=data.get("user"), is_active=False, last_login__isnull=True).first()
    if user is None:
        raise InvalidLink()
    return user


def activate_account(*, token):
    with transaction.atomic():
        user = user_to_activate(token=token)
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user

