from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    FILE = "file", _("File")


class FileType(models.TextChoices):
    """Upload types a call may allow; checked by content, not by name."""

    PDF = "pdf", "PDF"
    DOCX = "docx", _("Word document (.docx)")
    XLSX = "xlsx", _("Excel workbook (.xlsx)")
    PPTX = "pptx", _("PowerPoint presentation (.pptx)")
    PNG = "png", "PNG"
    JPG = "jpg", "JPEG"
