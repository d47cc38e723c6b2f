from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self):
        # reason: the receivers import flows and models, which need the app registry ready
        from workflows import receivers, rules  # noqa: F401 — rules registers the permissions

        receivers.connect()
        from core.metrics import register_scrape_collector
        from workflows.metrics import PipelineCollector

        register_scrape_collector(PipelineCollector())
