from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from proposals.enums import ProposalStatus


class Instrument(models.TextChoices):
    GRANT = "grant", _("Grant (无偿资助)")
    INVEST_FIRST = "invest_first", _("Invest first, equity later (先投后股)")
    EQUITY = "equity", _("Direct equity investment (股权投资)")


class LedgerKind(models.TextChoices):
    COMMITMENT = "commitment", _("Commitment")
    RELEASE = "release", _("Release (payment)")
    RETURN = "return", _("Return to the fund")


class FundingOutcome(models.TextChoices):
    APPROVED = "approved", pgettext_lazy("funding outcome", "Approved")
    DECLINED = "declined", _("Declined")


class ApprovalDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REFUSE = "refuse", _("Refuse")


class FundingChoice(models.TextChoices):
    """What a fund manager chooses in the funding task (funding.services.approvals.take_funding_decision)."""

    APPROVE = "approve", _("Approve funding")
    DECLINE = "decline", _("Decline")
    REFUSE = "refuse", _("Refuse the pending first approval")


class EligibilityKind(models.TextChoices):
    """Per-call rules checked before funding (see funding.services.eligibility)."""

    COMPANY_AGE_MAX_YEARS = "company_age_max_years", _("Company founded at most N years ago")
    FOUNDERS_PAID_IN_MIN_PCT = "founders_paid_in_min_pct", _("Founders' paid-in cash at least N per cent of the budget")
    COMPANY_REQUIRED = "company_required", _("A company must already exist")


class DeadlineAction(models.TextChoices):
    """What happens to invest-first money that has not converted by the deadline."""

    WRITE_OFF = "write_off", _("Written off (核销)")
    BUY_BACK = "buy_back", _("Bought back on the agreed terms (回购)")


class Stage(models.TextChoices):
    """The stages a technology manager (技术经理人) accompanies a project through."""

    SCOUTING = "scouting", _("Scouting (挖掘)")
    INCUBATION = "incubation", _("Incubation (孵化)")
    TRANSFER = "transfer", _("Transfer (转化)")


class CommissionKind(models.TextChoices):
    FLAT = "flat", _("Flat percentage")
    TIERED = "tiered", _("Tiered by amount")
    BASE_EXCESS = "base_excess", _("Base plus excess")
    STAGED = "staged", _("Split across stages")


class CommissionBasis(models.TextChoices):
    CONTRACTS = "contracts", _("Registered technology contracts")
    FINANCING = "financing", _("Financing raised")
    BOTH = "both", _("Contracts and financing")


class CommissionSource(models.TextChoices):
    CONTRACT = "contract", _("Technology contract")
    FINANCING = "financing", _("Financing round")


class CommissionEntryKind(models.TextChoices):
    ACCRUAL = "accrual", _("Commission payable")
    PAYMENT = "payment", _("Commission paid")


# kinds of eligibility rule that need a threshold
THRESHOLD_KINDS = {EligibilityKind.COMPANY_AGE_MAX_YEARS, EligibilityKind.FOUNDERS_PAID_IN_MIN_PCT}
# eligibility facts may be recorded until the funding decision is taken
FACTS_STATES = frozenset({ProposalStatus.APPROVED, ProposalStatus.FUNDING})
