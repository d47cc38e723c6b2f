from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals")

    def ready(self):
        # reason: the receivers import models, which need the app registry ready
        from proposals import receivers  # noqa: F401
