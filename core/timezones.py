"""Deadlines are stored in UTC and shown in the call's time zone (an IANA name on the call)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone


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
