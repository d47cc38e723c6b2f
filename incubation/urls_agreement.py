"""URLs of the project's agreement pages (included by incubation.urls, same namespace)."""

from django.urls import path

from incubation.views import agreement as views

urlpatterns = [
    path("<int:pk>/agreement/", views.agreement_page, name="agreement"),
    path("<int:pk>/agreement/terms/", views.save_terms, name="agreement_terms"),
    path("<int:pk>/agreement/milestones/", views.save_milestones, name="agreement_milestones"),
    path("<int:pk>/agreement/budget/", views.save_budget, name="agreement_budget"),
    path("<int:pk>/agreement/tranches/", views.save_tranches, name="agreement_tranches"),
    path("<int:pk>/agreement/issue/", views.issue, name="agreement_issue"),
    path("<int:pk>/agreement/signed/", views.upload_signed, name="agreement_upload_signed"),
    path("<int:pk>/agreement/signed-copy/", views.signed_copy, name="agreement_signed_copy"),
    path("<int:pk>/agreement/kpis/", views.kpi_actuals, name="kpi_actuals"),
    path("<int:pk>/milestones/<int:milestone_pk>/accept/", views.accept_milestone, name="milestone_accept"),
    path("tranches/<int:tranche_pk>/release/", views.release, name="release_tranche"),
    path("disbursements/", views.disbursements, name="disbursements"),
]
