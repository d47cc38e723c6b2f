from dataclasses import dataclass, field

from django.db.models import Min

from decisions.enums import DocumentKind
from decisions.models import Document
from decisions.rules import INCUBATION_DOCUMENT_KINDS
from decisions.services.incubation_documents import agreement_subject
from incubation.enums import AcceptanceOutcome, SettlementKind, TrancheStatus
from incubation.models import Acceptance, Agreement, Settlement, Tranche
from reviews.models import PanelDecision


def document_for_download(*, pk: int) -> Document | None:
    return Document.objects.select_related("proposal", "call").filter(pk=pk).first()


def document_by_sha256(*, sha256: str) -> Document | None:
    return Document.objects.select_related("proposal", "call").filter(sha256=sha256).first()


def latest_review_summary(*, proposal, released_only: bool = False) -> Document | None:
    """The proposal's newest review summary; `released_only`: among those issued after a panel decision."""
    summaries = Document.objects.filter(proposal=proposal, kind=DocumentKind.REVIEW_SUMMARY)
    if released_only:
        first = PanelDecision.objects.filter(proposal=proposal).aggregate(first=Min("decided_at"))["first"]
        if first is None:
            return None
        summaries = summaries.filter(created_at__gte=first)
    return summaries.select_related("proposal").order_by("-created_at", "-pk").first()


def latest_panel_sheet(*, call, language: str) -> Document | None:
    return (
        Document.objects.filter(call=call, kind=DocumentKind.PANEL_SHEET, language=language)
        .order_by("-created_at", "-pk").first()
    )


def panel_sheets(*, call):
    """The call's issued panel score sheets, newest first."""
    return Document.objects.filter(call=call, kind=DocumentKind.PANEL_SHEET).order_by("-created_at", "-pk")


# -- the incubation documents (issue #4) ------------------------------------------------------

@dataclass
class ProjectDocumentRow:
    """One document of a project (kind and subject) with its copies by language."""

    kind: str
    kind_label: str
    subject: str
    number: int | None  # the tranche's order or the acceptance round
    issued_at: object
    copies: dict = field(default_factory=dict)  # language -> Document
    superseded: bool = False  # an agreement issued again since
    missing: bool = False  # the record calls for this document but none was stored (its render failed)

    @property
    def chinese(self):
        return self.copies.get("zh-hans")

    @property
    def english(self):
        return self.copies.get("en")


def project_documents(*, project):
    """The project's agreement, tranche notices, acceptance certificates and conversion notices, newest first."""
    return (Document.objects.filter(proposal_id=project.proposal_id, kind__in=INCUBATION_DOCUMENT_KINDS)
            .order_by("-created_at", "-pk"))


def project_document_rows(*, project) -> list[ProjectDocumentRow]:
    """The project's documents grouped by subject (newest first), each with its Chinese and English
    copies; agreements issued again since are marked superseded. A fixed number of queries."""
    documents = list(project_documents(project=project))
    tranche_orders = dict(Tranche.objects.filter(agreement__project=project).values_list("pk", "order"))
    rounds = dict(Acceptance.objects.filter(project=project).values_list("pk", "round"))
    rows: dict[tuple[str, str], ProjectDocumentRow] = {}
    for document in documents:
        key = (document.kind, document.subject)
        row = rows.get(key)
        if row is None:
            prefix, _sep, rest = document.subject.partition(":")
            pk = rest.split(":", 1)[0]
            number = None
            if pk.isdigit():
                number = (tranche_orders if prefix == "tranche" else rounds if prefix == "acceptance" else {}).get(int(pk))
            row = rows[key] = ProjectDocumentRow(kind=document.kind, kind_label=document.get_kind_display(),
                                                 subject=document.subject, number=number, issued_at=document.created_at)
        row.copies.setdefault(document.language, document)
        row.issued_at = min(row.issued_at, document.created_at)
    for kind, subject, number, moment in _expected_documents(project=project):
        if (kind, subject) not in rows:
            rows[(kind, subject)] = ProjectDocumentRow(kind=kind, kind_label=DocumentKind(kind).label, subject=subject,
                                                       number=number, issued_at=moment, missing=True)
    ordered = sorted(rows.values(), key=lambda r: r.issued_at, reverse=True)
    seen_agreement = False
    for row in ordered:
        if row.kind == DocumentKind.FUNDING_AGREEMENT:
            row.superseded = seen_agreement
            seen_agreement = True
    return ordered


def _expected_documents(*, project):
    """(kind, subject, number, moment) of every document the project's records call for: the
    latest issue of the agreement, each released tranche, each passed acceptance round and a
    conversion. Four small queries, whatever the number of records."""
    agreement = Agreement.objects.filter(project=project, issued_at__isnull=False).first()
    if agreement is not None:
        yield DocumentKind.FUNDING_AGREEMENT, agreement_subject(agreement), None, agreement.issued_at
    for tranche in Tranche.objects.filter(agreement__project=project, status=TrancheStatus.RELEASED).only(
            "pk", "order", "released_at", "status"):
        yield DocumentKind.TRANCHE_NOTICE, f"tranche:{tranche.pk}", tranche.order, tranche.released_at
    for acceptance in Acceptance.objects.filter(project=project, outcome=AcceptanceOutcome.PASS).only(
            "pk", "round", "decided_at"):
        yield DocumentKind.ACCEPTANCE_CERTIFICATE, f"acceptance:{acceptance.pk}", acceptance.round, acceptance.decided_at
    for settlement in Settlement.objects.filter(project=project, kind=SettlementKind.CONVERTED).only("pk", "decided_at"):
        yield DocumentKind.CONVERSION_NOTICE, f"settlement:{settlement.pk}", None, settlement.decided_at


def latest_agreement_document(*, project, language: str | None = None) -> Document | None:
    """The latest issue of the project's funding agreement, in `language` (default: the proposal's)
    when it exists in it, else in the other one."""
    latest = (Document.objects.filter(proposal_id=project.proposal_id, kind=DocumentKind.FUNDING_AGREEMENT)
              .order_by("-created_at", "-pk").first())
    if latest is None:
        return None
    wanted = language or project.proposal.language
    if latest.language == wanted:
        return latest
    return (Document.objects.filter(proposal_id=project.proposal_id, kind=DocumentKind.FUNDING_AGREEMENT,
                                    subject=latest.subject, language=wanted).first() or latest)
