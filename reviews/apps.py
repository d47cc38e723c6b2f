from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        # reason: the conflict-detection receivers import models, which need the app registry ready
        from core import outbox
        from reviews import receivers  # noqa: F401
        from reviews.services.notice import RECEIPT_KIND, deliver_receipt

        outbox.register(RECEIPT_KIND, deliver_receipt, label=_("Objection receipt"))
