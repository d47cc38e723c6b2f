from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api import views
from api.web import tokens

router = DefaultRouter()
router.register("calls", views.CallViewSet, basename="call")
router.register("proposals", views.ProposalViewSet, basename="proposal")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("funds", views.FundViewSet, basename="fund")
router.register("projects", views.ProjectViewSet, basename="project")

app_name = "api"
api_patterns = [
    path("v1/documents/verify/", views.VerifyDocumentView.as_view(), name="verify"),
    path("v1/statistics/funnel/", views.FunnelView.as_view(), name="funnel"),
    path("v1/funding/<int:id>/decision/", views.FundingDecisionView.as_view(), name="funding_decision"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]


def _opened(patterns):
    """The API authenticates its own callers (token or session) and each endpoint states its permission: the
    site's LoginRequiredMiddleware, which would send a token caller to the login page, steps aside."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _opened(pattern.url_patterns)
        else:
            pattern.callback.login_required = False
    return patterns


urlpatterns = [
    path("tokens/", tokens, name="tokens"),
    *_opened(api_patterns),
    # anything else under /api/ is a problem detail too, never the site's HTML 404 page
    *_opened([re_path(r"^.*$", views.not_found)]),
]
