from django.urls import path

from reviews.views import notice as notice_views

app_name = "notices"
urlpatterns = [
    path("", notice_views.notice_list, name="list"),
    path("<int:pk>/", notice_views.notice_detail, name="detail"),
    path("<int:pk>/manage/", notice_views.manage, name="manage"),
    path("objections/<int:pk>/resolve/", notice_views.resolve, name="resolve"),
    path("calls/<int:call_pk>/publish/", notice_views.publish, name="publish"),
]
