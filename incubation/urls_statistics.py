"""Mounted at /statistics/ by the root urlconf: `statistics:funnel`."""

from django.urls import path

from incubation.views import statistics as views_statistics

app_name = "statistics"
urlpatterns = [
    path("", views_statistics.statistics, name="funnel"),
]
