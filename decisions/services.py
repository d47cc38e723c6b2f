"""Decision letters and review documents: built from the recorded decisions and review
results, rendered, stored with their SHA-256, audited, and announced to the applicant after commit."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Callable
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.mail import absolute_url, queue_user_mail
from decisions import review_documents
from decisions.enums import DocumentKind
from decisions.models import Document
from decisions.pdf import render_pdf
from funding.enums import FundingOutcome
from funding.models import Fund, FundingDecision
from core.i18n import is_chinese, localized
from core.errors import DomainError, InvalidInput, NotPermitted
from proposals.models import Call, Proposal
from proposals.services.audit import record_audit
from reviews.enums import PanelOutcome
from reviews.models import (
    Conflict, Criterion, PanelDecision, PanelRecommendation, RankingAdjustment, Review, RoadshowSheet,
)
from reviews.selectors.scoring import proposal_summary
from reviews.services.results import call_results, proposal_results


class LetterNotReady(DomainError):
    status = 409
    default_message = _("The decision this letter reports has not been recorded yet.")


def format_amount(*, amount: Decimal, currency: str, language: str) -> str:
    """'300,000.00 CNY', or '人民币 300,000.00 元' in Chinese."""
    figure = f"{amount:,.2f}"
    if currency == "CNY" and is_chinese(language):
        return f"人民币 {figure} 元"
    return f"{figure} {currency}"


def format_score(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def letter_reference(*, proposal: Proposal, kind: str) -> str:
    suffix = "APP" if kind == DocumentKind.APPROVAL_LETTER else "DEC"
    return f"{proposal.reference or f'P{proposal.pk}'}-{suffix}"


def _local_date(*, proposal: Proposal, moment: datetime) -> date:
    return timezone.localtime(moment, ZoneInfo(proposal.call.time_zone)).date()


def _common_context(*, proposal: Proposal, kind: str, language: str, fund: Fund | None, decided_at: datetime) -> dict:
    return {
        "issuer": localized(fund, "name", language) if fund else "pocflow",
        "letter_reference": letter_reference(proposal=proposal, kind=kind),
        "reference": proposal.reference or "",
        "title": proposal.title,
        "call_title": localized(proposal.call, "title", language),
        "applicant_name": proposal.applicant.display_name,
        "institution": proposal.institution,
        "decided_on": _local_date(proposal=proposal, moment=decided_at),
        "verify_url": absolute_url(reverse("decisions:verify")),
    }


def approval_context(*, proposal: Proposal, language: str) -> dict:
    decision = (
        FundingDecision.objects.filter(proposal=proposal, outcome=FundingOutcome.APPROVED, amount__isnull=False)
        .select_related("fund")
        .order_by("-decided_at", "-pk")
        .first()
    )
    if decision is None:
        raise LetterNotReady()
    kind = DocumentKind.APPROVAL_LETTER
    return {
        **_common_context(proposal=proposal, kind=kind, language=language, fund=decision.fund, decided_at=decision.decided_at),
        "fund_name": localized(decision.fund, "name", language),
        "instrument": decision.get_instrument_display(),
        "amount": format_amount(amount=decision.amount, currency=decision.fund.currency, language=language),
    }


def rejection_context(*, proposal: Proposal, language: str) -> dict:
    decision = PanelDecision.objects.filter(proposal=proposal).order_by("-decided_at", "-pk").first()
    if decision is None or decision.outcome == PanelOutcome.APPROVE:
        raise LetterNotReady()
    summary = proposal_summary(proposal=proposal)
    # Anonymous: a number, the weighted total and the opinion for the applicant. Never
    # the expert's name or institution, never the confidential panel note.
    opinions = [
        {"number": number, "total": format_score(total), "opinion": review.opinion}
        for number, (review, total) in enumerate(zip(summary["reviews"], summary["totals"]), start=1)
    ]
    kind = DocumentKind.REJECTION_LETTER
    return {
        **_common_context(proposal=proposal, kind=kind, language=language, fund=proposal.call.fund, decided_at=decision.decided_at),
        "invite_resubmission": decision.outcome == PanelOutcome.INVITE_RESUBMISSION,
        "feedback": decision.feedback,
        "opinions": opinions,
        "mean": format_score(summary["mean"]),
    }


@dataclass(frozen=True)
class LetterSpec:
    template_name: str
    template_version: str
    build_context: Callable[..., dict]


LETTERS = {
    DocumentKind.APPROVAL_LETTER: LetterSpec("decisions/letters/approval.html", "approval-v1", approval_context),
    DocumentKind.REJECTION_LETTER: LetterSpec("decisions/letters/rejection.html", "rejection-v1", rejection_context),
}


def _existing_letter(*, proposal: Proposal, kind: str) -> Document | None:
    return Document.objects.filter(proposal=proposal, kind=kind).order_by("created_at", "pk").first()


def issue_letter(*, proposal: Proposal, kind: str) -> Document:
    """Issue the proposal's letter of `kind` once; later calls return the stored document."""
    kind = DocumentKind(kind)
    existing = _existing_letter(proposal=proposal, kind=kind)
    if existing is not None:
        return existing
    spec = LETTERS[kind]
    language = proposal.language
    with translation.override(language):
        context = spec.build_context(proposal=proposal, language=language)
    pdf = render_pdf(template_name=spec.template_name, context=context, language=language)
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        Proposal.objects.select_for_update().get(pk=proposal.pk)  # one issuer at a time
        existing = _existing_letter(proposal=proposal, kind=kind)
        if existing is not None:
            return existing
        document = Document(
            proposal=proposal, kind=kind, language=language,
            template_version=spec.template_version, sha256=digest, size=len(pdf),
        )
        document.file.save(f"{digest}.pdf", ContentFile(pdf), save=False)
        document.save()
        record_audit(
            action="document.issued", proposal=proposal,
            data={"kind": kind.value, "sha256": digest, "template_version": spec.template_version},
        )
        queue_user_mail(
            user=proposal.applicant,
            template="decisions/mail/letter_ready",
            context={
                "title": proposal.title,
                "reference": proposal.reference or "",
                "link": reverse("decisions:download", args=[document.pk]),
            },
        )
    return document


# -- review documents: the anonymised review summary and the panel score sheet ---------------
#
# Both are rendered from the results contract (reviews.services.results) and stored like the
# letters, with one difference: they are issued again when their content changes. Every
# date they print is taken from the stored inputs (never "today"), so the same inputs give
# byte-identical PDFs; the SHA-256 then identifies the content, and issuing again with
# unchanged inputs returns the stored document.

REVIEW_SUMMARY_TEMPLATE = "decisions/review_summary.html"
REVIEW_SUMMARY_VERSION = "review-summary-v1"
PANEL_SHEET_TEMPLATE = "decisions/panel_sheet.html"
PANEL_SHEET_VERSION = "panel-sheet-v1"
SHEET_LANGUAGES = ("zh-hans", "en")


class UnknownDocumentLanguage(InvalidInput):
    default_message = _("Choose Chinese or English for the panel score sheet.")


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


def latest_decision(*, proposal: Proposal) -> PanelDecision | None:
    return PanelDecision.objects.filter(proposal=proposal).order_by("-decided_at", "-pk").first()


def review_summary_context(*, proposal: Proposal, language: str) -> dict:
    """Call inside translation.override(language)."""
    result = proposal_results(proposal)
    criteria = list(Criterion.objects.filter(call_id=proposal.call_id).order_by("order", "pk"))
    decision = latest_decision(proposal=proposal)
    if decision is not None:
        moment = decision.decided_at
    else:  # not decided yet: the figures as of the latest review
        stamps = [r.submitted_at for r in result.reviews if r.submitted_at is not None]
        moment = max(stamps) if stamps else proposal.created_at
    fund = proposal.call.fund
    return review_documents.review_summary_context(
        proposal=proposal, result=result, criteria=criteria, decision=decision,
        language=language, issued_on=review_documents.local_date(moment, proposal.call.time_zone),
        issuer=localized(fund, "name", language) if fund else "pocflow",
        verify_url=absolute_url(reverse("decisions:verify")),
    )


def issue_review_summary(*, proposal: Proposal) -> Document:
    """The anonymised review summary in the proposal's language; the stored one while nothing changed.

    A new document is issued only when the content differs from every summary issued before,
    for example after a new panel decision; the applicant is told once a decision is recorded
    (a summary issued before it is for staff only)."""
    language = proposal.language
    with translation.override(language):
        context = review_summary_context(proposal=proposal, language=language)
    pdf = render_pdf(template_name=REVIEW_SUMMARY_TEMPLATE, context=context, language=language)
    document, created = _store_document(
        pdf=pdf, kind=DocumentKind.REVIEW_SUMMARY, language=language,
        template_version=REVIEW_SUMMARY_VERSION, proposal=proposal,
    )
    if created and context["decision"] is not None:
        queue_user_mail(
            user=proposal.applicant,
            template="decisions/mail/review_summary_ready",
            context={
                "title": proposal.title,
                "reference": proposal.reference or "",
                "link": reverse("decisions:download", args=[document.pk]),
            },
        )
    return document


def _recusals(*, proposal_ids: list[int]) -> dict[int, list[review_documents.Recusal]]:
    """Experts assigned to a proposal who then had a conflict on it: listed, never scored."""
    assigned = set(Review.objects.filter(proposal_id__in=proposal_ids).values_list("proposal_id", "expert_id"))
    conflicts = (
        Conflict.objects.filter(proposal_id__in=proposal_ids)
        .select_related("expert", "expert__expert_profile")
        .order_by("proposal_id", "expert__full_name", "expert_id")
    )
    recusals: dict[int, list[review_documents.Recusal]] = {}
    for conflict in conflicts:
        if (conflict.proposal_id, conflict.expert_id) not in assigned:
            continue
        profile = getattr(conflict.expert, "expert_profile", None)
        recusals.setdefault(conflict.proposal_id, []).append(review_documents.Recusal(
            expert_name=conflict.expert.display_name,
            expert_type=profile.expert_type if profile else "",
            source=conflict.source,
        ))
    return recusals


def panel_inputs_as_of(*, call: Call) -> datetime | None:
    """The time of the latest recorded input the sheet shows (scores, conflicts, the chair's acts)."""
    stamps = [
        Review.objects.filter(proposal__call=call).aggregate(t=Max("submitted_at"))["t"],
        Conflict.objects.filter(proposal__call=call).aggregate(t=Max("created_at"))["t"],
        PanelRecommendation.objects.filter(proposal__call=call).aggregate(t=Max("created_at"))["t"],
        RankingAdjustment.objects.filter(call=call).aggregate(t=Max("created_at"))["t"],
        RoadshowSheet.objects.filter(slot__call=call).aggregate(t=Max("submitted_at"))["t"],
    ]
    stamps = [s for s in stamps if s is not None]
    return max(stamps) if stamps else None


def panel_sheet_context(*, call: Call, language: str) -> dict:
    """Call inside translation.override(language)."""
    results = call_results(call)
    proposal_ids = [p.proposal_id for p in results.proposals]
    fund = call.fund
    return review_documents.panel_sheet_context(
        call=call, results=results, criteria=list(Criterion.objects.filter(call=call).order_by("order", "pk")),
        recusals=_recusals(proposal_ids=proposal_ids),
        language=language, as_of=panel_inputs_as_of(call=call),
        issuer=localized(fund, "name", language) if fund else "pocflow",
        verify_url=absolute_url(reverse("decisions:verify")),
    )


def issue_panel_sheet(*, call: Call, language: str, issued_by) -> Document:
    """The call's panel score sheet (专家组汇总表) in `language`, for staff and the panel chair.

    Regenerating with unchanged inputs returns the stored document; a new one is audited."""
    from decisions.rules import can_issue_panel_sheet

    if not can_issue_panel_sheet(issued_by, call):
        raise NotPermitted()
    if language not in SHEET_LANGUAGES:
        raise UnknownDocumentLanguage()
    with translation.override(language):
        context = panel_sheet_context(call=call, language=language)
    pdf = render_pdf(template_name=PANEL_SHEET_TEMPLATE, context=context, language=language)
    document, _created = _store_document(
        pdf=pdf, kind=DocumentKind.PANEL_SHEET, language=language,
        template_version=PANEL_SHEET_VERSION, call=call, actor=issued_by,
    )
    return document
