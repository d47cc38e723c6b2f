from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funding.enums import ApprovalDecision, FundingOutcome, Instrument, LedgerKind
from pocflow.i18n import localized

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


class LedgerEntry(models.Model):
    """Append-only money movement of a fund: commitments, releases (payments), returns."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(_("kind"), max_length=20, choices=LedgerKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    proposal = models.ForeignKey("proposals.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries")
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} {self.fund.currency}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Ledger entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Ledger entries are append-only.")


class FundingDecision(models.Model):
    """A fund manager's decision on a proposal's funding."""

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


class FundingApproval(models.Model):
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

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Funding approvals are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Funding approvals are append-only.")
