from django.urls import path

from reviews.views import assignment as views

app_name = "assignment"
urlpatterns = [
    path("", views.calls, name="calls"),
    path("calls/<int:pk>/", views.call, name="call"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("runs/<int:pk>/discard/", views.discard, name="discard"),
]
