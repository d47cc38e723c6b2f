"""`{% sort_th listing "key" _("Label") "num" %}`: a column header that sorts the list by `key`
(ascending first, descending when clicked again), keeping the filters, returning to page 1, and
telling assistive technology the current order (`aria-sort`)."""

from django import template

from core.listing import SORT_PARAM

register = template.Library()


@register.inclusion_tag("_sort_th.html", takes_context=True)
def sort_th(context, listing, key, label, css_class=""):
    current = listing.sort if listing is not None else ""
    if current == key:
        direction, next_value = "ascending", f"-{key}"
    elif current == f"-{key}":
        direction, next_value = "descending", key
    else:
        direction, next_value = "", key
    request = context.get("request")
    params = request.GET.copy() if request is not None else None
    if params is not None:
        params.pop("page", None)
        params[SORT_PARAM] = next_value
        href = "?" + params.urlencode()
    else:
        href = f"?{SORT_PARAM}={next_value}"
    return {"href": href, "label": label, "direction": direction, "css_class": css_class, "key": key}
