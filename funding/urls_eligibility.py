"""Mounted inside the funding namespace (see funding/urls.py)."""

from django.urls import path

from funding import views_eligibility

urlpatterns = [
    path("calls/<int:pk>/eligibility/", views_eligibility.eligibility_rules, name="eligibility_rules"),
]
