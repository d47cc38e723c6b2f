"""Time travel for the public notice (公示) tests; World approves and publishes (tests/helpers.py)."""

import datetime as dt

from django.utils import timezone

from reviews.models import PublicNotice


def end_period(notice):
    """Time travel: the notice's objection period ended a minute ago."""
    PublicNotice.objects.filter(pk=notice.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    notice.refresh_from_db()
    return notice
