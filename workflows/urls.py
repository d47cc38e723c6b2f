from django.urls import path

from workflows import escalation_views, views

app_name = "workflows"
urlpatterns = [
    path("tasks/<int:task_pk>/claim/", views.claim, name="claim"),
    path("proposals/<int:pk>/submit/", views.submit, name="submit"),
    path("proposals/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("staff/proposals/<int:pk>/screen/", views.screen, name="screen"),
    path("staff/proposals/<int:pk>/experts/", views.assign_experts, name="assign_experts"),
    path("staff/proposals/<int:pk>/panel/", views.panel, name="panel"),
    path("funding/proposals/<int:pk>/decide/", views.funding, name="funding"),
    path("incubation/proposals/<int:pk>/start/", views.start_incubation, name="start_incubation"),
    path("staff/reviews/<int:pk>/overdue/", escalation_views.escalate, name="escalate"),
    path("assignment/runs/<int:pk>/apply/", views.apply_assignment, name="apply_assignment"),
    path("expert/reviews/<int:pk>/", views.review, name="review"),
    path("expert/reviews/<int:pk>/decline/", views.decline, name="decline"),
]
