from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import is_chinese, localized
from forms.enums import FileType, QuestionKind


def default_file_types():
    return [FileType.PDF.value]


class FormDefinition(models.Model):
    """An application form: an ordered set of questions, reusable across calls."""

    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("application form")
        verbose_name_plural = _("application forms")

    def __str__(self):
        return self.name


class Question(models.Model):
    """One question of a form, stored as a row (pretalx-style custom questions)."""

    form = models.ForeignKey(FormDefinition, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    label_zh = models.CharField(_("label (Chinese)"), max_length=300)
    label_en = models.CharField(_("label (English)"), max_length=300, blank=True)
    help_zh = models.CharField(_("help text (Chinese)"), max_length=500, blank=True)
    help_en = models.CharField(_("help text (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    max_length = models.PositiveIntegerField(_("maximum length (characters)"), null=True, blank=True)
    min_value = models.DecimalField(_("minimum"), max_digits=16, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=16, decimal_places=4, null=True, blank=True)
    choices = models.JSONField(
        _("choices"), default=list, blank=True,
        help_text=_('For choice questions: a list of {"value": ..., "zh": ..., "en": ...}.'),
    )
    file_types = models.JSONField(_("allowed file types"), default=default_file_types, blank=True)
    max_file_mb = models.PositiveIntegerField(_("maximum file size (MB)"), default=20)
    hide_in_blind_review = models.BooleanField(
        _("hide in blind review"), default=False,
        help_text=_("When the call's review is blind, experts do not see the answer to this question nor download "
                    "its file. Tick it for answers that may name the applicant: team, CVs, institution."),
    )

    class Meta:
        ordering = ["form", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.label

    @property
    def label(self):
        return localized(self, "label")

    @property
    def help_text(self):
        return localized(self, "help")

    @property
    def field_name(self):
        return f"q_{self.pk}"

    def display_value(self, value) -> str:
        """An answer as the reader reads it: a choice by its label in the reader's language (never its
        stored value), several choices joined, nothing for no answer."""
        if value is None or value == "" or value == []:
            return ""
        if self.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            first, second = ("zh", "en") if is_chinese() else ("en", "zh")
            labels = {str(c["value"]): c.get(first) or c.get(second) or str(c["value"]) for c in self.choices or []}
            values = value if isinstance(value, list) else [value]
            return ("、" if first == "zh" else ", ").join(labels.get(str(v), str(v)) for v in values)
        return str(value)

    def clean(self):
        if self.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE) and not self.choices:
            raise ValidationError({"choices": _("A choice question needs at least one choice.")})
        if self.kind == QuestionKind.FILE:
            unknown = set(self.file_types or []) - set(FileType.values)
            if unknown:
                raise ValidationError({"file_types": _("Unknown file types: %(types)s") % {"types": ", ".join(sorted(unknown))}})
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValidationError({"max_value": _("The maximum must not be below the minimum.")})
