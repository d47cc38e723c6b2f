from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = _("Decisions")

    def ready(self):
        from decisions.receivers import queue_decision_letter, queue_review_summary
        from proposals.signals import proposal_transitioned

        proposal_transitioned.connect(queue_decision_letter, dispatch_uid="decisions-letter")
        proposal_transitioned.connect(queue_review_summary, dispatch_uid="decisions-review-summary")
