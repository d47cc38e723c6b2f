"""Views that raise what a contended request can raise, for the middleware's tests."""

from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
from django.urls import path
from django_fsm import ConcurrentTransition
from viewflow.workflow.exceptions import FlowLockFailed

from core.errors import IllegalTransition
from pocflow.urls import urlpatterns as site_urls


class FakeLockTimeout(Exception):
    sqlstate = "55P03"


def _lock_timeout():
    try:
        raise FakeLockTimeout("canceling statement due to lock timeout")
    except FakeLockTimeout as cause:
        raise OperationalError("canceling statement due to lock timeout") from cause


RAISERS = {
    "lock-timeout": _lock_timeout,
    "sqlite-busy": lambda: (_ for _ in ()).throw(OperationalError("database is locked")),
    "flow-lock": lambda: (_ for _ in ()).throw(FlowLockFailed("Lock failed for ProposalFlow")),
    "concurrent": lambda: (_ for _ in ()).throw(ConcurrentTransition("stale version")),
    "illegal": lambda: (_ for _ in ()).throw(IllegalTransition()),
    "unrelated": lambda: (_ for _ in ()).throw(OperationalError("no such column: nonsense")),
}


def make_view(name):
    @login_not_required  # the page's language then follows Accept-Language, not a user's setting
    def view(request):
        RAISERS[name]()

    return view


urlpatterns = [*site_urls, *(path(f"raise/{name}/", make_view(name)) for name in RAISERS)]
