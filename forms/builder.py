"""Build the Django form a researcher fills in from a call's questions (rows, not code)."""

from collections.abc import Iterable, Mapping

from django import forms
from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from core.i18n import is_chinese
from forms.enums import QuestionKind
from forms.models import Question
from forms.uploads import MB, accept_attribute, format_mb, type_labels, validate_upload

FILE_HINT = _("Allowed types: %(types)s; at most %(size)s MB.")


class UploadField(forms.FileField):
    """A file field checked by content; the cleaned file carries `detected_type` (a FileType value)."""

    def __init__(self, *, allowed_types: list[str], max_bytes: int, **kwargs):
        self.allowed_types = allowed_types
        self.max_bytes = max_bytes
        super().__init__(**kwargs)

    def validate(self, value) -> None:
        super().validate(value)
        if value:
            value.detected_type = validate_upload(value, allowed_types=self.allowed_types, max_bytes=self.max_bytes)


class AnswerForm(forms.Form):
    """One field per question. Required-ness is checked by the server, not the browser,
    because the same page offers "save draft" (nothing required) and "submit"."""

    use_required_attribute = False

    questions: dict[str, Question]  # field name → question
    stored_files: dict[str, str]  # field name → name of the file already stored


def build_answer_form(
    *,
    questions: Iterable[Question],
    data: Mapping | None = None,
    files: Mapping | None = None,
    answers: Mapping | None = None,
    max_upload_bytes: int | None = None,
    require: bool = False,
) -> AnswerForm:
    """`require=False` saves a draft (nothing required); `require=True` checks for submission.

    `answers` maps question id → stored Answer; it gives the initial values, and a stored
    file satisfies a required file question.
    """
    answers = answers or {}
    upload_limit = max_upload_bytes or settings.UPLOAD_MAX_BYTES
    form = AnswerForm(data=data, files=files)
    form.questions, form.stored_files = {}, {}
    for question in questions:
        answer = answers.get(question.pk)
        stored_file = (answer.file_name or answer.file.name) if answer is not None and answer.file else ""
        required = require and question.required and not stored_file
        field = _field(question, required=required, upload_limit=upload_limit)
        # marked required from the first view (`*`, aria-required), though a draft saves without it
        field.required_to_submit = bool(question.required)
        if question.required:
            field.widget.attrs.setdefault("aria-required", "true")
        form.fields[question.field_name] = field
        form.questions[question.field_name] = question
        if stored_file:
            form.stored_files[question.field_name] = stored_file
        elif answer is not None and question.kind != QuestionKind.FILE:
            form.initial[question.field_name] = answer.value
    return form


def _field(question: Question, *, required: bool, upload_limit: int) -> forms.Field:
    common = {"label": question.label, "help_text": escape(question.help_text), "required": required}
    aria = {"aria-required": "true"} if question.required else {}
    kind = question.kind
    if kind == QuestionKind.SHORT_TEXT:
        return forms.CharField(max_length=question.max_length, widget=forms.TextInput(attrs=aria), **common)
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(max_length=question.max_length, widget=forms.Textarea(attrs=aria), **common)
    if kind == QuestionKind.NUMBER:
        # The same precision as Question.min_value / max_value.
        return forms.DecimalField(
            min_value=question.min_value, max_value=question.max_value, max_digits=16, decimal_places=4,
            widget=forms.NumberInput(attrs=aria), **common,
        )
    if kind == QuestionKind.SINGLE_CHOICE:
        return forms.ChoiceField(choices=localized_choices(question), widget=forms.RadioSelect, **common)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=localized_choices(question), widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == QuestionKind.FILE:
        types = list(question.file_types or [])
        max_bytes = min(question.max_file_mb * MB, upload_limit)
        hint = FILE_HINT % {"types": type_labels(types), "size": format_mb(max_bytes)}
        common["help_text"] = escape(f"{question.help_text} {hint}".strip())
        widget = forms.FileInput(attrs={"accept": accept_attribute(types), **aria})
        return UploadField(allowed_types=types, max_bytes=max_bytes, widget=widget, **common)
    raise ValueError(f"Unknown question kind: {kind!r}")


def localized_choices(question: Question) -> list[tuple[str, str]]:
    """`(value, label)` pairs, the label in the active language with the other as fallback."""
    first, second = ("zh", "en") if is_chinese() else ("en", "zh")
    return [
        (str(c["value"]), c.get(first) or c.get(second) or str(c["value"]))
        for c in question.choices or []
    ]

