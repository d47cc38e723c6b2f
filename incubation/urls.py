"""URLs of incubation. `urlpatterns` is mounted at /incubation/ (namespace `incubation`);
`statistics_urls` at /statistics/ (namespace `statistics`: `statistics:funnel`)."""

from django.urls import path

from incubation.views import agreement, lifecycle, outcomes, projects, statistics

app_name = "incubation"
urlpatterns = [
    # projects
    path("", projects.projects, name="projects"),
    path("<int:pk>/", projects.project, name="project"),
    path("<int:pk>/progress/", projects.progress, name="progress"),
    path("<int:pk>/close/", projects.close, name="close"),
    # agreement, milestone acceptance and disbursements
    path("<int:pk>/agreement/", agreement.agreement_page, name="agreement"),
    path("<int:pk>/agreement/terms/", agreement.save_terms, name="agreement_terms"),
    path("<int:pk>/agreement/milestones/", agreement.save_milestones, name="agreement_milestones"),
    path("<int:pk>/agreement/budget/", agreement.save_budget, name="agreement_budget"),
    path("<int:pk>/agreement/tranches/", agreement.save_tranches, name="agreement_tranches"),
    path("<int:pk>/agreement/issue/", agreement.issue, name="agreement_issue"),
    path("<int:pk>/agreement/signed/", agreement.upload_signed, name="agreement_upload_signed"),
    path("<int:pk>/agreement/signed-copy/", agreement.signed_copy, name="agreement_signed_copy"),
    path("<int:pk>/agreement/kpis/", agreement.kpi_actuals, name="kpi_actuals"),
    path("<int:pk>/milestones/<int:milestone_pk>/accept/", agreement.accept_milestone, name="milestone_accept"),
    path("tranches/<int:tranche_pk>/release/", agreement.release, name="release_tranche"),
    path("disbursements/", agreement.disbursements, name="disbursements"),
    # lifecycle: reports, mid-term check, changes, acceptance
    path("reports/", lifecycle.reports, name="reports"),
    path("reports/<int:pk>/", lifecycle.report, name="report"),
    path("reports/<int:pk>/save/", lifecycle.report_save, name="report_save"),
    path("reports/<int:pk>/review/", lifecycle.report_review, name="report_review"),
    path("reports/<int:pk>/attachment/", lifecycle.report_attachment, name="report_attachment"),
    path("<int:pk>/midterm/", lifecycle.midterm, name="midterm"),
    path("<int:pk>/changes/new/", lifecycle.change_new, name="change_new"),
    path("changes/<int:pk>/", lifecycle.change, name="change"),
    path("changes/<int:pk>/decide/", lifecycle.change_decide, name="change_decide"),
    path("changes/<int:pk>/withdraw/", lifecycle.change_withdraw, name="change_withdraw"),
    path("<int:pk>/acceptance/", lifecycle.acceptance, name="acceptance"),
    # outcomes, technology managers, 先投后股 settlement
    path("<int:pk>/outcomes/", outcomes.outcomes_page, name="outcomes"),
    path("<int:pk>/outcomes/company/", outcomes.record_company, name="record_company"),
    path("<int:pk>/outcomes/rounds/", outcomes.record_round, name="record_round"),
    path("<int:pk>/outcomes/patents/", outcomes.record_patent, name="record_patent"),
    path("<int:pk>/outcomes/patents/<int:patent_pk>/grant/", outcomes.grant_patent, name="grant_patent"),
    path("<int:pk>/outcomes/contracts/", outcomes.record_contract, name="record_contract"),
    path("<int:pk>/outcomes/figures/", outcomes.record_figure, name="record_figure"),
    path("<int:pk>/tech-managers/", outcomes.assign_tech_manager, name="assign_tech_manager"),
    path("<int:pk>/tech-managers/<int:assignment_pk>/remove/", outcomes.remove_tech_manager,
         name="remove_tech_manager"),
    path("<int:pk>/settle/", outcomes.settle, name="settle"),
    path("conversions/", outcomes.conversions, name="conversions"),
    path("tech/", outcomes.tech_home, name="tech_home"),
]

statistics_urls = ([
    path("", statistics.statistics, name="funnel"),
], "statistics")
