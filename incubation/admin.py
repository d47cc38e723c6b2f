"""Projects start and close, and every incubation status changes, only through the doors in
incubation.services.transitions (which check, audit and signal); here the status fields are
read-only (tests/test_doors.py checks it) and progress notes are view-only."""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from incubation.models import Milestone, ProgressNote, Project


class MilestoneInline(admin.TabularInline):
    model = Milestone
    fields = ("title", "due_date", "status", "completed_at")
    readonly_fields = ("status", "completed_at")
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("proposal", "status", "manager", "started_at", "closed_at")
    list_filter = ("status",)
    list_select_related = ("proposal", "manager")
    search_fields = ("proposal__reference", "proposal__title")
    fields = ("proposal", "manager", "status", "started_at", "closed_at", "closing_note")
    readonly_fields = ("proposal", "status", "started_at", "closed_at", "closing_note")
    inlines = [MilestoneInline]

    def has_add_permission(self, request):
        return False  # incubation.services.start_project is the one door


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ("title", "project", "due_date", "status", "completed_at")
    list_filter = ("status",)
    list_select_related = ("project__proposal",)
    search_fields = ("title", "project__proposal__reference", "project__proposal__title")
    readonly_fields = ("status", "completed_at")


@admin.register(ProgressNote)
class ProgressNoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "project", "milestone", "author")
    list_select_related = ("project__proposal", "milestone", "author")
    search_fields = ("note", "project__proposal__reference", "project__proposal__title")


# Everything below changes only through incubation.services (which check, audit and move money),
# so the admin shows it read-only.
from incubation.models import (  # noqa: E402
    Acceptance,
    Agreement,
    AnnualFigure,
    BudgetLine,
    ChangeRequest,
    Company,
    FinancingRound,
    Kpi,
    MidtermCheck,
    Patent,
    ProgressReport,
    Settlement,
    TechContract,
    TechManagerAssignment,
    Tranche,
)


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0


class BudgetLineInline(ReadOnlyInline):
    model = BudgetLine
    fields = ("category", "amount", "note")
    readonly_fields = fields


class TrancheInline(ReadOnlyInline):
    model = Tranche
    fields = ("order", "percent", "amount", "gate", "milestone", "status", "released_at", "payment_reference")
    readonly_fields = fields


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("project", "status", "instrument", "amount", "currency", "starts_on", "ends_on", "signed_on")
    list_filter = ("status", "instrument")
    list_select_related = ("project__proposal",)
    search_fields = ("project__proposal__reference", "project__proposal__title")
    inlines = [BudgetLineInline, TrancheInline]


@admin.register(Tranche)
class TrancheAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("agreement", "order", "percent", "amount", "gate", "status", "released_at", "payment_reference")
    list_filter = ("status", "gate")
    list_select_related = ("agreement__project__proposal",)
    search_fields = ("payment_reference", "agreement__project__proposal__reference")


@admin.register(MidtermCheck, Acceptance)
class DecisionRowAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("project", "outcome", "decided_by", "decided_at")
    list_filter = ("outcome",)
    list_select_related = ("project__proposal", "decided_by")
    search_fields = ("project__proposal__reference", "project__proposal__title", "findings")


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("project", "period_start", "period_end", "due_on", "status", "submitted_at")
    list_filter = ("status",)
    list_select_related = ("project__proposal",)
    search_fields = ("project__proposal__reference", "project__proposal__title")


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("project", "kind", "status", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("kind", "status")
    list_select_related = ("project__proposal", "requested_by", "decided_by")


@admin.register(Kpi, Company, FinancingRound, Patent, TechContract, AnnualFigure, Settlement, TechManagerAssignment)
class OutcomeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "project")
    list_select_related = ("project__proposal",)
    search_fields = ("project__proposal__reference", "project__proposal__title")
