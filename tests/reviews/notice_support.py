"""Time travel and objections for the public notice (公示) tests; World approves and publishes (tests/helpers.py)."""

import datetime as dt

from django.utils import timezone

from reviews.models import Objection, PublicNotice
from reviews.services.notice import confirm_objection, lodge_objection, objection_token


def end_period(notice):
    """Time travel: the notice's objection period ended a minute ago."""
    PublicNotice.objects.filter(pk=notice.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    notice.refresh_from_db()
    return notice


def confirmed(objection):
    """The sender followed the confirmation link mailed to them."""
    confirm_objection(token=objection_token(objection))
    objection.refresh_from_db()
    return objection


def lodge_confirmed(**kwargs):
    """Lodge an objection and confirm it, as a sender who opens the link does: it counts from now on."""
    return confirmed(lodge_objection(**kwargs))


def legacy_objection(notice, *, entry=None, **fields):
    """An objection as stored before objections had to name a proposal and be confirmed: open, and
    (without `entry`) against the whole list. Test set-up only: nothing can lodge one today."""
    defaults = {"name": "王五", "email": "wangwu@example.org", "reasons": "程序不合规。"}
    return Objection.objects.create(notice=notice, entry=entry, **{**defaults, **fields})
