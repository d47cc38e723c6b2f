"""Request bodies bounded before anything reads them.

`BodyLimitMiddleware` finds the limit of the URL the request goes to and answers 413 with a translated
page when the body is larger, before Django parses it:

- the limit is `REQUEST_BODY_LIMITS[<namespace:url name>]`, else what a function registered for that URL
  name with `register_body_limit` says (proposals registers the application form's page, whose limit
  comes from its call's file questions), else `REQUEST_BODY_MAX_BYTES`;
- a body with a Content-Length over the limit is refused without reading a byte of it;
- a body without Content-Length (chunked transfer encoding) is read from ``wsgi.input`` up to the limit
  and one byte more: more than the limit is refused, the rest is given to Django as if it had had a
  Content-Length (Django reads no chunked body on its own).

Core imports no other pocflow app: an app that needs a computed limit registers it from its `ready()`.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from core.middleware import _answer

logger = logging.getLogger("pocflow.bodylimit")

MB = 1024 * 1024
READ_CHUNK = 64 * 1024

LimitFunction = Callable[[object, object], "int | None"]  # (request, resolver match) -> bytes or None
_computed: dict[str, LimitFunction] = {}


def register_body_limit(url_name: str, limit: LimitFunction) -> None:
    """Compute the body limit of the URL named `url_name` ("namespace:name") per request."""
    _computed[url_name] = limit


def body_limit(request) -> int:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return settings.REQUEST_BODY_MAX_BYTES
    name = match.view_name
    limits = settings.REQUEST_BODY_LIMITS
    if name in limits:
        return limits[name]
    if name in _computed:
        computed = _computed[name](request, match)
        if computed is not None:
            return computed
    return settings.REQUEST_BODY_MAX_BYTES


def _format_mb(num_bytes: int) -> str:
    mb = num_bytes / MB
    return f"{mb:.0f}" if mb == int(mb) else f"{mb:.1f}"


def _too_large(request, limit: int):
    logger.warning("Body over %s bytes refused on %s %s", limit, request.method, request.path)
    response = _answer(
        request, status=413, title=_("Too large"),
        message=_("What you sent is larger than this page accepts (%(limit)s MB). Nothing was changed; "
                  "send smaller files.") % {"limit": _format_mb(limit)},
    )
    response["Connection"] = "close"  # the unread body is not kept waiting on the connection
    return response


def _read_at_most(stream, size: int) -> bytes:
    buffer = io.BytesIO()
    while buffer.tell() < size:
        chunk = stream.read(min(READ_CHUNK, size - buffer.tell()))
        if not chunk:
            break
        buffer.write(chunk)
    return buffer.getvalue()


class BodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not length and not chunked:
            return self.get_response(request)
        limit = body_limit(request)
        if length:
            try:
                declared = int(length)
            except ValueError:
                declared = 0  # Django reads no body for a Content-Length it cannot parse
            if declared > limit:
                return _too_large(request, limit)
            return self.get_response(request)
        body = _read_at_most(request.environ["wsgi.input"], limit + 1)
        if len(body) > limit:
            return _too_large(request, limit)
        request.META["CONTENT_LENGTH"] = str(len(body))
        request._stream = LimitedStream(io.BytesIO(body), len(body))
        return self.get_response(request)
