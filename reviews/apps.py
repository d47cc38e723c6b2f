from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        # reason: the conflict-detection receivers import models, which need the app registry ready
        from core import outbox
        from reviews import receivers  # noqa: F401
        from reviews.services.notice import CONFIRM_KIND, RECEIPT_KIND, deliver_confirmation, deliver_receipt

        outbox.register(CONFIRM_KIND, deliver_confirmation, label=_("Objection confirmation link"))
        outbox.register(RECEIPT_KIND, deliver_receipt, label=_("Objection receipt"))
        from reviews.services.snapshot import OUTBOX_KIND, deliver_panel_snapshot

        outbox.register(OUTBOX_KIND, deliver_panel_snapshot, label=_("Panel results"))
