from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from incubation import urls as incubation_urls
from workflows.views import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("proposals.urls")),
    path("", include("workflows.urls")),
    path("expert/", include("reviews.urls")),
    path("pool/", include("reviews.urls_pool")),
    path("assignment/", include("reviews.urls_assignment")),
    path("panel/", include("reviews.urls_panel")),
    path("notices/", include("reviews.urls_notice")),
    path("funding/", include("funding.urls")),
    path("incubation/", include("incubation.urls")),
    path("documents/", include("decisions.urls")),
    path("statistics/", include(incubation_urls.statistics_urls)),
]
