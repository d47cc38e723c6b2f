from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from forms.models import FormDefinition, Question


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    ordering = ["order", "pk"]
    fields = [
        "order", "kind", "label_zh", "label_en", "help_zh", "help_en", "required",
        "max_length", "min_value", "max_value", "choices", "file_types", "max_file_mb",
    ]


@admin.register(FormDefinition)
class FormDefinitionAdmin(admin.ModelAdmin):
    list_display = ["name", "question_count"]
    search_fields = ["name", "questions__label_zh", "questions__label_en"]
    inlines = [QuestionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description=_("questions"), ordering="question_count")
    def question_count(self, obj: FormDefinition) -> int:
        return obj.question_count
