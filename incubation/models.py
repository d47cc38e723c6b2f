from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from accounts.rules import is_fund_manager, is_incubation_manager
from core.fsm import SafeConcurrentTransitionMixin
from core.models import AppendOnly
from funding.enums import DeadlineAction, Instrument, Stage
from incubation.enums import (
    AcceptanceOutcome,
    AgreementStatus,
    BudgetCategory,
    ChangeKind,
    ChangeStatus,
    ContractKind,
    MidtermOutcome,
    MilestoneStatus,
    PatentKind,
    PatentStatus,
    ProjectStatus,
    ReportStatus,
    SettlementKind,
    TrancheGate,
    TrancheStatus,
)

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
POSITIVE = [MinValueValidator(Decimal("0.01"))]


class StateMachine(SafeConcurrentTransitionMixin, models.Model):
    """A record whose `status` is a protected FSMField: its @transition methods change fields in
    memory only; the doors in incubation.services.transitions check the transition and the actor's
    permission, save (optimistically locked on the status), audit and signal."""

    class Meta:
        abstract = True


def _may(perm, project_of=lambda instance: instance.project):
    """django-fsm permission: the actor holds the incubation rule `perm` on the record's project."""

    def check(instance, user):
        return bool(user.has_perm(perm, project_of(instance)))

    return check


def _is(predicate):
    """django-fsm permission from a (user) role predicate."""

    def check(instance, user):
        return bool(predicate(user))

    return check


class Project(StateMachine):
    """A funded proposal under incubation, with its own lifecycle."""

    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.PROTECT, related_name="project")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_projects")
    status = FSMField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE, protected=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    ends_on = models.DateField(_("planned end"), null=True, blank=True)
    extended = models.BooleanField(_("extended once"), default=False)
    rectification_due = models.DateField(_("rectification due"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self):
        return str(self.proposal)

    @transition(field=status, source=[ProjectStatus.ACTIVE, ProjectStatus.RECTIFICATION], target=ProjectStatus.GRADUATED,
                permission=_may("incubation.manage_project", lambda project: project))
    def graduate(self):
        self.closed_at = timezone.now()
        self.rectification_due = None

    @transition(field=status, source=[ProjectStatus.ACTIVE, ProjectStatus.RECTIFICATION], target=ProjectStatus.TERMINATED,
                permission=_may("incubation.manage_project", lambda project: project))
    def terminate(self):
        self.closed_at = timezone.now()
        self.rectification_due = None

    @transition(field=status, source=ProjectStatus.ACTIVE, target=ProjectStatus.RECTIFICATION,
                permission=_may("incubation.manage_project", lambda project: project))
    def require_rectification(self, due):
        self.rectification_due = due

    @property
    def is_open(self):
        return self.status in (ProjectStatus.ACTIVE, ProjectStatus.RECTIFICATION)


# A milestone's progress moves freely between these; acceptance is final.
PROGRESS_STATES = [MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.DONE, MilestoneStatus.MISSED]


class Milestone(StateMachine):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("deliverables"), blank=True)
    due_date = models.DateField(_("due date"))
    status = FSMField(_("status"), max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED,
                      protected=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["project", "due_date", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self):
        return self.title

    @transition(field=status, source=PROGRESS_STATES, target=RETURN_VALUE(*PROGRESS_STATES),
                permission=_is(is_incubation_manager))
    def record_progress(self, status):
        self.completed_at = timezone.now() if status == MilestoneStatus.DONE else None
        return status

    @transition(field=status, source=[MilestoneStatus.DONE, MilestoneStatus.IN_PROGRESS], target=MilestoneStatus.ACCEPTED,
                permission=_is(is_incubation_manager))
    def accept(self, by):
        now = timezone.now()
        self.completed_at = self.completed_at or now
        self.accepted_at = now
        self.accepted_by = by


class ProgressNote(AppendOnly):
    """Progress recorded by the incubation manager, optionally against a milestone."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress_notes")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="progress_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("progress"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self):
        return self.note[:60]


class Agreement(StateMachine):
    """The task book (任务书): milestones and KPIs (on the project), budget, tranches and, for
    先投后股 or equity, the investment terms. Editable as a draft; issued as a PDF for signature;
    locked once the signed copy is uploaded."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="agreement")
    status = FSMField(_("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT,
                      protected=True)
    instrument = models.CharField(_("instrument"), max_length=20, choices=Instrument.choices)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, validators=POSITIVE)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # 先投后股: converts at the first market round's valuation, less an optional concession to the team.
    concession_pct = models.DecimalField(_("concession to the team (%)"), max_digits=5, decimal_places=2,
                                         default=Decimal("0"), validators=PERCENT)
    conversion_deadline = models.DateField(_("conversion deadline"), null=True, blank=True)
    deadline_action = models.CharField(_("at the deadline"), max_length=20, choices=DeadlineAction.choices, blank=True)
    buyback_rate_pct = models.DecimalField(_("buy-back interest (% a year, simple)"), max_digits=6, decimal_places=3,
                                           null=True, blank=True, validators=PERCENT)
    buyback_terms = models.TextField(_("buy-back terms"), blank=True)
    # direct equity
    pre_money_valuation = models.DecimalField(_("pre-money valuation"), max_digits=18, decimal_places=2, null=True,
                                              blank=True, validators=POSITIVE)
    stake_pct = models.DecimalField(_("resulting stake (%)"), max_digits=9, decimal_places=6, null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_file = models.FileField(_("signed copy"), upload_to="agreements/%Y/%m/", max_length=300, blank=True)
    signed_file_name = models.CharField(_("file name"), max_length=255, blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agreement (任务书)")
        verbose_name_plural = _("agreements (任务书)")

    def __str__(self):
        return str(self.project)

    @transition(field=status, source=[AgreementStatus.DRAFT, AgreementStatus.ISSUED], target=AgreementStatus.ISSUED,
                permission=_is(is_incubation_manager))
    def issue(self, by):
        """Issued (or issued again after corrections) for signature."""
        self.issued_at = timezone.now()
        self.issued_by = by

    @transition(field=status, source=AgreementStatus.ISSUED, target=AgreementStatus.DRAFT,
                permission=_is(is_incubation_manager))
    def reopen(self):
        """Edited after it was issued: back to draft, to be issued again."""
        self.issued_at = None
        self.issued_by = None

    @transition(field=status, source=AgreementStatus.ISSUED, target=AgreementStatus.SIGNED,
                permission=_may("incubation.upload_signed_agreement"))
    def sign(self):
        """The signed copy was uploaded (the service stores it first); the agreement is locked."""


class BudgetLine(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["agreement", "category"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [models.UniqueConstraint(fields=["agreement", "category"], name="budget_line_once_per_category")]

    def __str__(self):
        return f"{self.get_category_display()} {self.amount}"


class Kpi(models.Model):
    """A measurable target of the agreement, optionally tied to a milestone."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="kpis")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="kpis")
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    actual = models.DecimalField(_("actual"), max_digits=16, decimal_places=2, null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    class Meta:
        ordering = ["project", "due_date", "pk"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def __str__(self):
        return self.name

    @property
    def met(self):
        return self.actual is not None and self.actual >= self.target


class Tranche(StateMachine):
    """One instalment of the tranche schedule: a share of the amount, released when its gate is met."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="tranches")
    order = models.PositiveSmallIntegerField(_("order"))
    percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2,
                                  validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))])
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    gate = models.CharField(_("released when"), max_length=20, choices=TrancheGate.choices)
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="tranches")
    status = FSMField(_("status"), max_length=20, choices=TrancheStatus.choices, default=TrancheStatus.PLANNED,
                      protected=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    ledger_entry = models.OneToOneField("funding.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="tranche")
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["agreement", "order"]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        constraints = [models.UniqueConstraint(fields=["agreement", "order"], name="tranche_order_unique")]

    def __str__(self):
        return f"#{self.order} {self.percent}% ({self.get_gate_display()})"

    @transition(field=status, source=TrancheStatus.PLANNED, target=TrancheStatus.RELEASED, permission=_is(is_fund_manager))
    def release(self, by, entry):
        self.released_at = timezone.now()
        self.released_by = by
        self.payment_reference = entry.reference
        self.ledger_entry = entry

    @transition(field=status, source=TrancheStatus.PLANNED, target=TrancheStatus.CANCELLED)
    def cancel(self, reason, at):
        """The project stopped before the tranche was paid; its money returns to the fund. Taken only
        by the project's closing door (whose actor was checked), never on its own."""
        self.cancelled_at = at
        self.cancel_reason = reason[:300]


class MidtermCheck(AppendOnly):
    """中期检查: continue / adjust (the next tranche's gate is met) or stop (the project ends)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="midterm_checks")
    outcome = models.CharField(_("outcome"), max_length=20, choices=MidtermOutcome.choices)
    findings = models.TextField(_("findings"))
    adjustments = models.TextField(_("required adjustments"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["project", "decided_at", "pk"]
        verbose_name = _("mid-term check")
        verbose_name_plural = _("mid-term checks")

    def __str__(self):
        return f"{self.project} — {self.get_outcome_display()}"


def _may_review_report(report, user):
    """An incubation manager who neither submitted the report nor leads the project."""
    return (bool(user.has_perm("incubation.manage_project", report.project))
            and user.pk not in (report.submitted_by_id, report.project.proposal.applicant_id))


class ProgressReport(StateMachine):
    """A quarterly progress report, requested by the timer sweep and submitted by the team."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_on = models.DateField(_("due on"))
    status = FSMField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.REQUESTED,
                      protected=True)
    summary = models.TextField(_("progress in the period"), blank=True)
    problems = models.TextField(_("problems and risks"), blank=True)
    next_steps = models.TextField(_("plan for the next period"), blank=True)
    spent = models.DecimalField(_("spent in the period"), max_digits=16, decimal_places=2, null=True, blank=True)
    attachment = models.FileField(_("attachment"), upload_to="reports/%Y/%m/", max_length=300, blank=True)
    attachment_name = models.CharField(max_length=255, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("reviewer's note"), blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["project", "period_start"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [models.UniqueConstraint(fields=["project", "period_start"], name="report_once_per_period")]

    def __str__(self):
        return f"{self.project} {self.period_start:%Y-%m-%d} – {self.period_end:%Y-%m-%d}"

    @transition(field=status, source=[ReportStatus.REQUESTED, ReportStatus.RETURNED], target=ReportStatus.SUBMITTED,
                permission=_may("incubation.submit_report"))
    def submit(self, by):
        self.submitted_by = by
        self.submitted_at = timezone.now()

    @transition(field=status, source=ReportStatus.SUBMITTED, target=ReportStatus.ACCEPTED, permission=_may_review_report)
    def accept(self, by, note):
        self._reviewed(by, note)

    @transition(field=status, source=ReportStatus.SUBMITTED, target=ReportStatus.RETURNED, permission=_may_review_report)
    def return_for_revision(self, by, note):
        self._reviewed(by, note)

    def _reviewed(self, by, note):
        self.reviewed_by = by
        self.reviewed_at = timezone.now()
        self.review_note = note


def _may_decide_change(change, user):
    """An incubation manager who did not file the request (four eyes)."""
    return bool(user.has_perm("incubation.decide_change", change.project)) and user.pk != change.requested_by_id


def _is_change_author(change, user):
    return user.pk == change.requested_by_id


class ChangeRequest(StateMachine):
    """A budget shift between categories or the project's one extension, decided by an incubation manager."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="change_requests")
    kind = models.CharField(_("kind"), max_length=20, choices=ChangeKind.choices)
    from_category = models.CharField(_("from category"), max_length=20, choices=BudgetCategory.choices, blank=True)
    to_category = models.CharField(_("to category"), max_length=20, choices=BudgetCategory.choices, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, null=True, blank=True, validators=POSITIVE)
    new_end_date = models.DateField(_("new end date"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    status = FSMField(_("status"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.PENDING,
                      protected=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["project", "-requested_at", "-pk"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")

    def __str__(self):
        return f"{self.project} — {self.get_kind_display()} ({self.get_status_display()})"

    @transition(field=status, source=ChangeStatus.PENDING, target=ChangeStatus.APPROVED, permission=_may_decide_change)
    def approve(self, by, note):
        self._decided(by, note)

    @transition(field=status, source=ChangeStatus.PENDING, target=ChangeStatus.REFUSED, permission=_may_decide_change)
    def refuse(self, by, note):
        self._decided(by, note)

    @transition(field=status, source=ChangeStatus.PENDING, target=ChangeStatus.WITHDRAWN, permission=_is_change_author)
    def withdraw(self):
        pass

    def _decided(self, by, note):
        self.decided_by = by
        self.decided_at = timezone.now()
        self.decision_note = note


class Acceptance(AppendOnly):
    """验收: one row per acceptance round. Consequences on the retained tranche are applied by
    incubation.services.acceptance."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="acceptances")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    outcome = models.CharField(_("outcome"), max_length=20, choices=AcceptanceOutcome.choices)
    findings = models.TextField(_("findings"))
    rectification_deadline = models.DateField(_("rectification deadline"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["project", "round", "pk"]
        verbose_name = _("acceptance (验收)")
        verbose_name_plural = _("acceptances (验收)")
        constraints = [models.UniqueConstraint(fields=["project", "round"], name="acceptance_round_unique")]

    def __str__(self):
        return f"{self.project} — {self.get_outcome_display()}"


# outcomes and KPIs (转化)

class Company(models.Model):
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="company")
    name = models.CharField(_("company name"), max_length=200)
    founded_on = models.DateField(_("founded on"))
    registered_capital = models.DecimalField(_("registered capital"), max_digits=16, decimal_places=2, validators=POSITIVE)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self):
        return self.name


class FinancingRound(AppendOnly):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="financing_rounds")
    name = models.CharField(_("round"), max_length=100, help_text=_("For example: angel, pre-A, A."))
    closed_on = models.DateField(_("closed on"))
    amount = models.DecimalField(_("amount raised"), max_digits=16, decimal_places=2, validators=POSITIVE)
    investors = models.TextField(_("investors"), help_text=_("One per line."))
    pre_money_valuation = models.DecimalField(_("pre-money valuation"), max_digits=18, decimal_places=2, null=True,
                                              blank=True, validators=POSITIVE)
    is_market_round = models.BooleanField(_("market financing round"), default=True,
                                          help_text=_("A round priced by outside investors; the first one converts 先投后股 money."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "closed_on", "pk"]
        verbose_name = _("financing round")
        verbose_name_plural = _("financing rounds")

    def __str__(self):
        return f"{self.name} {self.amount}"


class Settlement(AppendOnly):
    """How 先投后股 money ended: converted at a round (with the stake), written off, or bought back."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="settlement")
    kind = models.CharField(_("outcome"), max_length=20, choices=SettlementKind.choices)
    amount = models.DecimalField(_("amount invested"), max_digits=16, decimal_places=2)
    financing_round = models.OneToOneField(FinancingRound, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="settlement")
    pre_money_valuation = models.DecimalField(_("round pre-money valuation"), max_digits=18, decimal_places=2, null=True, blank=True)
    round_amount = models.DecimalField(_("round amount"), max_digits=16, decimal_places=2, null=True, blank=True)
    concession_pct = models.DecimalField(_("concession (%)"), max_digits=5, decimal_places=2, default=Decimal("0"))
    stake_pct = models.DecimalField(_("stake (%)"), max_digits=9, decimal_places=6, null=True, blank=True)
    buyback_amount = models.DecimalField(_("buy-back amount"), max_digits=16, decimal_places=2, null=True, blank=True)
    method = models.CharField(_("method"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("先投后股 settlement")
        verbose_name_plural = _("先投后股 settlements")

    def __str__(self):
        return f"{self.project} — {self.get_kind_display()}"


class Patent(StateMachine):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="patents")
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=PatentKind.choices, default=PatentKind.INVENTION)
    number = models.CharField(_("application number"), max_length=60)
    # a patent recorded with its grant date is created granted
    status = FSMField(_("status"), max_length=20, choices=PatentStatus.choices, default=PatentStatus.FILED, protected=True)
    filed_on = models.DateField(_("filed on"))
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["project", "filed_on", "pk"]
        verbose_name = _("patent")
        verbose_name_plural = _("patents")
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="patent_number_once_per_project")]

    def __str__(self):
        return f"{self.number} {self.title}"

    @transition(field=status, source=PatentStatus.FILED, target=PatentStatus.GRANTED,
                permission=_may("incubation.record_outcome"))
    def grant(self, on):
        self.granted_on = on


class TechContract(AppendOnly):
    """A licence or technology contract, registered under 技术合同登记 with its number."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="contracts")
    kind = models.CharField(_("kind"), max_length=20, choices=ContractKind.choices)
    counterparty = models.CharField(_("counterparty"), max_length=200)
    amount = models.DecimalField(_("contract amount"), max_digits=16, decimal_places=2, validators=POSITIVE)
    signed_on = models.DateField(_("signed on"))
    registration_number = models.CharField(_("registration number (技术合同登记号)"), max_length=60, unique=True)
    registered_on = models.DateField(_("registered on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "signed_on", "pk"]
        verbose_name = _("technology contract")
        verbose_name_plural = _("technology contracts")

    def __str__(self):
        return f"{self.registration_number} {self.counterparty}"


class AnnualFigure(models.Model):
    """Revenue and jobs of the project's company (or team) for one year."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="annual_figures")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    revenue = models.DecimalField(_("revenue"), max_digits=16, decimal_places=2, default=Decimal("0"),
                                  validators=[MinValueValidator(Decimal("0"))])
    jobs = models.PositiveIntegerField(_("jobs"), default=0)

    class Meta:
        ordering = ["project", "year"]
        verbose_name = _("annual figure")
        verbose_name_plural = _("annual figures")
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="annual_figure_once_per_year")]

    def __str__(self):
        return f"{self.project} {self.year}"


class TechManagerAssignment(models.Model):
    """A technology manager (技术经理人) accompanying the project in one stage."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tech_managers")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tech_assignments")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "stage", "pk"]
        verbose_name = _("technology manager assignment")
        verbose_name_plural = _("technology manager assignments")
        constraints = [models.UniqueConstraint(fields=["project", "manager", "stage"], name="tech_manager_once_per_stage")]

    def __str__(self):
        return f"{self.manager} — {self.get_stage_display()}"
