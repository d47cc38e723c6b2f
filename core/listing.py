"""List pages: filtered (django-filter), sorted and paginated on the server through GET parameters.

A list view builds one `Listing` from its FilterSet and queryset; the page shows the filter bar
(`templates/_filter_bar.html`), the sortable column headers (`{% sort_th %}` from `core.listing` tags)
and the pages (`templates/_pagination.html`). Bad parameters never fail the page: an unknown sort key or
filter value is left out of the query and named near its field; a page number out of range shows the
nearest page (`Paginator.get_page`). Sorting and filtering change the query's ORDER BY and WHERE only,
so a list keeps its constant number of queries.
"""

from dataclasses import dataclass

import django_filters
from django.core.paginator import Page, Paginator
from django.utils.translation import gettext_lazy as _

PAGE_SIZE = 25
SORT_PARAM = "sort"


class SortFilter(django_filters.OrderingFilter):
    """`?sort=key` or `?sort=-key` over the keys a list allows; the primary key breaks ties so that
    pages never repeat or skip a row. Unknown keys fail the field's validation and are ignored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Sort by"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        ordered = super().filter(qs, value)
        first = self.get_ordering_value(value[0])
        return ordered.order_by(*ordered.query.order_by, "-pk" if first.startswith("-") else "pk")


class ListFilterSet(django_filters.FilterSet):
    """Base for list filters: the sort parameter is a filter named `sort` (a SortFilter)."""

    def visible_fields(self):
        """The filter bar's fields: everything but the sort, which the column headers set."""
        return [field for field in self.form.visible_fields() if field.name != SORT_PARAM]


@dataclass(frozen=True)
class Listing:
    filters: ListFilterSet
    page: Page
    sort: str
    filtered: bool

    @property
    def rows(self):
        return self.page.object_list

    @property
    def errors(self):
        return self.filters.form.errors if self.filters.is_bound else {}


def build_listing(request, *, filterset_class, queryset, per_page=PAGE_SIZE, defaults=None,
                  **filterset_kwargs) -> Listing:
    """Filter, sort and paginate `queryset` from `request.GET`. Invalid values are ignored (django-filter
    filters only by the fields that validate) and reported by the form. `defaults` are the filter values
    used when the parameter is absent (an empty value chooses "any")."""
    defaults = defaults or {}
    data = request.GET.copy()
    data.pop("page", None)
    for name, value in defaults.items():
        data.setdefault(name, value)
    filters = filterset_class(data or None, queryset=queryset, request=request, **filterset_kwargs)
    rows = filters.qs
    cleaned = filters.form.cleaned_data if filters.is_bound and hasattr(filters.form, "cleaned_data") else {}
    sort_value = cleaned.get(SORT_PARAM) or []
    sort = sort_value[0] if sort_value else ""
    filtered = any(value not in (None, "", False, [], ()) and value != defaults.get(name)
                   for name, value in cleaned.items() if name != SORT_PARAM)
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    if filtered is False and defaults and any(request.GET.get(name, value) != value for name, value in defaults.items()):
        filtered = True  # a default set aside ("all experts") is a filter the reader may clear
    return Listing(filters=filters, page=page, sort=sort, filtered=filtered)
