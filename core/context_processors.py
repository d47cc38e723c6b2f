from django.conf import settings
from django.utils.translation import gettext_lazy as _


def center(request):
    """The operating center's name and logo for the page header (settings `POCFLOW_CENTER_NAME`,
    `POCFLOW_CENTER_LOGO`: a static path, or empty for none)."""
    return {
        "center_name": getattr(settings, "POCFLOW_CENTER_NAME", "") or "pocflow",
        "center_subtitle": _("Proof-of-concept center"),
        "center_logo": getattr(settings, "POCFLOW_CENTER_LOGO", ""),
    }
