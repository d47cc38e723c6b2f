from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = _("Decisions")

    def ready(self):
        # reason: receivers import models and tasks, which need the app registry ready
        from decisions import deliveries
        from decisions.receivers import (
            queue_acceptance_certificate,
            queue_agreement_document,
            queue_conversion_notice,
            queue_decision_letter,
            queue_review_summary,
            queue_tranche_notice,
        )
        from incubation import signals as incubation_signals
        from proposals.signals import proposal_transitioned

        deliveries.register()
        proposal_transitioned.connect(queue_decision_letter, dispatch_uid="decisions-letter")
        proposal_transitioned.connect(queue_review_summary, dispatch_uid="decisions-review-summary")
        # the incubation documents (incubation sends, never imports decisions)
        incubation_signals.agreement_issued.connect(queue_agreement_document, dispatch_uid="decisions-agreement")
        incubation_signals.tranche_released.connect(queue_tranche_notice, dispatch_uid="decisions-tranche-notice")
        incubation_signals.acceptance_recorded.connect(queue_acceptance_certificate,
                                                       dispatch_uid="decisions-acceptance-certificate")
        incubation_signals.settlement_recorded.connect(queue_conversion_notice,
                                                       dispatch_uid="decisions-conversion-notice")
