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
from core.models import Chained
from proposals import rules as proposal_rules
from proposals.enums import (
    TRL,
    WITHDRAWABLE_STATES,
    Field,
    IPStatus,
    PeerScores,
    ProposalStatus as S,
    RankingBasis,
    ScreeningOutcome,
)


def validate_day_list(value):
    for part in (value or "").replace("，", ",").split(","):
        part = part.strip()
        if part and (not part.isdigit() or not 0 < int(part) <= 60):
            raise ValidationError(_("Enter whole days between 1 and 60, separated by commas."))


class Call(models.Model):
    """A call for proposals (申报指南): form, rubric, deadlines and the fund it draws on."""

    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    form = models.ForeignKey(
        "forms.FormDefinition", verbose_name=_("application form"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="calls",
    )
    experts_per_proposal = models.PositiveSmallIntegerField(
        _("experts per proposal"), default=3, validators=[MinValueValidator(1), MaxValueValidator(15)]
    )
    fund = models.ForeignKey(
        "funding.Fund", verbose_name=_("fund"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="calls",
    )
    max_request = models.DecimalField(
        _("maximum amount per proposal"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("A draft may leave it empty; a call cannot open without it."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    review_days = models.PositiveSmallIntegerField(_("days experts have to review"), default=14)
    reminder_days = models.CharField(
        _("reminders (days before the deadline)"), max_length=50, default="3,1", blank=True,
        validators=[validate_day_list],
        help_text=_("Comma-separated whole days, for example 3,1. Leave empty for no reminders."),
    )
    # Expert review settings (回避, blind review, aggregation)
    max_avoid_requests = models.PositiveSmallIntegerField(
        _("experts an applicant may ask to avoid"), default=3, validators=[MaxValueValidator(20)]
    )
    blind_identity = models.BooleanField(
        _("hide the applicant's identity and institution from experts"), default=False
    )
    peer_scores = models.CharField(
        _("experts see the other experts' scores"), max_length=20, default=PeerScores.AFTER_OWN, choices=PeerScores.choices,
    )
    veto_enabled = models.BooleanField(_("experts may cast a veto (一票否决)"), default=True)
    ranking_basis = models.CharField(
        _("rank proposals by"), max_length=20, default=RankingBasis.TRIMMED_MEAN, choices=RankingBasis.choices,
    )
    disagreement_threshold = models.DecimalField(
        _("disagreement threshold (points)"), max_digits=5, decimal_places=2, default=Decimal("20"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Flag a proposal when its highest and lowest review differ by more than this (0–100 scale)."),
    )
    group_divergence_threshold = models.DecimalField(
        _("investor–academic divergence threshold (points)"), max_digits=5, decimal_places=2, default=Decimal("15"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Flag a proposal when the investors' and academics' mean scores differ by more than this."),
    )
    # Roadshow (路演)
    roadshow_enabled = models.BooleanField(_("roadshow stage"), default=False)
    roadshow_weight = models.DecimalField(
        _("weight of the roadshow score"), max_digits=4, decimal_places=2, default=Decimal("0.30"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("Between 0 and 1; the expert score gets the rest."),
    )
    pitch_minutes = models.PositiveSmallIntegerField(_("pitch (minutes)"), default=8)
    qa_minutes = models.PositiveSmallIntegerField(_("questions (minutes)"), default=7)
    # Public notice (公示)
    notice_days = models.PositiveSmallIntegerField(
        _("public notice period (days)"), default=7, validators=[MaxValueValidator(60)],
        help_text=_("Approved proposals are published for objections this many days; 0 means no public notice."),
    )
    draft = models.BooleanField(
        _("draft"), default=False,
        help_text=_("A call being set up: saved step by step, never open to applicants until it is complete and opened."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "pk"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self):
        return self.title

    @property
    def title(self):
        return localized(self, "title")

    @property
    def description(self):
        return localized(self, "description")

    def is_open(self, at=None):
        """Open between its opening and closing times, once set up completely (never while a draft)."""
        at = at or timezone.now()
        return not self.draft and self.opens_at <= at < self.closes_at

    @property
    def reminder_offsets(self) -> list[int]:
        """Reminder offsets in days before a deadline, largest first."""
        parts = (self.reminder_days or "").replace("，", ",").split(",")
        return sorted({int(p) for p in (p.strip() for p in parts) if p.isdigit() and int(p) > 0}, reverse=True)

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The closing time must be after the opening time.")})


class ScreeningChecklistItem(models.Model):
    """One line of a call's formal-screening (形式审查) checklist."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="checklist_items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_zh = models.CharField(_("text (Chinese)"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["call", "order", "pk"]
        verbose_name = _("screening checklist item")
        verbose_name_plural = _("screening checklist items")

    def __str__(self):
        return self.text

    @property
    def text(self):
        return localized(self, "text")


def _allowed(roles_predicate):
    """Adapt a (user, proposal) predicate to django-fsm's (instance, user) permission."""

    def check(instance, user):
        return bool(roles_predicate(user, instance))

    return check


class Proposal(SafeConcurrentTransitionMixin, models.Model):
    """A PoC proposal. `status` is the business truth; only the one door changes it."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="proposals")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="proposals"
    )
    reference = models.CharField(_("reference"), max_length=32, unique=True, null=True, blank=True)
    language = models.CharField(
        _("language of the proposal"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    title = models.CharField(_("title"), max_length=300)
    abstract = models.TextField(_("abstract"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True, help_text=_("Separate with commas."))
    field = models.CharField(_("field"), max_length=20, choices=Field.choices, default=Field.OTHER)
    trl = models.PositiveSmallIntegerField(_("technology readiness level"), choices=TRL.choices, null=True, blank=True)
    ip_status = models.CharField(_("IP status"), max_length=20, choices=IPStatus.choices, default=IPStatus.NONE)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    team = models.TextField(_("team"), blank=True, help_text=_("Team members, one per line: name, institution, role."))
    application_scenario = models.TextField(_("application scenario"), blank=True)
    requested_amount = models.DecimalField(
        _("requested amount"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    status = FSMField(_("status"), max_length=20, choices=S.choices, default=S.DRAFT, protected=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        permissions = [
            ("screen_proposal", "Can screen proposals"),
            ("decide_proposal", "Can record panel decisions"),
            ("approve_funding", "Can approve funding"),
            ("start_incubation", "Can start incubation"),
            ("manage_call", "Can manage calls"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    @property
    def keyword_list(self):
        return [k.strip() for k in self.keywords.replace("，", ",").split(",") if k.strip()]

    # Transitions: bodies change fields in memory only; the one door
    # (proposals.services.transition) checks, saves, audits and notifies.

    @transition(field=status, source=S.DRAFT, target=S.SUBMITTED, permission=_allowed(proposal_rules.is_applicant))
    def submit(self):
        self.submitted_at = timezone.now()

    @transition(field=status, source=S.RETURNED, target=S.SUBMITTED, permission=_allowed(proposal_rules.is_applicant))
    def resubmit(self):
        self.submitted_at = timezone.now()

    @transition(field=status, source=S.SUBMITTED, target=S.SCREENING, permission=_allowed(proposal_rules.is_screener))
    def start_screening(self):
        pass

    @transition(field=status, source=S.SCREENING, target=S.IN_REVIEW, permission=_allowed(proposal_rules.is_screener))
    def pass_screening(self):
        pass

    @transition(field=status, source=S.SCREENING, target=S.RETURNED, permission=_allowed(proposal_rules.is_screener))
    def return_for_revision(self):
        pass

    @transition(field=status, source=S.SCREENING, target=S.INELIGIBLE, permission=_allowed(proposal_rules.is_screener))
    def declare_ineligible(self):
        pass

    @transition(field=status, source=S.IN_REVIEW, target=S.PANEL, permission=_allowed(proposal_rules.is_screener))
    def close_review(self):
        pass

    @transition(field=status, source=S.PANEL, target=S.APPROVED, permission=_allowed(proposal_rules.is_decider))
    def approve(self):
        pass

    @transition(field=status, source=S.PANEL, target=S.REJECTED, permission=_allowed(proposal_rules.is_decider))
    def reject(self):
        pass

    @transition(field=status, source=S.PANEL, target=S.RESUBMIT_INVITED, permission=_allowed(proposal_rules.is_decider))
    def invite_resubmission(self):
        pass

    @transition(field=status, source=S.APPROVED, target=S.PANEL, permission=_allowed(proposal_rules.is_decider))
    def reopen_panel(self):
        """An upheld objection during the public notice sends the approval back to the panel."""

    @transition(field=status, source=S.APPROVED, target=S.FUNDING, permission=_allowed(proposal_rules.is_decider))
    def open_funding(self):
        pass

    @transition(field=status, source=S.FUNDING, target=S.FUNDED, permission=_allowed(proposal_rules.is_funder))
    def fund(self):
        pass

    @transition(field=status, source=S.FUNDING, target=S.FUNDING_DECLINED, permission=_allowed(proposal_rules.is_funder))
    def decline_funding(self):
        pass

    @transition(field=status, source=WITHDRAWABLE_STATES, target=S.WITHDRAWN, permission=_allowed(proposal_rules.is_applicant))
    def withdraw(self):
        pass


class ExpertAvoidance(models.Model):
    """An expert the applicant asks not to be reviewed by (up to the call's limit), with a reason."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="avoid_requests")
    name = models.CharField(_("expert's name"), max_length=200)
    institution = models.CharField(_("expert's institution"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("expert to avoid")
        verbose_name_plural = _("experts to avoid")

    def __str__(self):
        return f"{self.name} ({self.institution})" if self.institution else self.name


def answer_upload_to(instance, filename):
    return f"proposals/{instance.proposal_id}/answers/{instance.question_id}/{filename}"


class Answer(models.Model):
    """The answer to one question of the call's application form."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey("forms.Question", on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(_("value"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=answer_upload_to, max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question__order", "pk"]
        constraints = [models.UniqueConstraint(fields=["proposal", "question"], name="one_answer_per_question")]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self):
        return f"{self.proposal_id}/{self.question_id}"

    @property
    def display(self) -> str:
        """The answer in the reader's words (a choice by its label: forms.models.Question.display_value)."""
        return self.question.display_value(self.value)


class ScreeningResult(models.Model):
    """The formal-screening outcome recorded by a program officer."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="screenings")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, choices=ScreeningOutcome.choices)
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)
    message = models.TextField(_("message to the team"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("screening result")
        verbose_name_plural = _("screening results")

    def __str__(self):
        return f"{self.proposal} — {self.get_outcome_display()}"


class AuditEntry(Chained):
    """Append-only record of every state change and every consequential act."""

    proposal = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=60)
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


    @property
    def from_label(self):
        return state_label(self.action, self.from_state)

    @property
    def to_label(self):
        return state_label(self.action, self.to_state)


# The state machines whose rows an audit action may carry, by the action's prefix ("tranche.released"):
# apps above register theirs from AppConfig.ready(), so a proposal's history names every state in the
# reader's language without proposals importing them.
_STATE_CHOICES: dict[str, list] = {"proposal": [S]}


def register_state_choices(prefix: str, *choices) -> None:
    """`choices` (TextChoices classes) name the states of the audit actions starting with `prefix.`."""
    known = _STATE_CHOICES.setdefault(prefix, [])
    known.extend(c for c in choices if c not in known)


def state_label(action: str, state: str):
    """The translated label of a state recorded by `action`; the key itself only when nothing knows it."""
    if not state:
        return state
    for choices in _STATE_CHOICES.get(action.split(".", 1)[0], []) + [S]:
        if state in choices.values:
            return choices(state).label
    return state
