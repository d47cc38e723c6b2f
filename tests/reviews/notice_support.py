"""A call with approved proposals waiting for their public notice (公示), reached through the real services."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from reviews.models import PublicNotice
from reviews.services.notice import publish_notice
from tests.helpers import World
from workflows import services


class NoticeWorld(World):
    def approve(self, values=(Decimal("8"), Decimal("4"))):
        """A proposal approved by the panel, parked at the notice."""
        p = self.assigned()
        for review in self.reviews:
            self.score(review, values)
        p.refresh_from_db()
        services.decide_panel(proposal=p, officer=self.officer, outcome="approve", feedback="同意立项")
        p.refresh_from_db()
        return p

    def publish(self, **kwargs):
        kwargs.setdefault("title_zh", "关于拟立项项目的公示")
        return publish_notice(call=self.call, published_by=self.officer, **kwargs)


def end_period(notice):
    """Time travel: the notice's objection period ended a minute ago."""
    PublicNotice.objects.filter(pk=notice.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    notice.refresh_from_db()
    return notice
