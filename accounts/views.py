from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required, permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.enums import Role
from accounts.forms import ProfileForm, RegistrationForm, StaffUserForm
from accounts.roles import has_role
from accounts.services import create_user_with_role, register_researcher


@login_not_required
@require_http_methods(["GET", "POST"])
def register(request):
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = register_researcher(form=form)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your researcher account is ready."))
        return redirect("home")
    return render(request, "accounts/register.html", {"form": form})


@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        response = redirect("accounts:profile")
        response.delete_cookie("django_language")
        return response
    return render(request, "accounts/profile.html", {"form": form})


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
