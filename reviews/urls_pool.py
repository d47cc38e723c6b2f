from django.urls import path

from reviews.views import pool as views

app_name = "pool"
urlpatterns = [
    path("", views.expert_list, name="list"),
    path("new/", views.expert_create, name="create"),
    path("me/", views.my_profile, name="me"),
    path("import/", views.import_view, name="import"),
    path("import/template.<str:fmt>", views.import_template_view, name="import_template"),
    path("conflicts/detect/", views.detect_call_view, name="detect_call"),
    path("<int:pk>/", views.expert_detail, name="detail"),
    path("<int:pk>/edit/", views.expert_edit, name="edit"),
    path("reviews/<int:review_pk>/conflict/", views.declare_conflict, name="declare_conflict"),
]
