from django.urls import path

from workflows import deliveries_views, escalation_views, views

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
    path("staff/deliveries/", deliveries_views.deliveries, name="deliveries"),
    path("staff/deliveries/<int:pk>/retry/", deliveries_views.retry, name="retry_delivery"),
    path("staff/deliveries/retry-failed/", deliveries_views.retry_all, name="retry_failed_deliveries"),
]
