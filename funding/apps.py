from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")

    def ready(self):
        # reason: models can be imported only once the app registry is ready
        from funding.notice_hooks import approved_decisions_prefetch
        from reviews.selectors.notice import register_entry_prefetch

        register_entry_prefetch(approved_decisions_prefetch)
