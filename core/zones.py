"""Time zones as a reader names them: "Asia/Shanghai" → "北京时间 (UTC+8)" / "China Standard Time (UTC+8)".

`zone_label` is a function for services and a template filter (a builtin, like core.numbers):
`{{ call.time_zone|zone_label }}`. A zone without a name of its own shows its UTC offset only; the IANA
name stays in the data and in forms."""

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

register = template.Library()

NAMES = {
    "Asia/Shanghai": _("China Standard Time"),
    "Asia/Chongqing": _("China Standard Time"),
    "Asia/Harbin": _("China Standard Time"),
    "Asia/Urumqi": _("Xinjiang Time"),
    "Asia/Hong_Kong": _("Hong Kong Time"),
    "Asia/Macau": _("Macau Time"),
    "Asia/Taipei": _("Taipei Time"),
    "Asia/Singapore": _("Singapore Time"),
    "Asia/Tokyo": _("Japan Standard Time"),
    "Asia/Seoul": _("Korea Standard Time"),
    "Europe/London": _("UK Time"),
    "Europe/Berlin": _("Central European Time"),
    "Europe/Paris": _("Central European Time"),
    "America/New_York": _("US Eastern Time"),
    "America/Los_Angeles": _("US Pacific Time"),
    "UTC": _("Coordinated Universal Time"),
}


def utc_offset(name: str, at: dt.datetime | None = None) -> str:
    """`UTC+8`, `UTC-4:30`, `UTC` at `at` (now by default); "" for an unknown zone."""
    try:
        offset = (at or timezone.now()).astimezone(ZoneInfo(name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return ""
    minutes = int(offset.total_seconds() // 60)
    if not minutes:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


@register.filter
def zone_label(name: str, at: dt.datetime | None = None) -> str:
    """The zone's name in the reader's language with its offset: 北京时间 (UTC+8)."""
    if not name:
        return ""
    offset = utc_offset(name, at)
    known = NAMES.get(name)
    if known and offset and offset != "UTC":
        return gettext("%(zone)s, %(offset)s") % {"zone": known, "offset": offset}
    if known:
        return str(known)
    return offset or name
