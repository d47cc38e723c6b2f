"""The site's URLs and handlers, plus a view that fails, for the error-page tests."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from pocflow.urls import handler400, handler403, handler404, handler500, urlpatterns as site_urls  # noqa: F401


@login_not_required
def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [*site_urls, path("boom/", boom)]
