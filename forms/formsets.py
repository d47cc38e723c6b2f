from django.forms import inlineformset_factory

from forms.models import FormDefinition, Question

QuestionFormSet = inlineformset_factory(
    FormDefinition, Question,
    fields=("order", "kind", "label_zh", "label_en", "help_zh", "help_en", "required", "max_length",
            "min_value", "max_value", "choices", "file_types", "max_file_mb", "hide_in_blind_review"),
    extra=2, can_delete=True,
)
