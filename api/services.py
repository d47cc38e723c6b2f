"""Creating and revoking API tokens (the profile page's token section calls these)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken, digest
from core.errors import InvalidInput, NotPermitted

MAX_ACTIVE_TOKENS = 20


def create_token(*, user, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with the full key, which is shown once and never stored."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the token a name, so you can tell it apart later."))
    with transaction.atomic():
        if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
            raise InvalidInput(_("You have %(n)s active tokens; revoke one before creating another."),
                               n=MAX_ACTIVE_TOKENS)
        key_id, secret, key = ApiToken.new_key()
        token = ApiToken.objects.create(user=user, name=name, scope=scope, key_id=key_id, secret_hash=digest(secret))
    return token, key


def revoke_token(*, token: ApiToken, user) -> ApiToken:
    if token.user_id != user.pk:
        raise NotPermitted()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
