"""Enrolling an authenticator app (TOTP) and removing it."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts.forms import CodeForm
from accounts.selectors import confirmed_device
from accounts.services.two_factor import (
    confirm_enrolment,
    device_qr_svg,
    device_secret,
    enrolment_device,
    remove_two_factor,
)
from core.views import require_perm


@require_http_methods(["GET", "POST"])
def two_factor(request):
    require_perm(request.user, "accounts.use_two_factor")
    device = confirmed_device(user=request.user)
    if device is not None:
        return render(request, "accounts/two_factor.html", {"device": device, "form": CodeForm()})
    pending = enrolment_device(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = confirm_enrolment(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)  # this session has just proved the device
            messages.success(request, _("Two-factor login is on. From now on you will enter a code from your "
                                        "authenticator app after your password."))
            return redirect("accounts:two_factor")
        form.add_error("token", _("This code is not valid. Check that your device's clock is right and enter "
                                  "the code it shows now."))
    context = {"form": form, "qr_svg": device_qr_svg(pending), "secret": device_secret(pending)}
    return render(request, "accounts/two_factor.html", context, status=400 if form.errors else 200)


@require_POST
def two_factor_remove(request):
    require_perm(request.user, "accounts.use_two_factor")
    device = confirmed_device(user=request.user)
    if device is None:
        return redirect("accounts:two_factor")
    form = CodeForm(request.POST)
    if form.is_valid() and remove_two_factor(user=request.user, token=form.cleaned_data["token"]):
        messages.success(request, _("Two-factor login is off. You log in with your password alone."))
        return redirect("accounts:two_factor")
    if form.is_valid():
        form.add_error("token", _("This code is not valid. Check that your device's clock is right and enter "
                                  "the code it shows now."))
    return render(request, "accounts/two_factor.html", {"device": device, "form": form}, status=400)
