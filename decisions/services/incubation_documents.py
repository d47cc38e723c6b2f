"""Issuing the incubation documents (issue #4 item 10): the funding agreement (任务书), the
tranche release notice (拨付通知), the acceptance certificate (验收证书) and the conversion notice
(转股通知).

Each is built from the stored rows by `decisions.services.incubation_contexts`, rendered through
`decisions.pdf.render_pdf` and stored once with its SHA-256 and template version by
`decisions.services.storage._store_document`. A document is identified by its kind, its
`subject` (what it is about) and its language:

- funding agreement: ``agreement:<pk>:<issued_at ISO>`` (issuing it again gives a new subject);
- tranche notice: ``tranche:<pk>``; acceptance certificate: ``acceptance:<pk>``;
  conversion notice: ``settlement:<pk>``.

Issuing again for the same subject and language returns the stored document (a repeated signal
or a retried task creates nothing). The proposal's language is issued automatically; staff may
generate the other language on demand (`issue_for_subject`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _, gettext_lazy

from accounts.mail import queue_user_mail
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from decisions.enums import DocumentKind
from decisions.models import Document
from decisions.pdf import render_pdf
from decisions.services.incubation_contexts import (
    acceptance_context,
    agreement_context,
    conversion_context,
    tranche_context,
)
from decisions.services.storage import _store_document
from incubation.enums import AcceptanceOutcome, SettlementKind, TrancheStatus
from incubation.models import Acceptance, Agreement, Project, Settlement, Tranche
from proposals.models import Proposal

DOCUMENT_LANGUAGES = ("zh-hans", "en")


class UnknownLanguage(InvalidInput):
    default_message = gettext_lazy("Choose Chinese or English for the document.")


class NoDocumentForRecord(IllegalTransition):
    default_message = gettext_lazy("No document is issued for this record.")


class OutdatedSubject(IllegalTransition):
    default_message = gettext_lazy("This agreement has been issued again since; generate the latest issue instead.")


def agreement_subject(agreement: Agreement) -> str:
    issued = agreement.issued_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return f"agreement:{agreement.pk}:{issued}"


@dataclass(frozen=True)
class DocumentSpec:
    kind: DocumentKind
    template_name: str
    template_version: str
    model: type
    related: tuple[str, ...]
    project_path: str  # attribute path from the record to its project
    subject: Callable[[object], str]
    build_context: Callable[[object, str], dict]
    applies: Callable[[object], bool]


def _project_of(spec: DocumentSpec, record) -> Project:
    obj = record
    for name in spec.project_path.split("."):
        obj = getattr(obj, name)
    return obj


_PROJECT_RELATED = ("proposal", "proposal__call", "proposal__call__fund", "proposal__applicant")

SPECS = {
    DocumentKind.FUNDING_AGREEMENT: DocumentSpec(
        DocumentKind.FUNDING_AGREEMENT, "decisions/incubation/agreement.html", "funding-agreement-v1", Agreement,
        tuple(f"project__{r}" for r in _PROJECT_RELATED), "project", agreement_subject, agreement_context,
        lambda agreement: agreement.issued_at is not None),
    DocumentKind.TRANCHE_NOTICE: DocumentSpec(
        DocumentKind.TRANCHE_NOTICE, "decisions/incubation/tranche_notice.html", "tranche-notice-v1", Tranche,
        ("milestone", *(f"agreement__project__{r}" for r in _PROJECT_RELATED)), "agreement.project",
        lambda tranche: f"tranche:{tranche.pk}", tranche_context,
        lambda tranche: tranche.status == TrancheStatus.RELEASED),
    DocumentKind.ACCEPTANCE_CERTIFICATE: DocumentSpec(
        DocumentKind.ACCEPTANCE_CERTIFICATE, "decisions/incubation/acceptance_certificate.html",
        "acceptance-certificate-v1", Acceptance, ("decided_by", *(f"project__{r}" for r in _PROJECT_RELATED)),
        "project", lambda acceptance: f"acceptance:{acceptance.pk}", acceptance_context,
        lambda acceptance: acceptance.outcome == AcceptanceOutcome.PASS),
    DocumentKind.CONVERSION_NOTICE: DocumentSpec(
        DocumentKind.CONVERSION_NOTICE, "decisions/incubation/conversion_notice.html", "conversion-notice-v1",
        Settlement, ("decided_by", "financing_round", *(f"project__{r}" for r in _PROJECT_RELATED)), "project",
        lambda settlement: f"settlement:{settlement.pk}", conversion_context,
        lambda settlement: settlement.kind == SettlementKind.CONVERTED),
}
SUBJECT_PREFIX = {
    "agreement": DocumentKind.FUNDING_AGREEMENT, "tranche": DocumentKind.TRANCHE_NOTICE,
    "acceptance": DocumentKind.ACCEPTANCE_CERTIFICATE, "settlement": DocumentKind.CONVERSION_NOTICE,
}


def owed_subject(kind: str, record) -> tuple[str, int]:
    """What a document of `kind` about `record` will be about, and its proposal (for the outbox row)."""
    spec = SPECS[DocumentKind(kind)]
    return spec.subject(record), _project_of(spec, record).proposal_id


def fetch_record(kind: str, pk: int):
    """The record a document of `kind` is about, with what its context reads; None if gone."""
    spec = SPECS[DocumentKind(kind)]
    return spec.model.objects.select_related(*spec.related).filter(pk=pk).first()


def _stored(*, proposal: Proposal, kind: str, subject: str, language: str) -> Document | None:
    return (Document.objects.filter(proposal=proposal, kind=kind, subject=subject, language=language)
            .order_by("created_at", "pk").first())


def issue_incubation_document(*, kind: str, record, language: str | None = None, actor=None,
                              notify: bool = True) -> Document:
    """Issue the document of `kind` about `record` (an Agreement, Tranche, Acceptance or
    Settlement) in `language` (default: the proposal's) once; later calls return the stored one.

    Raises NoDocumentForRecord when the record calls for no such document (an agreement not
    issued, a tranche not released, an acceptance that is not a pass, a settlement that is not
    a conversion), UnknownLanguage, and `MissingGlyphError` when the font cannot print a text."""
    spec = SPECS[DocumentKind(kind)]
    if not spec.applies(record):
        raise NoDocumentForRecord()
    project = _project_of(spec, record)
    proposal = project.proposal
    language = language or proposal.language
    if language not in DOCUMENT_LANGUAGES:
        raise UnknownLanguage()
    subject = spec.subject(record)
    existing = _stored(proposal=proposal, kind=spec.kind, subject=subject, language=language)
    if existing is not None:
        return existing
    with translation.override(language):
        context = spec.build_context(record, language)
    pdf = render_pdf(template_name=spec.template_name, context=context, language=language)
    with transaction.atomic():
        Proposal.objects.select_for_update().get(pk=proposal.pk)  # one issuer at a time
        existing = _stored(proposal=proposal, kind=spec.kind, subject=subject, language=language)
        if existing is not None:
            return existing
        document, created = _store_document(pdf=pdf, kind=spec.kind, language=language, subject=subject,
                                            template_version=spec.template_version, proposal=proposal, actor=actor)
        if created:
            if notify:
                queue_user_mail(user=proposal.applicant, template="decisions/mail/incubation_document_ready",
                                key=f"mail:document-ready:{document.pk}", subject=f"proposal:{proposal.pk}", context={
                    "kind": spec.kind.value, "title": proposal.title, "reference": proposal.reference or "",
                    "link": reverse("decisions:download", args=[document.pk]),
                })
    return document


def issue_agreement_document(*, agreement: Agreement, language: str | None = None, actor=None) -> Document:
    return issue_incubation_document(kind=DocumentKind.FUNDING_AGREEMENT, record=agreement, language=language,
                                     actor=actor)


def issue_tranche_notice(*, tranche: Tranche, language: str | None = None, actor=None) -> Document:
    return issue_incubation_document(kind=DocumentKind.TRANCHE_NOTICE, record=tranche, language=language, actor=actor)


def issue_acceptance_certificate(*, acceptance: Acceptance, language: str | None = None, actor=None) -> Document:
    return issue_incubation_document(kind=DocumentKind.ACCEPTANCE_CERTIFICATE, record=acceptance, language=language,
                                     actor=actor)


def issue_conversion_notice(*, settlement: Settlement, language: str | None = None, actor=None) -> Document:
    return issue_incubation_document(kind=DocumentKind.CONVERSION_NOTICE, record=settlement, language=language,
                                     actor=actor)


def issue_for_subject(*, project: Project, subject: str, language: str, actor) -> Document:
    """Staff generate one of the project's documents in `language` (usually the other one).

    `subject` names a document the project already has (see the module docstring); an agreement
    can only be generated for its latest issue, whose content the agreement still holds."""
    if not actor.has_perm("decisions.generate_project_document", project):
        raise NotPermitted()
    if language not in DOCUMENT_LANGUAGES:
        raise UnknownLanguage()
    prefix, _sep, rest = subject.partition(":")
    kind = SUBJECT_PREFIX.get(prefix)
    pk = rest.split(":", 1)[0]
    record = fetch_record(kind, int(pk)) if kind is not None and pk.isdigit() else None
    if record is None or _project_of(SPECS[kind], record).pk != project.pk:
        raise InvalidInput(_("This project has no such document."))
    if not SPECS[kind].applies(record):
        raise NoDocumentForRecord()
    if SPECS[kind].subject(record) != subject:
        raise OutdatedSubject()
    return issue_incubation_document(kind=kind, record=record, language=language, actor=actor, notify=False)
