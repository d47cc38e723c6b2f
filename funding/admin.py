"""Funds are edited here; money only moves through funding.services, so the ledger and
the decisions are shown read-only (the ledger is append-only at the model level too). A fund's
size and currency change through funding.services.funds, which refuses a size below what is
committed (the admin's form asks it under the fund's row lock, in the admin's transaction)."""

from django import forms
from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from core.errors import DomainError
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
from funding.services.funds import change_fund_terms, check_fund_terms


class LedgerEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LedgerEntry
    fields = ("created_at", "kind", "amount", "proposal", "reference", "actor")
    readonly_fields = fields
    extra = 0
    show_change_link = True


class FundAdminForm(forms.ModelForm):
    class Meta:
        model = Fund
        fields = "__all__"  # noqa: DJ007 — the admin shows every field of a fund

    def clean(self):
        cleaned = super().clean()
        size, currency = cleaned.get("size"), cleaned.get("currency")
        if self.instance.pk and size is not None and currency and (
                size != self.initial.get("size") or currency != self.initial.get("currency")):
            try:  # locks the fund's row until the admin's transaction commits
                check_fund_terms(fund=self.instance, size=size, currency=currency)
            except DomainError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return cleaned


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    form = FundAdminForm
    list_display = ("name_zh", "name_en", "size", "currency", "starts_on", "ends_on", "four_eyes_threshold")
    search_fields = ("name_zh", "name_en")
    inlines = [LedgerEntryInline]

    def save_model(self, request, obj, form, change):
        if change and {"size", "currency"} & set(form.changed_data):
            size, currency = obj.size, obj.currency
            change_fund_terms(fund=Fund.objects.get(pk=obj.pk), size=size, currency=currency, actor=request.user)
        super().save_model(request, obj, form, change)


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
