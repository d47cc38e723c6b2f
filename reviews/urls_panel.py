from django.urls import path

from reviews.views import panel as views

app_name = "panel"
urlpatterns = [
    path("", views.calls, name="calls"),
    path("calls/<int:pk>/", views.call, name="call"),
    path("proposals/<int:pk>/", views.proposal, name="proposal"),
    path("calls/<int:pk>/roadshow/", views.roadshow, name="roadshow"),
    path("calls/<int:pk>/roadshow/criteria/", views.roadshow_criterion_add, name="roadshow_criterion_add"),
    path("calls/<int:pk>/roadshow/judges/", views.roadshow_judge_add, name="roadshow_judge_add"),
    path("calls/<int:pk>/roadshow/slots/", views.roadshow_slot_add, name="roadshow_slot_add"),
    path("roadshow/criteria/<int:pk>/remove/", views.roadshow_criterion_remove, name="roadshow_criterion_remove"),
    path("roadshow/judges/<int:pk>/remove/", views.roadshow_judge_remove, name="roadshow_judge_remove"),
    path("roadshow/slots/<int:pk>/cancel/", views.roadshow_slot_cancel, name="roadshow_slot_cancel"),
    path("roadshow/", views.my_slots, name="my_slots"),
    path("roadshow/slots/<int:pk>/", views.sheet, name="sheet"),
]
