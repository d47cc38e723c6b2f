"""Every refusal is an answer: contention and domain errors that escape a view become a translated page
(or JSON) with the right status, never a 500 or a hang.

- A lock held by someone else past the lock timeout (PostgreSQL 55P03), a deadlock (40P01), a
  serialization failure (40001), SQLite's "database is locked", viewflow's flow lock not obtained:
  503 with Retry-After — someone else is working on this, nothing was changed, try again.
- A concurrent change caught by the optimistic lock (django_fsm.ConcurrentTransition, ConcurrentChange):
  409 — reload and try again.
- A named rate limit exceeded (core/ratelimit.py, django-ratelimit's `Ratelimited`): 429 with Retry-After.
- Any other DomainError (an illegal or repeated transition, a refusal): its own status and message.

The transaction the error came from has been rolled back by its atomic block before this runs."""

import logging

from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition
from django_ratelimit.exceptions import Ratelimited
from viewflow.workflow.exceptions import FlowLockFailed

from core.errors import ConcurrentChange, DomainError

logger = logging.getLogger("pocflow.contention")

BUSY_SQLSTATES = {"55P03", "40P01", "40001"}
RETRY_AFTER_SECONDS = 3


def is_contention(exc: BaseException) -> bool:
    if isinstance(exc, FlowLockFailed):
        return True
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in BUSY_SQLSTATES or getattr(cause, "pgcode", None) in BUSY_SQLSTATES:
        return True
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


def _answer(request, *, status, title, message, retry_after=None):
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"error": message}, status=status)
    else:
        back = request.headers.get("Referer", "")
        safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure())
        response = render(request, "errors/refused.html", {"title": title, "message": message,
                                                           "back": back if safe else ""}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


class RefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if is_contention(exc):
            logger.warning("Contention on %s %s: %s", request.method, request.path, type(exc).__name__)
            return _answer(request, status=503, retry_after=RETRY_AFTER_SECONDS, title=_("Busy right now"),
                           message=_("Someone else is working on this right now. Nothing was changed; "
                                     "please try again in a moment."))
        if isinstance(exc, ConcurrentTransition | ConcurrentChange):
            logger.warning("Concurrent change on %s %s", request.method, request.path)
            return _answer(request, status=409, title=_("Changed meanwhile"),
                           message=_("Someone else changed this at the same time. Nothing was changed by your "
                                     "request; reload the page and try again."))
        if isinstance(exc, Ratelimited):
            logger.warning("Rate limit on %s %s", request.method, request.path)
            return _answer(request, status=429, retry_after=60, title=_("Too many requests"),
                           message=_("Too many requests from you in a short time. Nothing was changed; "
                                     "please wait a while and try again."))
        if isinstance(exc, DomainError):
            logger.info("Refused %s %s: %s", request.method, request.path, type(exc).__name__)
            return _answer(request, status=exc.status, title=_("Not possible"), message=str(exc))
        return None
