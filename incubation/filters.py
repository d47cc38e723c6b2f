"""Filters and sort keys of the project list (django-filter; see core.listing)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.listing import ListFilterSet, SortFilter
from incubation.enums import ProjectStatus, ReportStatus
from incubation.models import ProgressReport, Project


class ProjectFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search",
                                  widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title or reference")}))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ProjectStatus.choices, empty_label=_("Any status"))
    sort = SortFilter(fields=(("proposal__title", "proposal"), ("status", "status"), ("manager__full_name", "manager"),
                              ("paid", "paid"), ("started_at", "started")))

    class Meta:
        model = Project
        fields = ()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(proposal__title__icontains=value) | Q(proposal__reference__icontains=value))


class ReportFilter(ListFilterSet):
    """The managers' list of quarterly reports, most urgent first unless sorted otherwise."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=ReportStatus.choices, empty_label=_("All"))
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="only_overdue",
                                           widget=forms.CheckboxInput(attrs={"value": "1"}))
    sort = SortFilter(fields=(("project__proposal__title", "project"), ("due_on", "due"), ("status", "status"),
                              ("submitted_at", "submitted")))

    class Meta:
        model = ProgressReport
        fields = ()

    def only_overdue(self, queryset, name, value):
        # the selector's `overdue` annotation: still to write and past its due date
        return queryset.filter(overdue=True) if value else queryset
