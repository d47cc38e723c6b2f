from django.db import models
from django.utils.translation import gettext_lazy as _


class Instrument(models.TextChoices):
    GRANT = "grant", _("Grant (无偿资助)")
    INVEST_FIRST = "invest_first", _("Invest first, equity later (先投后股)")
    EQUITY = "equity", _("Direct equity investment (股权投资)")


class LedgerKind(models.TextChoices):
    COMMITMENT = "commitment", _("Commitment")
    RELEASE = "release", _("Release (payment)")
    RETURN = "return", _("Return to the fund")


class FundingOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class ApprovalDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REFUSE = "refuse", _("Refuse")
