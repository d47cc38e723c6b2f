from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from reviews.models import (
    AssignmentCandidate,
    AssignmentRun,
    CompositionRule,
    Conflict,
    Criterion,
    CriterionBand,
    ExpertProfile,
    ExpertRelation,
    ExpertUnavailability,
    NoticeEntry,
    Objection,
    PanelDecision,
    PanelRecommendation,
    PublicNotice,
    RankingAdjustment,
    Review,
    ReviewReminder,
    RoadshowCriterion,
    RoadshowJudge,
    RoadshowScore,
    RoadshowSheet,
    RoadshowSlot,
    Score,
)


class ScoreInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Scores are given and changed only by the expert on the scoring page (reviews.services.scoring)."""

    model = Score
    extra = 0
    fields = ("criterion", "value", "not_applicable")
    readonly_fields = fields


class BandInline(admin.TabularInline):
    model = CriterionBand
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("call", "order", "name_zh", "weight", "max_score", "na_allowed", "pass_mark")
    list_filter = ("call",)
    inlines = [BandInline]


@admin.register(CompositionRule)
class CompositionRuleAdmin(admin.ModelAdmin):
    list_display = ("call", "expert_type", "min_count", "max_count")
    list_filter = ("expert_type",)


class UnavailabilityInline(admin.TabularInline):
    model = ExpertUnavailability
    extra = 0


class RelationInline(admin.TabularInline):
    model = ExpertRelation
    extra = 0


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "expert_type", "institution", "max_load", "active")
    list_filter = ("expert_type", "active")
    search_fields = ("user__full_name", "user__username", "user__email", "institution", "fields_zh", "fields_en")
    raw_id_fields = ("user",)
    inlines = [UnavailabilityInline, RelationInline]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Shown, never edited here: a review is assigned, extended or replaced through reviews' services and
    its door (reviews.services.states), and scored by the expert on the scoring page."""

    list_display = ("proposal", "expert", "status", "deadline", "submitted_at", "veto")
    list_filter = ("status", "veto")
    raw_id_fields = ("proposal", "expert", "assigned_by", "replaced_by")
    inlines = [ScoreInline]


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("review", "criterion", "value", "not_applicable")


@admin.register(ReviewReminder)
class ReviewReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("review", "deadline", "offset_days", "sent_at")


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ("proposal", "expert", "source", "created_at")
    list_filter = ("source",)
    raw_id_fields = ("proposal", "expert", "recorded_by")


@admin.register(PanelDecision)
class PanelDecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("proposal", "outcome", "mean", "trimmed_mean", "median", "calibrated", "rank", "decided_by", "decided_at")


@admin.register(PanelRecommendation)
class PanelRecommendationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("proposal", "recommendation", "chair", "created_at")


@admin.register(RankingAdjustment)
class RankingAdjustmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("call", "proposal", "from_position", "to_position", "actor", "created_at")


class CandidateInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AssignmentCandidate
    extra = 0
    can_delete = False
    readonly_fields = ("proposal", "expert", "role", "rank", "affinity")


@admin.register(AssignmentRun)
class AssignmentRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("call", "status", "experts_per_proposal", "total_affinity", "solve_ms", "requested_by", "created_at")
    list_filter = ("status",)
    readonly_fields = ("status",)  # changes only through its door (reviews.services.states)


@admin.register(RoadshowJudge)
class RoadshowJudgeAdmin(admin.ModelAdmin):
    list_display = ("call", "user", "kind")


@admin.register(RoadshowCriterion)
class RoadshowCriterionAdmin(admin.ModelAdmin):
    list_display = ("call", "order", "name_zh", "weight", "max_score")


@admin.register(RoadshowSlot)
class RoadshowSlotAdmin(admin.ModelAdmin):
    list_display = ("call", "proposal", "starts_at", "pitch_minutes", "qa_minutes", "location")


class RoadshowScoreInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RoadshowScore
    extra = 0


@admin.register(RoadshowSheet)
class RoadshowSheetAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("slot", "judge", "submitted_at")
    inlines = [RoadshowScoreInline]


class EntryInline(admin.TabularInline):
    model = NoticeEntry
    extra = 0


@admin.register(PublicNotice)
class PublicNoticeAdmin(admin.ModelAdmin):
    list_display = ("title_zh", "call", "starts_at", "ends_at", "status")
    list_filter = ("status",)
    readonly_fields = ("status",)  # changes only through its door (reviews.services.states)
    inlines = [EntryInline]


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin):
    list_display = ("notice", "entry", "name", "email", "status", "lodged_at", "confirmed_at", "resolved_at")
    list_filter = ("status",)
    # changes only through its door (reviews.services.states); confirmed only by the sender's link
    readonly_fields = ("status", "confirmed_at")
