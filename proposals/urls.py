from django.urls import path

from proposals import views

app_name = "proposals"
urlpatterns = [
    path("calls/", views.calls, name="calls"),
    path("calls/<int:call_pk>/apply/", views.new, name="new"),
    path("proposals/mine/", views.mine, name="mine"),
    path("proposals/", views.all_proposals, name="all"),
    path("proposals/<int:pk>/", views.detail, name="detail"),
    path("proposals/<int:pk>/edit/", views.edit, name="edit"),
    path("files/<int:pk>/", views.answer_file, name="answer_file"),
]
