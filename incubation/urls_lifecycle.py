"""URLs of the project's lifecycle pages (included by incubation.urls, same namespace)."""

from django.urls import path

from incubation.views import lifecycle as views

urlpatterns = [
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/save/", views.report_save, name="report_save"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("reports/<int:pk>/attachment/", views.report_attachment, name="report_attachment"),
    path("<int:pk>/midterm/", views.midterm, name="midterm"),
    path("<int:pk>/changes/new/", views.change_new, name="change_new"),
    path("changes/<int:pk>/", views.change, name="change"),
    path("changes/<int:pk>/decide/", views.change_decide, name="change_decide"),
    path("changes/<int:pk>/withdraw/", views.change_withdraw, name="change_withdraw"),
    path("<int:pk>/acceptance/", views.acceptance, name="acceptance"),
]
