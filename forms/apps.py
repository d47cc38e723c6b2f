from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from forms.pdfs import limit_qpdf


class FormsConfig(AppConfig):
    name = "forms"
    label = "forms"
    verbose_name = _("Application forms")

    def ready(self):
        limit_qpdf(settings.PDF_MAX_DECODED_BYTES)  # qpdf's limits are process-wide: set once, on loading
