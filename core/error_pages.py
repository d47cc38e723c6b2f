"""The answers to 400, 403, 404 and 500 in the house design and in the reader's language, each with a
way back (the page the reader came from when it is on this site, and the home page). Mounted as
Django's `handler400/403/404/500` in `pocflow/urls.py`; the root templates `400.html`…`500.html`
extend the same pages, so nothing falls back to viewflow's stock error templates.

The 500 page renders without a request context (no context processors, no database): whatever broke
the page must not break its error page."""

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger("pocflow.errors")


def safe_back(request) -> str:
    """The Referer when it points at this site (and is not the failing page itself), else ""."""
    back = request.headers.get("Referer", "")
    if not back:
        return ""
    try:
        same_host = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure())
    except Exception:  # a malformed Host header: offer no way back rather than fail the error page
        return ""
    return back if same_host and back != request.build_absolute_uri() else ""


def _page(request, template, status):
    try:
        back = safe_back(request)
    except Exception:
        back = ""
    return render(request, template, {"back": back}, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _page(request, "errors/400.html", 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _page(request, "errors/403.html", 403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _page(request, "errors/404.html", 404)


@requires_csrf_token
def server_error(request):
    template = loader.get_template("errors/500.html")
    return HttpResponseServerError(template.render())
