from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data and the pipeline driver (manage.py seed_demo, run_pipeline): above every other app."""

    name = "demo"
    verbose_name = _("Demo")
