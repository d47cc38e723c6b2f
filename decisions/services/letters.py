"""Decision letters (approval, rejection): built from the recorded decisions, rendered, stored
with their SHA-256, audited, and announced to the applicant after commit."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.mail import absolute_url, queue_user_mail
from centers.services import allocate_number, default_center
from core.errors import DomainError, InvalidInput, NotPermitted
from core.i18n import is_chinese, localized
from decisions.enums import DocumentKind
from decisions.models import Document
from decisions.pdf import render_pdf
from decisions.services.owed import letter_owed, owe_letter, proposal_subject
from funding.enums import FundingOutcome
from funding.models import Fund, FundingDecision
from proposals.enums import ScreeningOutcome
from proposals.models import Proposal, ScreeningChecklistItem, ScreeningResult
from proposals.services.audit import record_audit
from reviews.enums import PanelOutcome
from reviews.models import PanelDecision
from reviews.selectors.scoring import proposal_summary


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


def center_identity(language: str) -> dict:
    """The operating center as its documents print it: name and address in the document's language, contact,
    logo and seal as file addresses WeasyPrint reads (empty where not set in the admin)."""
    center = default_center()
    if center is None:
        return {}
    return {
        "name": center.name_in(language), "address": center.address_in(language),
        "contact_person": center.contact_person, "phone": center.phone, "email": center.email,
        "website": center.website,
        "logo": Path(center.logo.path).as_uri() if center.logo else "",
        "seal": Path(center.seal.path).as_uri() if center.seal else "",
    }


def _common_context(*, proposal: Proposal, kind: str, language: str, fund: Fund | None, decided_at: datetime) -> dict:
    return {
        "center": center_identity(language),
        "issuer": localized(fund, "name", language) if fund else "pocflow",
        "letter_reference": letter_reference(proposal=proposal, kind=kind),
        "reference": proposal.reference or "",
        "title": proposal.title,
        "call_title": localized(proposal.call, "title", language),
        "applicant_name": proposal.applicant.display_name,
        "institution": proposal.institution,
        "decided_on": _local_date(proposal=proposal, moment=decided_at),
        "verify_url": absolute_url(reverse("decisions:verify")),
        "site_url": settings.SITE_URL,
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


def ineligibility_context(*, proposal: Proposal, language: str) -> dict:
    """形式审查不予受理: the officer's message and every checklist requirement the proposal did not meet."""
    screening = (ScreeningResult.objects.filter(proposal=proposal, outcome=ScreeningOutcome.INELIGIBLE)
                 .order_by("-created_at", "-pk").first())
    if screening is None:
        raise LetterNotReady()
    checklist = screening.checklist or {}
    unmet = [localized(item, "text", language)
             for item in ScreeningChecklistItem.objects.filter(call=proposal.call).order_by("order", "pk")
             if not checklist.get(str(item.pk))]
    kind = DocumentKind.INELIGIBILITY_LETTER
    return {
        **_common_context(proposal=proposal, kind=kind, language=language, fund=proposal.call.fund,
                          decided_at=screening.created_at),
        "message": screening.message, "unmet": unmet,
    }


def funding_decline_context(*, proposal: Proposal, language: str) -> dict:
    """不予资助: the fund manager's reasons, after the panel's approval."""
    decision = (FundingDecision.objects.filter(proposal=proposal, outcome=FundingOutcome.DECLINED)
                .select_related("fund").order_by("-decided_at", "-pk").first())
    if decision is None:
        raise LetterNotReady()
    kind = DocumentKind.FUNDING_DECLINE_LETTER
    return {
        **_common_context(proposal=proposal, kind=kind, language=language, fund=decision.fund,
                          decided_at=decision.decided_at),
        "fund_name": localized(decision.fund, "name", language), "reasons": decision.reasons,
    }


@dataclass(frozen=True)
class LetterSpec:
    template_name: str
    template_version: str
    build_context: Callable[..., dict]


LETTERS = {
    DocumentKind.APPROVAL_LETTER: LetterSpec("decisions/letters/approval.html", "approval-v1", approval_context),
    DocumentKind.REJECTION_LETTER: LetterSpec("decisions/letters/rejection.html", "rejection-v1", rejection_context),
    DocumentKind.INELIGIBILITY_LETTER: LetterSpec("decisions/letters/ineligible.html", "ineligible-v1",
                                                  ineligibility_context),
    DocumentKind.FUNDING_DECLINE_LETTER: LetterSpec("decisions/letters/funding_declined.html", "funding-declined-v1",
                                                    funding_decline_context),
}


def _existing_letter(*, proposal: Proposal, kind: str, version: int = 1) -> Document | None:
    return Document.objects.filter(proposal=proposal, kind=kind, version=version).order_by("created_at", "pk").first()


def latest_letter(*, proposal: Proposal, kind: str) -> Document | None:
    return Document.objects.filter(proposal=proposal, kind=kind).order_by("-version", "-created_at", "-pk").first()


def issue_letter(*, proposal: Proposal, kind: str, version: int = 1) -> Document:
    """Issue version `version` of the proposal's letter of `kind` once; later calls return the stored
    document. A version above 1 is a re-issue: it names the letter it replaces, which stays stored
    and verifiable."""
    kind = DocumentKind(kind)
    existing = _existing_letter(proposal=proposal, kind=kind, version=version)
    if existing is not None:
        return existing
    previous = None
    if version > 1:
        previous = _existing_letter(proposal=proposal, kind=kind, version=version - 1)
        if previous is None:
            raise LetterNotReady()
    spec = LETTERS[kind]
    language = proposal.language
    with translation.override(language):
        context = spec.build_context(proposal=proposal, language=language)
    number = allocate_number()  # the center's 文号, given once: a stored letter is never numbered again
    context["document_number"] = number
    with translation.override(language):
        if previous is not None:
            context |= {
                "version": version,
                "reissued_on": _local_date(proposal=proposal, moment=timezone.now()),
                "replaces_sha256": previous.sha256,
                "replaces_issued_on": _local_date(proposal=proposal, moment=previous.created_at),
            }
    pdf = render_pdf(template_name=spec.template_name, context=context, language=language)
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        Proposal.objects.select_for_update().get(pk=proposal.pk)  # one issuer at a time
        existing = _existing_letter(proposal=proposal, kind=kind, version=version)
        if existing is not None:
            return existing
        document = Document(
            proposal=proposal, kind=kind, language=language, version=version, supersedes=previous, number=number,
            template_version=spec.template_version, sha256=digest, size=len(pdf),
        )
        document.file.save(f"{digest}.pdf", ContentFile(pdf), save=False)
        document.save()
        data = {"kind": kind.value, "sha256": digest, "template_version": spec.template_version}
        if previous is not None:
            data |= {"version": version, "replaces": previous.sha256}
        record_audit(action="document.issued", proposal=proposal, data=data)
        queue_user_mail(
            user=proposal.applicant,
            template="decisions/mail/letter_ready",
            key=f"mail:letter-ready:{document.pk}",
            subject=proposal_subject(proposal.pk),
            context={
                "title": proposal.title,
                "reference": proposal.reference or "",
                "link": reverse("decisions:download", args=[document.pk]),
            },
        )
    return document


class ReissueNotPossible(DomainError):
    status = 409
    default_message = _("This letter has not been issued yet, so it cannot be re-issued.")


class ReissuePending(DomainError):
    status = 409
    default_message = _("A new version of this letter is already being prepared.")


def reissue_letter(*, proposal: Proposal, kind: str, actor, reason: str) -> int:
    """Staff re-issue the proposal's letter of `kind` as a new version (for example after a wrong
    address or a damaged copy): audited with the reason, rendered after commit like every owed
    document. Returns the version owed."""
    if not actor.has_perm("decisions.reissue_letter", proposal):
        raise NotPermitted()
    kind = DocumentKind(kind)
    if kind not in LETTERS:
        raise ReissueNotPossible()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for re-issuing the letter."))
    with transaction.atomic():
        Proposal.objects.select_for_update().get(pk=proposal.pk)
        current = latest_letter(proposal=proposal, kind=kind)
        if current is None:
            raise ReissueNotPossible()
        version = current.version + 1
        if letter_owed(proposal_id=proposal.pk, kind=kind.value, version=version):
            raise ReissuePending()
        owe_letter(proposal_id=proposal.pk, kind=kind.value, version=version)
        record_audit(action="document.reissue_requested", proposal=proposal, actor=actor, note=reason,
                     data={"kind": kind.value, "version": version, "replaces": current.sha256})
    return version
