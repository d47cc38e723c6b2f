from django.contrib import admin

from reviews.models import Conflict, Criterion, PanelDecision, Review, Score


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("call", "order", "name_zh", "weight", "max_score")
    list_filter = ("call",)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("proposal", "expert", "status", "deadline", "submitted_at")
    list_filter = ("status",)
    inlines = [ScoreInline]


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ("review", "criterion", "value")


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ("proposal", "expert", "source", "created_at")
    list_filter = ("source",)


@admin.register(PanelDecision)
class PanelDecisionAdmin(admin.ModelAdmin):
    list_display = ("proposal", "outcome", "mean", "trimmed_mean", "decided_by", "decided_at")
