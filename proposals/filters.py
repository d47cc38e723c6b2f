"""Filters and sort keys of the proposal and call lists (django-filter; see core.listing)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.listing import ListFilterSet, SortFilter
from proposals.enums import ProposalStatus
from proposals.models import Call, Proposal


def _search(queryset, name, value):
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(Q(title__icontains=value) | Q(reference__icontains=value) | Q(keywords__icontains=value))


class StaffProposalFilter(ListFilterSet):
    """The staff list of every submitted proposal."""

    q = django_filters.CharFilter(label=_("Search"), method=_search,
                                  widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title, reference or keyword")}))
    call = django_filters.ModelChoiceFilter(label=_("Call"), queryset=Call.objects.order_by("-opens_at", "pk"),
                                            empty_label=_("Any call"))
    status = django_filters.ChoiceFilter(label=_("Status"), empty_label=_("Any status"),
                                         choices=[c for c in ProposalStatus.choices if c[0] != ProposalStatus.DRAFT])
    sort = SortFilter(fields=(("reference", "reference"), ("title", "title"), ("call__title_zh", "call"),
                              ("status", "status"), ("submitted_at", "submitted")))

    class Meta:
        model = Proposal
        fields = ()


class MyProposalFilter(ListFilterSet):
    """The researcher's own proposals."""

    status = django_filters.ChoiceFilter(label=_("Status"), empty_label=_("Any status"), choices=ProposalStatus.choices)
    sort = SortFilter(fields=(("reference", "reference"), ("title", "title"), ("call__title_zh", "call"),
                              ("status", "status"), ("updated_at", "updated")))

    class Meta:
        model = Proposal
        fields = ()


class CallFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search",
                                  widget=forms.TextInput(attrs={"type": "search"}))
    sort = SortFilter(fields=(("title_zh", "title"), ("opens_at", "opens"), ("closes_at", "closes"),
                              ("max_request", "maximum")))

    class Meta:
        model = Call
        fields = ()

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title_zh__icontains=value) | Q(title_en__icontains=value)) if value else queryset
