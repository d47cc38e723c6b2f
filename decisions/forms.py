import hashlib
import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

SHA256_RE = re.compile(r"[0-9a-f]{64}")


class VerifyDocumentForm(forms.Form):
    """A PDF to check, or the SHA-256 fingerprint of one."""

    file = forms.FileField(label=_("PDF file"), required=False)
    sha256 = forms.CharField(
        label=_("or its SHA-256 fingerprint"), required=False, max_length=100,
        help_text=_("64 hexadecimal characters, for example from the sha256sum command."),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("This file is too large to be a pocflow document."))
        return upload

    def clean_sha256(self):
        value = "".join(self.cleaned_data.get("sha256", "").split()).lower()
        if value and not SHA256_RE.fullmatch(value):
            raise forms.ValidationError(_("A SHA-256 fingerprint has exactly 64 hexadecimal characters."))
        return value

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("file") and not cleaned.get("sha256"):
            raise forms.ValidationError(_("Upload a PDF or paste its SHA-256 fingerprint."))
        return cleaned

    def digest(self) -> str:
        """The fingerprint to look up: the uploaded file's, else the pasted one."""
        upload = self.cleaned_data.get("file")
        if not upload:
            return self.cleaned_data["sha256"]
        sha = hashlib.sha256()
        for chunk in upload.chunks():
            sha.update(chunk)
        return sha.hexdigest()


class PanelSheetForm(forms.Form):
    """The language of the panel score sheet to generate or download."""

    lang = forms.ChoiceField(
        label=_("Language of the sheet"),
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        error_messages={
            "required": _("Choose Chinese or English for the panel score sheet."),
            "invalid_choice": _("Choose Chinese or English for the panel score sheet."),
        },
    )


class ProjectDocumentForm(forms.Form):
    """Which of a project's documents to generate, and in which language."""

    subject = forms.CharField(max_length=60, widget=forms.HiddenInput,
                              error_messages={"required": _("Choose the document to generate.")})
    lang = forms.ChoiceField(
        label=_("Language of the document"),
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        error_messages={
            "required": _("Choose Chinese or English for the document."),
            "invalid_choice": _("Choose Chinese or English for the document."),
        },
    )


class ReissueLetterForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for re-issuing"), max_length=500, widget=forms.TextInput,
        help_text=_("Recorded in the proposal's history. The letter it replaces stays on record and verifiable."),
    )
