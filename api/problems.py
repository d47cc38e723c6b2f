"""Errors as RFC 9457 problem details (`application/problem+json`), titles in the caller's language
(`Accept-Language`): validation 400 with the fields' errors, refusal 403, absence 404, an illegal transition
or a concurrent change 409, throttling 429 with `Retry-After`."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import ConcurrentChange, DomainError, IllegalTransition, InvalidInput, NotPermitted

CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: _("The request is not valid"),
    401: _("Authentication is required"),
    403: _("You are not allowed to do this"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict with the current state"),
    415: _("Unsupported media type"),
    429: _("Too many requests"),
}
TYPES = {
    IllegalTransition: "illegal-transition",
    ConcurrentChange: "concurrent-change",
    NotPermitted: "not-permitted",
    InvalidInput: "invalid-input",
}


def problem(status_code: int, detail, *, kind: str = "", errors=None, headers=None) -> Response:
    body = {
        "type": f"/api/problems/{kind}" if kind else "about:blank",
        "title": str(TITLES.get(status_code, _("The request could not be completed"))),
        "status": status_code,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, content_type=CONTENT_TYPE, headers=headers)


def handle(exc, context):
    """DRF's exception handler: every refusal becomes a problem detail; a DomainError from a service keeps its
    own status (the same mapping the web pages use)."""
    if isinstance(exc, DomainError):
        kind = next((name for cls, name in TYPES.items() if isinstance(exc, cls)), "domain-error")
        return problem(exc.status, exc, kind=kind)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    headers = {name: value for name, value in response.items() if name in ("Retry-After", "WWW-Authenticate", "Allow")}
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return problem(status.HTTP_400_BAD_REQUEST, _("Check the fields named in `errors`."), kind="validation",
                       errors=errors, headers=headers)
    detail = exc.detail if isinstance(exc, exceptions.APIException) else exc
    if isinstance(exc, exceptions.Throttled):
        return problem(429, _("Too many requests: try again in %(s)s seconds.") % {"s": exc.wait and int(exc.wait + 0.999)},
                       kind="throttled", headers=headers)
    return problem(response.status_code, detail, kind=getattr(exc, "default_code", ""), headers=headers)
