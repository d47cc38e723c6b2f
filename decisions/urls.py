from django.urls import path

from decisions import views

app_name = "decisions"

urlpatterns = [
    path("<int:pk>/download/", views.download, name="download"),
    path("verify/", views.verify, name="verify"),
]
