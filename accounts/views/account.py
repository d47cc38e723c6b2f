from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required, permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from accounts.enums import Role
from accounts.forms import ProfileForm, RegistrationForm, StaffUserForm
from accounts.roles import has_role
from accounts.services import create_user_with_role
from accounts.services.email_change import confirm_email_change, pending_email_change, request_email_change
from accounts.services.registration import activate_account, register_researcher, user_to_activate
from core.errors import DomainError
from core.ratelimit import limit
from core.views import require_perm


@login_not_required
@ratelimit(key="ip", rate=limit("register_ip"), group="accounts.register", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def register(request):
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        register_researcher(form=form)  # the same answer whether the address had an account or not
        return redirect("accounts:registered")
    return render(request, "accounts/register.html", {"form": form})


@login_not_required
@require_http_methods(["GET"])
def registered(request):
    return render(request, "accounts/registered.html")


@login_not_required
@require_http_methods(["GET", "POST"])
def activate(request, token):
    """The link in the activation mail: a page with a button (mail scanners open links), then signed in."""
    try:
        user = user_to_activate(token=token) if request.method == "GET" else activate_account(token=token)
    except DomainError as exc:
        return render(request, "accounts/link_invalid.html", {"message": str(exc)}, status=exc.status)
    if request.method == "GET":
        return render(request, "accounts/activate.html", {"account": user})
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Welcome! Your researcher account is ready."))
    return redirect("home")


@require_http_methods(["GET", "POST"])
def profile(request):
    require_perm(request.user, "accounts.edit_profile")
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        new_email = form.new_email
        if new_email:
            require_perm(request.user, "accounts.change_email")
            if is_ratelimited(request, group="accounts.profile_email", key="user", rate=limit("profile_email_user"),
                              increment=True):
                raise Ratelimited()
        form.save()
        if new_email:  # the same answer whether the address is free or another account's
            request_email_change(user=request.user, email=new_email)
            messages.info(request, _("We sent a confirmation link to %(email)s. Your address changes when you "
                                     "open it.") % {"email": new_email})
        messages.success(request, _("Your profile was saved."))
        response = redirect("accounts:profile")
        response.delete_cookie("django_language")
        return response
    return render(request, "accounts/profile.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm_email(request, token):
    """The link sent to a new address: a page with a button, then the address is the account's."""
    try:
        if request.method == "GET":
            user, email = pending_email_change(token=token)
            return render(request, "accounts/confirm_email.html", {"email": email})
        user = confirm_email_change(token=token)
    except DomainError as exc:
        return render(request, "accounts/link_invalid.html", {"message": str(exc)}, status=exc.status)
    messages.success(request, _("Your e-mail address is now %(email)s.") % {"email": user.email})
    return redirect("accounts:profile" if request.user.is_authenticated else "login")


@permission_required("accounts.manage_users", raise_exception=True)
@require_http_methods(["GET", "POST"])
def create_user(request):
    allowed = list(Role) if has_role(request.user, Role.ADMINISTRATOR) else [Role.EXPERT, Role.RESEARCHER]
    form = StaffUserForm(request.POST or None, allowed_roles=allowed)
    if request.method == "POST" and form.is_valid():
        user = create_user_with_role(form=form)
        messages.success(request, _("Account %(username)s created.") % {"username": user.username})
        return redirect("accounts:create_user")
    return render(request, "accounts/create_user.html", {"form": form})
