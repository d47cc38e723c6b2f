"""Storing a rendered document once, keyed by its SHA-256, with its audit row."""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction

from decisions.models import Document
from proposals.models import Call, Proposal
from proposals.services.audit import record_audit


def _store_document(*, pdf: bytes, kind: str, language: str, template_version: str,
                    proposal: Proposal | None = None, call: Call | None = None, actor=None,
                    subject: str = "") -> tuple[Document, bool]:
    """Store `pdf` once, keyed by its SHA-256; returns (document, created). `subject` names what
    the document is about when a proposal has several of its kind (one per subject and language)."""
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        if proposal is not None:  # one issuer at a time
            Proposal.objects.select_for_update().get(pk=proposal.pk)
        else:
            Call.objects.select_for_update().get(pk=call.pk)
        existing = Document.objects.filter(sha256=digest).first()
        if existing is not None:
            return existing, False
        document = Document(
            proposal=proposal, call=call, kind=kind, language=language, subject=subject,
            template_version=template_version, sha256=digest, size=len(pdf),
        )
        document.file.save(f"{digest}.pdf", ContentFile(pdf), save=False)
        document.save()
        data = {"kind": str(kind), "sha256": digest, "template_version": template_version, "language": language}
        if subject:
            data["subject"] = subject
        if call is not None:
            data["call"] = call.pk
        record_audit(action="document.issued", proposal=proposal, actor=actor, data=data)
    return document, True
