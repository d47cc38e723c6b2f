from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    APPROVAL_LETTER = "approval_letter", _("Approval letter (立项通知书)")
    REJECTION_LETTER = "rejection_letter", _("Decision letter with feedback")
    INELIGIBILITY_LETTER = "ineligibility_letter", _("Formal screening result (形式审查结果通知)")
    FUNDING_DECLINE_LETTER = "funding_decline_letter", _("Funding decision letter (不予资助通知)")
    REVIEW_SUMMARY = "review_summary", _("Anonymised review summary")
    PANEL_SHEET = "panel_sheet", _("Panel score sheet (专家组汇总表)")
    FUNDING_AGREEMENT = "funding_agreement", _("Funding agreement (任务书)")
    TRANCHE_NOTICE = "tranche_notice", _("Tranche release notice (拨付通知)")
    ACCEPTANCE_CERTIFICATE = "acceptance_certificate", _("Acceptance certificate (验收证书)")
    CONVERSION_NOTICE = "conversion_notice", _("Conversion notice (转股通知)")
