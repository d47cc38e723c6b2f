from django.urls import path

from funding import views

app_name = "funding"
urlpatterns = [
    path("", views.funds, name="funds"),
    path("<int:pk>/", views.fund, name="fund"),
]
