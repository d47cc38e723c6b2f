"""`{% crumbs label target label target … as trail %}`: the trail for `_breadcrumbs.html`.

Each target is a URL name (reversed without arguments), a URL (starts with "/"), or "" (the current
page, last). Pages with arguments pass a URL they built with `{% url … as name %}`."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


def _href(target):
    if not target or str(target).startswith(("/", "?", "#")):
        return target or ""
    try:
        return reverse(target)
    except NoReverseMatch:
        return ""


@register.simple_tag
def crumbs(*pairs):
    if len(pairs) % 2:
        pairs = (*pairs, "")
    return [(pairs[i], _href(pairs[i + 1])) for i in range(0, len(pairs), 2)]
