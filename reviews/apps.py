from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        # reason: the conflict-detection receivers import models, which need the app registry ready
        from core import outbox
        from proposals.models import register_state_choices
        from reviews import (
            enums,
            receivers,  # noqa: F401
        )
        from reviews.services.notice import CONFIRM_KIND, RECEIPT_KIND, deliver_confirmation, deliver_receipt

        outbox.register(CONFIRM_KIND, deliver_confirmation, label=_("Objection confirmation link"))
        outbox.register(RECEIPT_KIND, deliver_receipt, label=_("Objection receipt"))
        # what the review machines record on a proposal's history, named in the reader's language
        register_state_choices("review", enums.ReviewStatus)
        register_state_choices("assignment", enums.AssignmentRunStatus)
        register_state_choices("notice", enums.NoticeStatus, enums.ObjectionStatus)
        from reviews.services.snapshot import OUTBOX_KIND, deliver_panel_snapshot

        outbox.register(OUTBOX_KIND, deliver_panel_snapshot, label=_("Panel results"))
