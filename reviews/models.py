from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pocflow.i18n import localized
from reviews.enums import ConflictSource, PanelOutcome, ReviewStatus


class Criterion(models.Model):
    """One criterion of a call's rubric, with its weight and maximum score."""

    call = models.ForeignKey("proposals.Call", on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        ordering = ["call", "order", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")

    @property
    def description(self):
        return localized(self, "description")


class Review(models.Model):
    """One expert's assignment to a proposal and, once scored, their review."""

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="reviews")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(_("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.ASSIGNED, db_index=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    opinion = models.TextField(_("opinion for the applicant"), blank=True)
    panel_note = models.TextField(_("confidential note for the panel"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces")

    class Meta:
        ordering = ["assigned_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["proposal", "expert"], name="one_review_per_expert_and_proposal")]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return _("Review %(n)s of %(proposal)s") % {"n": self.pk, "proposal": self.proposal}

    @property
    def weighted_total(self):
        """Weighted total on a 0–100 scale from the prefetched scores; None when unscored."""
        scores = list(self.scores.all())
        if not scores:
            return None
        from reviews.services.aggregation import weighted_total

        return weighted_total([(s.value, s.criterion.max_score, s.criterion.weight) for s in scores])


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(_("score"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["criterion__order", "pk"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")]
        verbose_name = _("score")
        verbose_name_plural = _("scores")

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class Conflict(models.Model):
    """A conflict of interest (回避) between an expert and a proposal."""

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="conflicts")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflicts")
    source = models.CharField(_("source"), max_length=20, choices=ConflictSource.choices)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["proposal", "expert"], name="one_conflict_per_expert_and_proposal")]
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")

    def __str__(self):
        return f"{self.expert} ↔ {self.proposal}"


class PanelDecision(models.Model):
    """The panel's decision on a proposal, recorded by staff, with the figures it saw."""

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="panel_decisions")
    outcome = models.CharField(_("outcome"), max_length=30, choices=PanelOutcome.choices)
    feedback = models.TextField(_("feedback to the applicant"))
    mean = models.DecimalField(_("mean"), max_digits=6, decimal_places=2, null=True, blank=True)
    trimmed_mean = models.DecimalField(_("trimmed mean"), max_digits=6, decimal_places=2, null=True, blank=True)
    review_count = models.PositiveSmallIntegerField(_("reviews"), default=0)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("panel decision")
        verbose_name_plural = _("panel decisions")

    def __str__(self):
        return f"{self.proposal} — {self.get_outcome_display()}"
