from django.urls import path

from reviews.views import scoring as views

app_name = "reviews"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("calls/<int:pk>/rubric/", views.rubric, name="rubric"),
]
