"""The client's address, for login lockouts (django-axes) and rate limits (django-ratelimit).

REMOTE_ADDR is the peer that connected. Behind reverse proxies (nginx → gunicorn) the peer is the
proxy, and the client is in X-Forwarded-For, which each proxy extends with the address it saw; only
the entries the trusted proxies appended can be believed, anything to their left the client may
have written itself. `TRUSTED_PROXY_COUNT` (0 by default: the header is ignored) says how many
proxies stand in front: the client is the entry that many places from the right."""

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < trusted:  # not passed through every trusted proxy: the peer is what we know
        return remote
    return forwarded[-trusted]
