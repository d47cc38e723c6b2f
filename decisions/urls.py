from django.urls import path

from decisions import views

app_name = "decisions"

urlpatterns = [
    path("<int:pk>/download/", views.download, name="download"),
    path("calls/<int:pk>/panel-sheet/", views.panel_sheet, name="panel_sheet"),
    path("verify/", views.verify, name="verify"),
    path("projects/<int:pk>/", views.project_documents, name="project_documents"),
]
