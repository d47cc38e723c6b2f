from django.urls import include, path

from funding import views

app_name = "funding"
urlpatterns = [
    path("", views.funds, name="funds"),
    path("<int:pk>/", views.fund, name="fund"),
    path("", include("funding.urls_eligibility")),
    path("", include("funding.urls_commission")),
]
