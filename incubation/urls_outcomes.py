"""URLs of the project's outcomes pages (included by incubation.urls, same namespace)."""

from django.urls import path

from incubation.views import outcomes as views

urlpatterns = [
    path("<int:pk>/outcomes/", views.outcomes_page, name="outcomes"),
    path("<int:pk>/outcomes/company/", views.record_company, name="record_company"),
    path("<int:pk>/outcomes/rounds/", views.record_round, name="record_round"),
    path("<int:pk>/outcomes/patents/", views.record_patent, name="record_patent"),
    path("<int:pk>/outcomes/patents/<int:patent_pk>/grant/", views.grant_patent, name="grant_patent"),
    path("<int:pk>/outcomes/contracts/", views.record_contract, name="record_contract"),
    path("<int:pk>/outcomes/figures/", views.record_figure, name="record_figure"),
    path("<int:pk>/tech-managers/", views.assign_tech_manager, name="assign_tech_manager"),
    path("<int:pk>/tech-managers/<int:assignment_pk>/remove/", views.remove_tech_manager, name="remove_tech_manager"),
    path("<int:pk>/settle/", views.settle, name="settle"),
    path("conversions/", views.conversions, name="conversions"),
    path("tech/", views.tech_home, name="tech_home"),
]
