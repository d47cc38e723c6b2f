from django.urls import path

from incubation import views

app_name = "incubation"
urlpatterns = [
    path("", views.projects, name="projects"),
    path("<int:pk>/", views.project, name="project"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/close/", views.close, name="close"),
]
