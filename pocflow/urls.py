from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from accounts import urls as accounts_urls
from core import health, metrics
from incubation import urls as incubation_urls
from proposals import urls as proposals_urls
from reviews import urls as reviews_urls
from workflows.views import home


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico on every site; it answers with the vendored icon instead of a 404."""
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("favicon.ico", favicon),
    path("", home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    # the admin signs in through pocflow's login (lockout, then the two-factor code)
    path("admin/login/", login_not_required(RedirectView.as_view(pattern_name="login", query_string=True))),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("accounts/", include(accounts_urls.auth_urls)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # the call page and set-up form compose proposals and reviews, so reviews serves them under proposals' names
    path("", include((proposals_urls.urlpatterns + reviews_urls.call_urls, proposals_urls.app_name))),
    path("", include("workflows.urls")),
    path("expert/", include("reviews.urls")),
    path("pool/", include(reviews_urls.pool_urls)),
    path("assignment/", include(reviews_urls.assignment_urls)),
    path("panel/", include(reviews_urls.panel_urls)),
    path("notices/", include(reviews_urls.notice_urls)),
    path("funding/", include("funding.urls")),
    path("incubation/", include("incubation.urls")),
    path("documents/", include("decisions.urls")),
    path("statistics/", include(incubation_urls.statistics_urls)),
]

# Error pages in the house design and the reader's language (core/error_pages.py), never viewflow's.
handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"
