"""Funds are edited here; money only moves through funding.services, so the ledger and
the decisions are shown read-only (the ledger is append-only at the model level too)."""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from funding.models import (
    CommissionEntry,
    CommissionRule,
    EligibilityFacts,
    EligibilityRule,
    Fund,
    FundingApproval,
    FundingDecision,
    LedgerEntry,
)


class LedgerEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LedgerEntry
    fields = ("created_at", "kind", "amount", "proposal", "reference", "actor")
    readonly_fields = fields
    extra = 0
    show_change_link = True


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ("name_zh", "name_en", "size", "currency", "starts_on", "ends_on", "four_eyes_threshold")
    search_fields = ("name_zh", "name_en")
    inlines = [LedgerEntryInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "fund", "kind", "amount", "proposal", "reference", "actor")
    list_filter = ("kind", "fund")
    list_select_related = ("fund", "proposal", "actor")
    search_fields = ("reference", "proposal__reference", "proposal__title")
    date_hierarchy = "created_at"


@admin.register(FundingDecision)
class FundingDecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("decided_at", "proposal", "fund", "outcome", "instrument", "amount", "decided_by")
    list_filter = ("outcome", "instrument", "fund")
    list_select_related = ("proposal", "fund", "decided_by")
    search_fields = ("proposal__reference", "proposal__title", "reasons")
    date_hierarchy = "decided_at"


@admin.register(FundingApproval)
class FundingApprovalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "proposal", "fund", "approver", "decision", "amount", "instrument", "confirms")
    list_filter = ("decision", "instrument", "fund")
    list_select_related = ("proposal", "fund", "approver")
    search_fields = ("proposal__reference", "proposal__title", "reason")


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(admin.ModelAdmin):
    list_display = ("call", "kind", "threshold", "instruments", "order")
    list_filter = ("kind",)
    list_select_related = ("call",)


@admin.register(EligibilityFacts)
class EligibilityFactsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("proposal", "company_name", "company_founded_on", "project_budget", "founders_paid_in", "recorded_by")
    list_select_related = ("proposal", "recorded_by")


@admin.register(CommissionRule)
class CommissionRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "fund", "kind", "basis", "active")
    list_filter = ("kind", "basis", "active", "fund")
    list_select_related = ("fund",)


@admin.register(CommissionEntry)
class CommissionEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "manager", "fund", "proposal", "amount", "basis_amount", "rule", "stage")
    list_filter = ("kind", "fund", "stage")
    list_select_related = ("manager", "fund", "proposal", "rule")
    search_fields = ("reference", "proposal__reference")
