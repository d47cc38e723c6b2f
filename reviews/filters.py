"""Filters and sort keys of the expert pool list (django-filter; see core.listing)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.listing import ListFilterSet, SortFilter
from reviews.enums import ExpertType
from reviews.models import ExpertProfile


class ExpertFilter(ListFilterSet):
    """Without a choice of membership (a first visit, or a link naming only the page) the list shows
    the active experts: the view passes `active=yes` as the default."""

    q = django_filters.CharFilter(label=_("Search"), method="search",
                                  widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, email, fields or keywords.")}))
    expert_type = django_filters.ChoiceFilter(label=_("Type"), choices=ExpertType.choices, empty_label=_("Any type"))
    institution = django_filters.CharFilter(label=_("Institution"), method="by_institution")
    active = django_filters.ChoiceFilter(label=_("In the pool"), method="by_membership", empty_label=_("All experts"),
                                         choices=[("yes", _("Active experts")), ("no", _("Inactive experts"))])
    sort = SortFilter(fields=(("user__full_name", "name"), ("expert_type", "type"), ("institution", "institution"),
                              ("open_load", "load"), ("max_load", "maximum")))

    class Meta:
        model = ExpertProfile
        fields = ()

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(user__full_name__icontains=word) | Q(user__email__icontains=word) | Q(user__username__icontains=word)
                | Q(fields_zh__icontains=word) | Q(fields_en__icontains=word)
                | Q(keywords_zh__icontains=word) | Q(keywords_en__icontains=word)
            )
        return queryset

    def by_institution(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(institution__icontains=value) | Q(user__organisation__name__icontains=value))

    def by_membership(self, queryset, name, value):
        return queryset.filter(active={"yes": True, "no": False}[value]) if value in ("yes", "no") else queryset
