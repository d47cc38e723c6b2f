from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from proposals.models import Answer, AuditEntry, Call, Proposal, ScreeningChecklistItem, ScreeningResult


class ChecklistInline(admin.TabularInline):
    model = ScreeningChecklistItem
    extra = 1


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("title_zh", "title_en", "opens_at", "closes_at", "fund", "max_request")
    search_fields = ("title_zh", "title_en")
    inlines = [ChecklistInline]


class AnswerInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The applicant's answers change only through the proposal's edit page (proposals.services.answers)."""

    model = Answer
    extra = 0


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "call", "applicant", "status", "submitted_at")
    list_filter = ("status", "call")
    search_fields = ("reference", "title", "keywords")
    readonly_fields = ("status", "reference", "submitted_at")
    inlines = [AnswerInline]


@admin.register(ScreeningChecklistItem)
class ScreeningChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("call", "order", "text_zh")


@admin.register(ScreeningResult)
class ScreeningResultAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("proposal", "outcome", "officer", "created_at")
    list_filter = ("outcome",)


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("proposal", "question", "file_name", "updated_at")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("created_at", "action", "proposal", "actor", "from_state", "to_state")
    list_filter = ("action",)
    search_fields = ("proposal__reference", "note")
