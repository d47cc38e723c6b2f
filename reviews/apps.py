from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        # reason: the conflict-detection receivers import models, which need the app registry ready
        from reviews import receivers  # noqa: F401
