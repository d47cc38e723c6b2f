from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from core.models import AppendOnly, Chained
from funding.enums import (
    ApprovalDecision,
    CommissionBasis,
    CommissionEntryKind,
    CommissionKind,
    CommissionSource,
    EligibilityKind,
    FundingOutcome,
    Instrument,
    LedgerKind,
    Stage,
)

DEFAULT_FOUR_EYES_THRESHOLD = Decimal("500000.00")


def all_instruments():
    """Default for Fund.instruments: a new fund may use every instrument."""
    return [value for value, _label in Instrument.choices]


class Fund(models.Model):
    """A seed / PoC fund. Its commitments may never exceed its size."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    size = models.DecimalField(_("size"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    starts_on = models.DateField(_("period starts on"), default=timezone.localdate)
    ends_on = models.DateField(_("period ends on"), null=True, blank=True, help_text=_("Leave empty for an open-ended fund."))
    instruments = models.JSONField(_("instruments"), default=all_instruments,
                                   help_text=_("The instruments this fund may use: grant, invest_first, equity."))
    four_eyes_threshold = models.DecimalField(
        _("four-eyes threshold"), max_digits=16, decimal_places=2, default=DEFAULT_FOUR_EYES_THRESHOLD,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Amounts strictly above this need two approvers."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_zh", "pk"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")

    def clean(self):
        super().clean()
        errors = {}
        valid = set(Instrument.values)
        if not isinstance(self.instruments, list) or not self.instruments:
            errors["instruments"] = _("List at least one instrument.")
        elif any(value not in valid for value in self.instruments):
            errors["instruments"] = _("Unknown instrument; use grant, invest_first or equity.")
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The period cannot end before it starts.")
        if errors:
            raise ValidationError(errors)

    def allows(self, instrument) -> bool:
        return instrument in (self.instruments or [])

    def is_open_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    def instrument_labels(self):
        labels = dict(Instrument.choices)
        return [labels[value] for value in self.instruments or [] if value in labels]


class LedgerEntry(Chained):
    """Append-only money movement of a fund: commitments, releases (payments), returns."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(_("kind"), max_length=20, choices=LedgerKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    proposal = models.ForeignKey("proposals.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries")
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    # A payment (or return) is written at most once per key, e.g. "tranche:12:release": a double
    # click or a retried job finds the existing row instead of paying twice.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} {self.fund.currency}"



class FundingDecision(AppendOnly):
    """A fund manager's decision on a proposal's funding. Append-only: a decision taken is never edited."""

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="funding_decisions")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(_("outcome"), max_length=20, choices=FundingOutcome.choices)
    instrument = models.CharField(_("instrument"), max_length=20, choices=Instrument.choices, default=Instrument.GRANT)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, null=True, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("funding decision")
        verbose_name_plural = _("funding decisions")

    def __str__(self):
        return f"{self.proposal} — {self.get_outcome_display()}"


class FundingApproval(AppendOnly):
    """One fund manager's approval or refusal under the four-eyes rule. Append-only.

    A first approval (decision approve, `confirms` empty) is pending until a second, different
    fund manager confirms it (a row with decision approve pointing at it) or refuses it (a row
    with decision refuse pointing at it, which voids it).
    """

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="funding_approvals")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    instrument = models.CharField(_("instrument"), max_length=20, choices=Instrument.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=ApprovalDecision.choices)
    reason = models.TextField(_("reason"), blank=True)
    confirms = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="answers")
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("funding approval")
        verbose_name_plural = _("funding approvals")

    def __str__(self):
        return f"{self.proposal} — {self.get_decision_display()} {self.amount}"



class EligibilityRule(models.Model):
    """A per-call funding eligibility rule, checked against the proposal's EligibilityFacts."""

    call = models.ForeignKey("proposals.Call", on_delete=models.CASCADE, related_name="eligibility_rules")
    kind = models.CharField(_("rule"), max_length=40, choices=EligibilityKind.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=12, decimal_places=2, null=True, blank=True,
                                    help_text=_("Years for company age, percent for paid-in cash; empty where the rule needs none."))
    instruments = models.JSONField(_("applies to instruments"), default=list, blank=True,
                                   help_text=_("Empty: every instrument."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["call", "order", "pk"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        constraints = [models.UniqueConstraint(fields=["call", "kind"], name="eligibility_rule_once_per_call")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.threshold})" if self.threshold is not None else self.get_kind_display()

    def applies_to(self, instrument) -> bool:
        return not self.instruments or instrument in self.instruments


class EligibilityFacts(models.Model):
    """What the fund manager verified about the applicant's company and budget (one row per proposal)."""

    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.CASCADE, related_name="eligibility_facts")
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    company_founded_on = models.DateField(_("company founded on"), null=True, blank=True,
                                          help_text=_("Leave empty if no company exists yet."))
    project_budget = models.DecimalField(_("total project budget"), max_digits=16, decimal_places=2, null=True, blank=True)
    founders_paid_in = models.DecimalField(_("founders' paid-in cash"), max_digits=16, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("eligibility facts")
        verbose_name_plural = _("eligibility facts")

    def __str__(self):
        return str(self.proposal)


class CommissionRule(models.Model):
    """How a fund pays technology managers (技术经理人). See funding.services.commission_formulas for the formulas.

    - flat: rate_pct of the basis amount;
    - tiered: marginal rates over `tiers` = [{"up_to": "1000000", "rate_pct": "5"}, {"up_to": null, "rate_pct": "3"}];
    - base_excess: base_amount plus excess_rate_pct of the part above `threshold`;
    - staged: rate_pct of the basis, split by `stages` = {"scouting": "30", "incubation": "40", "transfer": "30"}.
    """

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="commission_rules")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=CommissionKind.choices)
    basis = models.CharField(_("basis"), max_length=20, choices=CommissionBasis.choices, default=CommissionBasis.BOTH)
    rate_pct = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=3, null=True, blank=True)
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    base_amount = models.DecimalField(_("base amount"), max_digits=16, decimal_places=2, null=True, blank=True)
    threshold = models.DecimalField(_("threshold"), max_digits=16, decimal_places=2, null=True, blank=True)
    excess_rate_pct = models.DecimalField(_("rate above the threshold (%)"), max_digits=6, decimal_places=3, null=True, blank=True)
    stages = models.JSONField(_("stage shares (%)"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["fund", "-active", "name", "pk"]
        verbose_name = _("commission rule")
        verbose_name_plural = _("commission rules")

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class CommissionEntry(AppendOnly):
    """The technology managers' payable ledger: accruals (with the rule used) and payments. Append-only."""

    kind = models.CharField(_("kind"), max_length=20, choices=CommissionEntryKind.choices)
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commission_entries")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="commission_entries")
    proposal = models.ForeignKey("proposals.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="commission_entries")
    rule = models.ForeignKey(CommissionRule, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    rule_snapshot = models.JSONField(_("rule used"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=CommissionSource.choices, blank=True)
    source_id = models.PositiveIntegerField(null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    basis_amount = models.DecimalField(_("basis amount"), max_digits=16, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=120, null=True, blank=True, unique=True, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("commission entry")
        verbose_name_plural = _("commission entries")

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} — {self.manager}"

