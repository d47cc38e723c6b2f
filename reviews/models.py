import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from core.fsm import SafeConcurrentTransitionMixin
from core.i18n import localized
from core.models import AppendOnly
from reviews import rules as review_rules
from reviews.enums import (
    DISCARDABLE_RUN_STATES,
    OPEN_REVIEW_STATES,
    AssignmentRunStatus,
    Band,
    CandidateRole,
    Confidence,
    ConflictSource,
    ExpertType,
    JudgeKind,
    NoticeStatus,
    ObjectionStatus,
    PanelOutcome,
    Recommendation,
    RelationKind,
    ReviewStatus,
)
from reviews.services import aggregation


def _allowed(predicate):
    """Adapt a django-rules (user, record) predicate to django-fsm's (instance, user) permission;
    `test` passes a one-argument predicate (a role) only the user."""

    def check(instance, user):
        return bool(predicate.test(user, instance))

    return check


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
    na_allowed = models.BooleanField(
        _("N/A allowed"), default=False,
        help_text=_("Experts may answer N/A; it counts as missing data, never as zero."),
    )
    pass_mark = models.DecimalField(
        _("pass mark"), max_digits=6, decimal_places=2, null=True, blank=True,
        help_text=_("Optional. A proposal passes this criterion when a majority of experts score at least this."),
    )

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

    def clean(self):
        if self.pass_mark is not None and self.max_score is not None and self.pass_mark > self.max_score:
            raise ValidationError({"pass_mark": _("The pass mark cannot exceed the maximum score.")})


class CriterionBand(models.Model):
    """An anchored level (A–D) of a criterion: a score range and what it means."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="bands")
    band = models.CharField(_("band"), max_length=1, choices=Band.choices)
    min_score = models.DecimalField(_("from"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal(0))])
    max_score = models.DecimalField(_("to"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal(0))])
    description_zh = models.CharField(_("description (Chinese)"), max_length=500)
    description_en = models.CharField(_("description (English)"), max_length=500, blank=True)

    class Meta:
        ordering = ["criterion", "band"]
        constraints = [models.UniqueConstraint(fields=["criterion", "band"], name="one_band_per_letter")]
        verbose_name = _("score band")
        verbose_name_plural = _("score bands")

    def __str__(self):
        return f"{self.band} ({self.min_score.normalize():f}–{self.max_score.normalize():f})"

    @property
    def description(self):
        return localized(self, "description")

    def clean(self):
        if self.min_score is not None and self.max_score is not None and self.min_score > self.max_score:
            raise ValidationError({"max_score": _("The upper end of a band must not be below its lower end.")})


class CompositionRule(models.Model):
    """Panel composition per call: at least / at most this many experts of a type per proposal."""

    call = models.ForeignKey("proposals.Call", on_delete=models.CASCADE, related_name="composition_rules")
    expert_type = models.CharField(_("expert type"), max_length=20, choices=ExpertType.choices)
    min_count = models.PositiveSmallIntegerField(_("at least"), default=1)
    max_count = models.PositiveSmallIntegerField(_("at most"), null=True, blank=True)

    class Meta:
        ordering = ["call", "expert_type"]
        constraints = [models.UniqueConstraint(fields=["call", "expert_type"], name="one_rule_per_type_and_call")]
        verbose_name = _("panel composition rule")
        verbose_name_plural = _("panel composition rules")

    def __str__(self):
        return _("%(type)s: at least %(min)s") % {"type": self.get_expert_type_display(), "min": self.min_count}

    def clean(self):
        if self.max_count is not None and self.max_count < self.min_count:
            raise ValidationError({"max_count": _("“At most” must not be below “at least”.")})


class ExpertProfile(models.Model):
    """An expert in the pool (专家库): who they are, what they know, how much they can take."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile")
    expert_type = models.CharField(_("type"), max_length=20, choices=ExpertType.choices, default=ExpertType.ACADEMIC)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    position = models.CharField(_("position / title"), max_length=200, blank=True)
    fields_zh = models.TextField(_("fields (Chinese)"), blank=True, help_text=_("Separate with commas."))
    fields_en = models.TextField(_("fields (English)"), blank=True, help_text=_("Separate with commas."))
    keywords_zh = models.TextField(_("keywords (Chinese)"), blank=True, help_text=_("Separate with commas."))
    keywords_en = models.TextField(_("keywords (English)"), blank=True, help_text=_("Separate with commas."))
    bio = models.TextField(_("short bio"), blank=True)
    max_load = models.PositiveSmallIntegerField(
        _("maximum concurrent reviews"), default=5, validators=[MaxValueValidator(200)]
    )
    active = models.BooleanField(_("in the pool"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["user__full_name", "user__username"]
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")

    def __str__(self):
        return f"{self.user.display_name} ({self.get_expert_type_display()})"

    @property
    def expertise_text(self):
        """Everything the affinity model reads about this expert."""
        return " ".join([self.fields_zh, self.fields_en, self.keywords_zh, self.keywords_en])


class ExpertUnavailability(models.Model):
    """A period in which the expert takes no new assignments."""

    profile = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="unavailable_periods")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("unavailable period")
        verbose_name_plural = _("unavailable periods")

    def __str__(self):
        return f"{self.starts_on}–{self.ends_on}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date must not be before the start date.")})


class ExpertRelation(models.Model):
    """A co-author, former student, advisor or relative: any proposal they are on is a conflict."""

    profile = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="relations")
    kind = models.CharField(_("relation"), max_length=20, choices=RelationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    until_year = models.PositiveSmallIntegerField(_("until (year)"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "name", "pk"]
        verbose_name = _("related person")
        verbose_name_plural = _("related persons")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"


class Review(SafeConcurrentTransitionMixin, models.Model):
    """One expert's assignment to a proposal and, once scored, their review.

    `status` changes only through the door `reviews.services.states.transition_review`."""

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="reviews")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    status = FSMField(_("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.ASSIGNED,
                      protected=True, db_index=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    opinion = models.TextField(_("opinion for the applicant"), blank=True)
    panel_note = models.TextField(_("confidential note for the panel"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces")
    recommendation = models.CharField(_("overall recommendation"), max_length=20, choices=Recommendation.choices, blank=True)
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices, blank=True)
    veto = models.BooleanField(_("veto (一票否决)"), default=False)
    veto_reason = models.TextField(_("reason for the veto"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    extensions = models.PositiveSmallIntegerField(_("deadline extensions"), default=0)

    class Meta:
        ordering = ["assigned_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["proposal", "expert"], name="one_review_per_expert_and_proposal")]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return _("Review %(n)s of %(proposal)s") % {"n": self.pk, "proposal": self.proposal}

    # Transitions: bodies change fields in memory only; the door (reviews.services.states) checks,
    # saves, audits and notifies.

    @transition(field=status, source=OPEN_REVIEW_STATES, target=ReviewStatus.DRAFT,
                permission=_allowed(review_rules.is_review_owner))
    def save_draft(self):
        pass

    @transition(field=status, source=OPEN_REVIEW_STATES, target=ReviewStatus.SUBMITTED,
                permission=_allowed(review_rules.is_review_owner))
    def submit(self, *, at=None):
        self.submitted_at = at or timezone.now()

    @transition(field=status, source=OPEN_REVIEW_STATES, target=ReviewStatus.DECLINED,
                permission=_allowed(review_rules.is_review_owner))
    def decline(self, *, reason, at=None):
        """The expert declares a conflict of interest, or a conflict recorded later ends the review (system)."""
        self.declined_at = at or timezone.now()
        self.decline_reason = reason

    @transition(field=status, source=OPEN_REVIEW_STATES, target=ReviewStatus.CANCELED,
                permission=_allowed(review_rules.can_assign_experts))
    def cancel(self, *, replaced_by):
        """Staff replace an overdue expert: this review ends, `replaced_by` takes over."""
        self.replaced_by = replaced_by

    @property
    def weighted_total(self):
        """Weighted total on a 0–100 scale from the prefetched scores; N/A scores are skipped (weights
        renormalised over the answered criteria); None when unscored or all N/A."""
        scores = list(self.scores.all())
        if not scores:
            return None
        return aggregation.weighted_total([(None if s.not_applicable else s.value, s.criterion.max_score, s.criterion.weight)
                               for s in scores])


class Score(models.Model):
    """One criterion's score in a review; N/A (no value) is missing data, never zero."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    not_applicable = models.BooleanField(_("N/A"), default=False)

    class Meta:
        ordering = ["criterion__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(
                condition=models.Q(not_applicable=True, value__isnull=True) | models.Q(not_applicable=False, value__isnull=False),
                name="score_value_xor_na",
            ),
        ]
        verbose_name = _("score")
        verbose_name_plural = _("scores")

    def __str__(self):
        return f"{self.criterion}: {'N/A' if self.not_applicable else self.value}"


class ReviewReminder(AppendOnly):
    """A reminder mail sent before a review's deadline; one per review, deadline and offset (append-only)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reminders")
    deadline = models.DateTimeField(_("deadline"))
    offset_days = models.PositiveSmallIntegerField(_("days before the deadline"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "deadline", "offset_days"], name="one_reminder_per_offset"),
        ]
        verbose_name = _("review reminder")
        verbose_name_plural = _("review reminders")

    def __str__(self):
        return f"{self.review_id} −{self.offset_days}d"


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


class PanelDecision(AppendOnly):
    """The panel's decision on a proposal, recorded by staff, with the figures it saw (append-only)."""

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="panel_decisions")
    outcome = models.CharField(_("outcome"), max_length=30, choices=PanelOutcome.choices)
    feedback = models.TextField(_("feedback to the applicant"))
    conditions = models.TextField(_("conditions"), blank=True)
    mean = models.DecimalField(_("mean"), max_digits=6, decimal_places=2, null=True, blank=True)
    trimmed_mean = models.DecimalField(_("trimmed mean"), max_digits=6, decimal_places=2, null=True, blank=True)
    median = models.DecimalField(_("median"), max_digits=6, decimal_places=2, null=True, blank=True)
    calibrated = models.DecimalField(_("calibrated score"), max_digits=6, decimal_places=2, null=True, blank=True)
    final_score = models.DecimalField(_("final score"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    figures = models.JSONField(_("figures and methods"), default=dict, blank=True)
    review_count = models.PositiveSmallIntegerField(_("reviews"), default=0)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("panel decision")
        verbose_name_plural = _("panel decisions")

    def __str__(self):
        return f"{self.proposal} — {self.get_outcome_display()}"


class PanelRecommendation(AppendOnly):
    """The panel chair's recommendation on a proposal, with a rationale (append-only; the latest counts)."""

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="panel_recommendations")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recommendation = models.CharField(_("recommendation"), max_length=30, choices=PanelOutcome.choices)
    rationale = models.TextField(_("rationale"))
    conditions = models.TextField(_("conditions"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]
        verbose_name = _("panel recommendation")
        verbose_name_plural = _("panel recommendations")

    def __str__(self):
        return f"{self.proposal} — {self.get_recommendation_display()}"


class RankingAdjustment(AppendOnly):
    """The chair moved a proposal in the call's ranked list, with a reason (append-only).

    `order` holds the full ranked list of proposal ids after the move; the latest row is current.
    """

    call = models.ForeignKey("proposals.Call", on_delete=models.CASCADE, related_name="ranking_adjustments")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="+")
    from_position = models.PositiveIntegerField(_("from position"))
    to_position = models.PositiveIntegerField(_("to position"))
    reason = models.TextField(_("reason"))
    order = models.JSONField(_("ranked list after the move"), default=list)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ranking adjustment")
        verbose_name_plural = _("ranking adjustments")

    def __str__(self):
        return f"{self.proposal}: {self.from_position} → {self.to_position}"


class AssignmentRun(SafeConcurrentTransitionMixin, models.Model):
    """One run of the automatic assignment for a call: the proposed plan, its figures and diagnostics.

    Created proposed (or infeasible); `status` changes only through the door
    `reviews.services.states.transition_assignment_run`."""

    call = models.ForeignKey("proposals.Call", on_delete=models.CASCADE, related_name="assignment_runs")
    experts_per_proposal = models.PositiveSmallIntegerField(_("experts per proposal"))
    status = FSMField(_("status"), max_length=20, choices=AssignmentRunStatus.choices, default=AssignmentRunStatus.PROPOSED,
                      protected=True)
    method = models.CharField(_("method"), max_length=80)
    total_affinity = models.DecimalField(_("total affinity"), max_digits=12, decimal_places=4, null=True, blank=True)
    solve_ms = models.PositiveIntegerField(_("solve time (ms)"), null=True, blank=True)
    diagnostics = models.JSONField(_("diagnostics"), default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("assignment run")
        verbose_name_plural = _("assignment runs")

    def __str__(self):
        return _("Assignment for %(call)s at %(time)s") % {"call": self.call, "time": self.created_at}

    @transition(field=status, source=AssignmentRunStatus.PROPOSED, target=AssignmentRunStatus.APPLIED,
                permission=_allowed(review_rules.can_assign_experts))
    def apply(self, *, by, at=None):
        self.applied_by = by
        self.applied_at = at or timezone.now()

    @transition(field=status, source=DISCARDABLE_RUN_STATES, target=AssignmentRunStatus.DISCARDED,
                permission=_allowed(review_rules.can_assign_experts))
    def discard(self):
        pass


class AssignmentCandidate(AppendOnly):
    """One expert in a run's plan for a proposal: assigned, kept, or a ranked alternate (written once with its run)."""

    run = models.ForeignKey(AssignmentRun, on_delete=models.CASCADE, related_name="candidates")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="assignment_candidates")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=CandidateRole.choices)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)
    affinity = models.DecimalField(_("affinity"), max_digits=8, decimal_places=4)

    class Meta:
        ordering = ["run", "proposal", "role", "rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "proposal", "expert"], name="one_candidate_per_expert")]
        indexes = [models.Index(fields=["proposal", "role"])]
        verbose_name = _("assignment candidate")
        verbose_name_plural = _("assignment candidates")

    def __str__(self):
        return f"{self.proposal_id} ← {self.expert_id} ({self.role})"


class RoadshowJudge(models.Model):
    """A judge or invited investor who scores a call's roadshow (路演)."""

    call = models.ForeignKey("proposals.Call", on_delete=models.CASCADE, related_name="roadshow_judges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roadshow_judgeships")
    kind = models.CharField(_("kind"), max_length=20, choices=JudgeKind.choices, default=JudgeKind.JUDGE)

    class Meta:
        ordering = ["call", "kind", "pk"]
        constraints = [models.UniqueConstraint(fields=["call", "user"], name="one_judgeship_per_call")]
        verbose_name = _("roadshow judge")
        verbose_name_plural = _("roadshow judges")

    def __str__(self):
        return f"{self.user.display_name} ({self.get_kind_display()})"


class RoadshowCriterion(models.Model):
    """A line of the roadshow score sheet, separate from the expert rubric."""

    call = models.ForeignKey("proposals.Call", on_delete=models.CASCADE, related_name="roadshow_criteria")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        ordering = ["call", "order", "pk"]
        verbose_name = _("roadshow criterion")
        verbose_name_plural = _("roadshow criteria")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")


class RoadshowSlot(models.Model):
    """A timed pitch slot (for example 8 minutes pitch + 7 minutes Q&A)."""

    call = models.ForeignKey("proposals.Call", on_delete=models.CASCADE, related_name="roadshow_slots")
    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.CASCADE, related_name="roadshow_slot")
    starts_at = models.DateTimeField(_("starts at"))
    pitch_minutes = models.PositiveSmallIntegerField(_("pitch (minutes)"), default=8)
    qa_minutes = models.PositiveSmallIntegerField(_("questions (minutes)"), default=7)
    location = models.CharField(_("location"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("roadshow slot")
        verbose_name_plural = _("roadshow slots")

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.proposal}"

    @property
    def ends_at(self):
        return self.starts_at + dt.timedelta(minutes=self.pitch_minutes + self.qa_minutes)


class RoadshowSheet(models.Model):
    """One judge's roadshow score sheet for one slot."""

    slot = models.ForeignKey(RoadshowSlot, on_delete=models.CASCADE, related_name="sheets")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="roadshow_sheets")
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["slot", "pk"]
        constraints = [models.UniqueConstraint(fields=["slot", "judge"], name="one_sheet_per_judge_and_slot")]
        verbose_name = _("roadshow score sheet")
        verbose_name_plural = _("roadshow score sheets")

    def __str__(self):
        return f"{self.slot} — {self.judge.display_name}"


class RoadshowScore(models.Model):
    sheet = models.ForeignKey(RoadshowSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RoadshowCriterion, on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(_("score"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["criterion__order", "pk"]
        constraints = [models.UniqueConstraint(fields=["sheet", "criterion"], name="one_roadshow_score_per_criterion")]
        verbose_name = _("roadshow score")
        verbose_name_plural = _("roadshow scores")

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class PublicNotice(SafeConcurrentTransitionMixin, models.Model):
    """A public notice (公示) of a call's approved list, open for objections until it ends.

    `status` changes only through the door `reviews.services.states.transition_notice`."""

    call = models.ForeignKey("proposals.Call", on_delete=models.PROTECT, related_name="notices")
    title_zh = models.CharField(_("title (Chinese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    body_zh = models.TextField(_("text (Chinese)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    starts_at = models.DateTimeField(_("published at"))
    ends_at = models.DateTimeField(_("objections until"))
    status = FSMField(_("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.OPEN, protected=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")

    def __str__(self):
        return self.title

    @property
    def title(self):
        return localized(self, "title")

    @property
    def body(self):
        return localized(self, "body")

    def is_open_for_objections(self, at=None):
        at = at or timezone.now()
        return self.status == NoticeStatus.OPEN and self.starts_at <= at < self.ends_at

    @transition(field=status, source=NoticeStatus.OPEN, target=NoticeStatus.CLOSED,
                permission=_allowed(review_rules.can_manage_notices))
    def close(self, *, at=None):
        """The period is over, every entry final or off the list, no open objection on the whole list."""
        self.closed_at = at or timezone.now()


class NoticeEntry(models.Model):
    """A proposal on a notice's list; `final_at` is set when its approval becomes final.

    A proposal taken off a list (upheld objection) goes back to the panel; if the panel approves it
    again it is published on a new notice, so a proposal may have several entries but only one live
    (not withdrawn) entry."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.CASCADE, related_name="entries")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="notice_entries")
    position = models.PositiveIntegerField(_("position"), default=0)
    final_at = models.DateTimeField(_("final at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("taken off the list at"), null=True, blank=True)

    class Meta:
        ordering = ["notice", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"], condition=models.Q(withdrawn_at__isnull=True), name="one_live_notice_entry_per_proposal",
            ),
        ]
        verbose_name = _("notice entry")
        verbose_name_plural = _("notice entries")

    def __str__(self):
        return f"{self.notice} — {self.proposal}"


class Objection(SafeConcurrentTransitionMixin, models.Model):
    """An objection lodged by anyone during a notice period against one proposal on the list, resolved by staff.

    It is lodged `pending` and counts (holds back its proposal, is shown to staff to handle) only once
    the sender confirmed their e-mail address (`open`); one never confirmed expires. `entry` is empty
    only on objections lodged before an objection had to name a proposal (they concern the whole list).
    `status` changes only through the door `reviews.services.states.transition_objection`."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections")
    entry = models.ForeignKey(NoticeEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="objections",
                              verbose_name=_("proposal"))
    name = models.CharField(_("your name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    reasons = models.TextField(_("reasons"))
    lodged_at = models.DateTimeField(_("lodged at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    status = FSMField(_("status"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN,
                      protected=True, db_index=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["lodged_at", "pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self):
        return _("Objection %(n)s to %(notice)s") % {"n": self.pk, "notice": self.notice}

    @transition(field=status, source=ObjectionStatus.PENDING, target=ObjectionStatus.OPEN)
    def confirm(self, *, at=None):
        """The sender followed the signed link mailed to them (a system act: the link is the authority)."""
        self.confirmed_at = at or timezone.now()

    @transition(field=status, source=ObjectionStatus.PENDING, target=ObjectionStatus.EXPIRED)
    def expire(self):
        """Never confirmed in time (the sweep)."""

    @transition(field=status, source=ObjectionStatus.OPEN, target=ObjectionStatus.UPHELD,
                permission=_allowed(review_rules.can_manage_notices))
    def uphold(self, *, resolution, by, at=None):
        self._resolve(resolution, by, at)

    @transition(field=status, source=ObjectionStatus.OPEN, target=ObjectionStatus.DISMISSED,
                permission=_allowed(review_rules.can_manage_notices))
    def dismiss(self, *, resolution, by, at=None):
        self._resolve(resolution, by, at)

    def _resolve(self, resolution, by, at):
        self.resolution = resolution
        self.resolved_by = by
        self.resolved_at = at or timezone.now()


class PanelSnapshot(models.Model):
    """A call's panel results, computed once per change (reviews.services.snapshot) and read by every
    panel page: a GET never computes. `fingerprint` is the SHA-256 of the inputs the figures were
    computed from; `version` counts the refreshes that changed them."""

    call = models.OneToOneField("proposals.Call", on_delete=models.CASCADE, primary_key=True,
                                related_name="panel_snapshot")
    version = models.PositiveIntegerField(_("version"), default=0)
    fingerprint = models.CharField(_("input fingerprint"), max_length=64, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    header = models.JSONField(_("call-wide figures"), default=dict, blank=True)

    class Meta:
        verbose_name = _("panel snapshot")
        verbose_name_plural = _("panel snapshots")

    def __str__(self):
        return f"{self.call_id} v{self.version}"


class PanelRow(models.Model):
    """One ranked proposal of a call's panel snapshot: the sortable figures as columns, the rest as JSON
    (`summary` for the ranked table, `detail` for the proposal's own pages)."""

    call = models.ForeignKey("proposals.Call", on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField(_("rank"))
    computed_rank = models.PositiveIntegerField(_("computed rank"))
    complete = models.BooleanField(_("enough finished reviews"), default=True)
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    review_count = models.PositiveSmallIntegerField(_("reviews"), default=0)
    mean = models.DecimalField(_("mean"), max_digits=6, decimal_places=2, null=True)
    calibrated = models.DecimalField(_("calibrated"), max_digits=6, decimal_places=2, null=True)
    trimmed_mean = models.DecimalField(_("trimmed mean"), max_digits=6, decimal_places=2, null=True)
    median = models.DecimalField(_("median"), max_digits=6, decimal_places=2, null=True)
    roadshow = models.DecimalField(_("roadshow score"), max_digits=6, decimal_places=2, null=True)
    final_score = models.DecimalField(_("final score"), max_digits=6, decimal_places=2, null=True)
    spread = models.DecimalField(_("spread"), max_digits=6, decimal_places=2, null=True)
    veto = models.BooleanField(_("veto"), default=False)
    disagreement = models.BooleanField(_("disagreement"), default=False)
    moved = models.BooleanField(_("moved by the chair"), default=False)
    summary = models.JSONField(_("table figures"), default=dict)
    detail = models.JSONField(_("all figures"), default=dict)

    class Meta:
        ordering = ["call", "rank"]
        constraints = [models.UniqueConstraint(fields=["call", "proposal"], name="panel_row_once_per_proposal")]
        indexes = [models.Index(fields=["call", "complete", "rank"], name="panel_row_rank")]
        verbose_name = _("panel row")
        verbose_name_plural = _("panel rows")

    def __str__(self):
        return f"{self.call_id}: {self.rank}. {self.reference}"
