from django.db import models
from django.utils.translation import gettext_lazy as _

from decisions.enums import DocumentKind


def document_upload_to(instance, filename):
    return f"documents/{instance.sha256[:2]}/{instance.sha256}.pdf"


class Document(models.Model):
    """A generated PDF, stored once with its SHA-256 and template version."""

    proposal = models.ForeignKey("proposals.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    call = models.ForeignKey("proposals.Call", null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=40, choices=DocumentKind.choices)
    # what the document is about when a proposal has several of a kind, e.g. "tranche:12"
    subject = models.CharField(max_length=60, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=10)
    template_version = models.CharField(_("template version"), max_length=40)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    number = models.CharField(_("document number"), max_length=40, blank=True,
                              help_text=_("The operating center's number (文号), given once when the document is issued."))
    size = models.PositiveIntegerField(_("size (bytes)"))
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # a letter re-issued by staff is a new version; the one it replaces stays stored and verifiable
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by", verbose_name=_("replaces"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # a proposal's document about one subject (a tranche, an acceptance, …) exists once per language
            models.UniqueConstraint(fields=["proposal", "kind", "subject", "language"], condition=~models.Q(subject=""),
                                    name="document_once_per_subject_and_language"),
        ]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return f"{self.get_kind_display()} — {self.proposal if self.proposal_id else self.call}"

    @property
    def filename(self):
        if self.proposal_id is None and self.call_id is not None:  # a call's document, one per language
            return f"{self.kind}-call{self.call_id}-{self.language}-{self.pk}.pdf"
        ref = self.proposal.reference if self.proposal_id and self.proposal.reference else self.pk
        return f"{self.kind}-{ref}-v{self.version}.pdf" if self.version > 1 else f"{self.kind}-{ref}.pdf"
