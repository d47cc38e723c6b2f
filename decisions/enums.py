from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    APPROVAL_LETTER = "approval_letter", _("Approval letter (立项通知书)")
    REJECTION_LETTER = "rejection_letter", _("Decision letter with feedback")
    REVIEW_SUMMARY = "review_summary", _("Anonymised review summary")
    PANEL_SHEET = "panel_sheet", _("Panel score sheet (专家组汇总表)")
