"""The web page where a user creates, names, scopes and revokes their API tokens (the key is shown once)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from api.forms import TokenForm
from api.models import ApiToken
from api.services import create_token, revoke_token
from core.errors import DomainError
from core.views import require_perm

SHOWN_ONCE = "api_token_shown_once"


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    require_perm(request.user, "api.manage_own_tokens")
    form = TokenForm(request.POST or None) if request.POST.get("action") != "revoke" else TokenForm()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                token = get_object_or_404(ApiToken, pk=request.POST.get("token") or 0, user=request.user)
                revoke_token(token=token, user=request.user)
                messages.success(request, _("The token “%(name)s” is revoked; it no longer opens anything.")
                                 % {"name": token.name})
                return redirect("api:tokens")
            if form.is_valid():
                _token, key = create_token(user=request.user, **form.cleaned_data)
                request.session[SHOWN_ONCE] = key  # shown on the next page once, then forgotten
                return redirect("api:tokens")
        except DomainError as exc:
            messages.error(request, str(exc))
    return render(request, "api/tokens.html", {
        "form": form, "tokens": ApiToken.objects.filter(user=request.user),
        "new_key": request.session.pop(SHOWN_ONCE, None),
    }, status=400 if form.is_bound and form.errors else 200)
