"""Two-factor login with a TOTP authenticator app (django-otp).

Enrolment creates an unconfirmed device and shows its key (QR code and text); the device counts only
once a current code from it was entered. django-otp throttles a device after wrong codes (each failure
doubles the wait), and the login step also reports each wrong code to the lockout (django-axes)."""

import base64

import segno
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.selectors import confirmed_device

DEVICE_NAME = "authenticator"


def enrolment_device(*, user):
    """The unconfirmed device being enrolled (made on first visit; the key stays until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def device_secret(device) -> str:
    """The key as the authenticator apps take it by hand (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def device_qr_svg(device) -> str:
    """The otpauth:// key as an inline SVG QR code, rendered here: no script, no outside service."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def confirm_enrolment(*, user, token):
    """Confirm the device being enrolled with a current code from it: the device, or None for a wrong code."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
        if device is None or not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return device


def verify_code(*, user, token):
    """The user's confirmed device when `token` is a current code from it (throttled by django-otp)."""
    device = confirmed_device(user=user)
    if device is not None and device.verify_token(token):
        return device
    return None


def remove_two_factor(*, user, token) -> bool:
    """Remove the user's devices, after a current code proves the device is in hand."""
    with transaction.atomic():
        if verify_code(user=user, token=token) is None:
            return False
        TOTPDevice.objects.filter(user=user).delete()
    return True


def reset_two_factor(*, users):
    """An administrator's reset (the admin's action): the users log in with their password alone again."""
    return TOTPDevice.objects.filter(user__in=users).delete()[0]
