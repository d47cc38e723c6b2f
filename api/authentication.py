"""`Authorization: Bearer pf_<key id>_<secret>`: a user's API token. A read-only token may only read."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from api.models import PREFIX, ApiToken

TOUCH_EVERY_SECONDS = 60  # last_used_at is written at most this often per token


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        parts = header[1].split("_", 2)
        if len(parts) != 3 or parts[0] != PREFIX:
            raise exceptions.AuthenticationFailed(_("This is not a pocflow API token."))
        token = ApiToken.objects.select_related("user").filter(key_id=parts[1]).first()
        if token is None or not token.matches(parts[2]) or not token.is_active or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token is unknown or has been revoked."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOUCH_EVERY_SECONDS:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class TokenScopeAllows(permissions.BasePermission):
    """A read-only token reads; writing needs a read-and-write token (a browser session may do both)."""

    message = _("This token is read-only; create a read-and-write token to change anything.")

    def has_permission(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken) and request.method not in permissions.SAFE_METHODS:
            return token.can_write
        return True


class TokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema (securitySchemes: bearer)."""

    target_class = "api.authentication.TokenAuthentication"
    name = "pocflowToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "pf_<key id>_<secret>"}
