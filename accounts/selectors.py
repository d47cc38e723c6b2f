"""Reads for accounts."""

from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(*, user):
    """The user's confirmed TOTP device, or None."""
    if user is None or not user.pk:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
