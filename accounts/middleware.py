from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, resolve_url
from django.utils import translation

from accounts.rules import must_enrol_two_factor
from accounts.selectors import confirmed_device


class UserLanguageMiddleware:
    """Activate the signed-in user's chosen language unless the request chose one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            if not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class TwoFactorEnforcementMiddleware:
    """OTP_REQUIRED_FOR_ADMINS: a superuser or administrator without a confirmed authenticator is sent
    to the enrolment page from every other page, the admin site included; one whose session was not
    verified by a code (signed in before enrolling elsewhere) is signed out and logs in again."""

    ALLOWED = ("accounts:two_factor", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not user.is_verified()
                and must_enrol_two_factor(user)):
            return self._refuse(request, user) or self.get_response(request)
        return self.get_response(request)

    def _refuse(self, request, user):
        allowed = {resolve_url(name) for name in self.ALLOWED}
        if request.path in allowed or request.path.startswith(settings.STATIC_URL):
            return None
        if confirmed_device(user=user) is not None:
            logout(request)
            return redirect_to_login(request.get_full_path())
        return redirect("accounts:two_factor")
