"""Logging in: the password, then — for a user with an authenticator — the code; the lockout page;
password reset requests, throttled without telling whether the address has an account."""

import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, user_login_failed, views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from accounts.forms import CodeForm
from accounts.models import User
from accounts.selectors import confirmed_device
from accounts.services.two_factor import verify_code
from core.ratelimit import limit

PENDING = "accounts.login_pending"  # session key: the user who gave the right password, awaiting the code
PENDING_SECONDS = 300


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): a translated page, 429, Retry-After."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(request, "accounts/lockout.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    """The password step. A user with a confirmed authenticator is not signed in yet: the session
    remembers who passed the password, and the code step signs them in."""

    def form_valid(self, form):
        user = form.get_user()
        if confirmed_device(user=user) is None:
            return super().form_valid(form)
        self.request.session[PENDING] = {"user": user.pk, "backend": user.backend, "at": int(time.time()),
                                         "next": self.get_success_url()}
        return redirect("accounts:login_code")


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None, None
    return User.objects.filter(pk=pending["user"], is_active=True).first(), pending


@login_not_required
@require_http_methods(["GET", "POST"])
def login_code(request):
    """The second step: a current code from the user's authenticator. A wrong code is a failed login
    for the lockout (django-axes), and django-otp throttles the device."""
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING, None)
        messages.error(request, _("Please log in again."))
        return redirect("login")
    credentials = {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        request.session.pop(PENDING, None)
        return locked_out(request, credentials=credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_code(user=user, token=form.cleaned_data["token"])
        if device is not None:
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            request.session.pop(PENDING, None)
            return redirect(pending["next"])
        form.add_error("token", _("This code is not valid. Check that your device's clock is right and enter "
                                  "the code it shows now."))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    status = 400 if form.errors else 200
    return render(request, "accounts/login_code.html", {"form": form}, status=status)


def _reset_address(group, request):
    return request.POST.get("email", "").strip().lower()


@method_decorator(login_not_required, name="dispatch")
@method_decorator(ratelimit(key="ip", rate=limit("password_reset_ip"), group="accounts.password_reset_ip",
                            method="POST", block=True), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """At most `password_reset_email` mails to one address; past it the page answers exactly as when a
    mail was sent, so the limit tells nothing about whether the address has an account."""

    def form_valid(self, form):
        if is_ratelimited(self.request, group="accounts.password_reset_email", key=_reset_address,
                          rate=limit("password_reset_email"), increment=True):
            return redirect(self.get_success_url())
        return super().form_valid(form)
