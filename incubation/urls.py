from django.urls import include, path

from incubation.views import projects as views

app_name = "incubation"
urlpatterns = [
    path("", views.projects, name="projects"),
    path("<int:pk>/", views.project, name="project"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/close/", views.close, name="close"),
    path("", include("incubation.urls_agreement")),
    path("", include("incubation.urls_lifecycle")),
    path("", include("incubation.urls_outcomes")),
]
