"""Projects start and close, and milestones change status, only through incubation.services
(which audit); here the status fields are read-only and progress notes are view-only."""

from django.contrib import admin

from incubation.models import Milestone, ProgressNote, Project
from pocflow.admin import ReadOnlyAdminMixin


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
