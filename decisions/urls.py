from django.urls import path

from decisions.views import documents, letters, panel_sheets, projects

app_name = "decisions"

urlpatterns = [
    path("<int:pk>/download/", documents.download, name="download"),
    path("calls/<int:pk>/panel-sheet/", panel_sheets.panel_sheet, name="panel_sheet"),
    path("verify/", documents.verify, name="verify"),
    path("proposals/<int:pk>/application.pdf", documents.application_pdf, name="application_pdf"),
    path("proposals/<int:pk>/letters/<str:kind>/reissue/", letters.reissue, name="reissue_letter"),
    path("projects/<int:pk>/", projects.project_documents, name="project_documents"),
]
