"""Deadlines are stored in UTC and shown in the call's time zone (an IANA name on the call)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The zones a call is likely to use, named as readers say them; any other zone is shown by its UTC offset.
ZONE_NAMES = {
    "Asia/Shanghai": _("Beijing time"),
    "Asia/Chongqing": _("Beijing time"),
    "Asia/Harbin": _("Beijing time"),
    "PRC": _("Beijing time"),
    "Asia/Hong_Kong": _("Hong Kong time"),
    "Asia/Macau": _("Macao time"),
    "Asia/Taipei": _("Taipei time"),
    "Asia/Singapore": _("Singapore time"),
    "Asia/Tokyo": _("Japan time"),
    "Asia/Seoul": _("Korea time"),
    "Europe/London": _("UK time"),
    "Europe/Berlin": _("Central European time"),
    "Europe/Paris": _("Central European time"),
    "America/New_York": _("US Eastern time"),
    "America/Los_Angeles": _("US Pacific time"),
    "UTC": _("Coordinated Universal Time"),
    "Etc/UTC": _("Coordinated Universal Time"),
}


def zone(time_zone: str | ZoneInfo | None) -> ZoneInfo:
    """The ZoneInfo for a call's `time_zone` (a name or a ZoneInfo); the current zone when empty."""
    if isinstance(time_zone, ZoneInfo):
        return time_zone
    return ZoneInfo(time_zone) if time_zone else timezone.get_current_timezone()


def in_zone(moment: datetime | None, time_zone) -> datetime | None:
    """`moment` (aware) as wall-clock time in the call's zone."""
    return None if moment is None else timezone.localtime(moment, zone(time_zone))


def local_date(moment: datetime | None, time_zone) -> date | None:
    """The calendar date of `moment` in the call's zone."""
    return None if moment is None else in_zone(moment, time_zone).date()


def local_minute(moment: datetime | None, time_zone) -> str:
    """`2026-12-04 18:00` in the call's zone: the form deadlines take in mails and documents."""
    return "" if moment is None else f"{in_zone(moment, time_zone):%Y-%m-%d %H:%M}"


def utc_offset(time_zone, moment: datetime | None = None) -> str:
    """`UTC+8`, `UTC+5:30`, `UTC−5` for the zone at `moment` (now by default)."""
    offset = timezone.localtime(moment or timezone.now(), zone(time_zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


@register.filter
def zone_label(time_zone, moment: datetime | None = None) -> str:
    """A call's time zone in the reader's words: `北京时间（UTC+8）` / `Beijing time (UTC+8)`; a zone without a
    name here shows as its offset only (never an IANA name such as `Asia/Shanghai` on a Chinese page)."""
    name = str(getattr(time_zone, "key", time_zone) or timezone.get_current_timezone_name())
    offset = utc_offset(name, moment)
    label = ZONE_NAMES.get(name)
    return str(_("%(zone)s, %(offset)s") % {"zone": label, "offset": offset}) if label else offset
