from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.bodylimit import register_body_limit


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals")

    def ready(self):
        # reason: the receivers import models, which need the app registry ready
        from proposals import receivers  # noqa: F401
        from proposals.selectors import form_body_limit

        register_body_limit("proposals:edit", lambda request, match: form_body_limit(proposal_pk=match.kwargs["pk"]))
