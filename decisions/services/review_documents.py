"""The review documents: the anonymised review summary and the panel score sheet.

Both are rendered from the results contract (reviews.services.results) and stored like the
letters, with one difference: they are issued again when their content changes. Every
date they print is taken from the stored inputs (never "today"), so the same inputs give
byte-identical PDFs; the SHA-256 then identifies the content, and issuing again with
unchanged inputs returns the stored document."""

from datetime import datetime

from django.db.models import Max
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.mail import absolute_url, queue_user_mail
from core.errors import InvalidInput, NotPermitted
from core.i18n import localized
from decisions.enums import DocumentKind
from decisions.models import Document
from decisions.pdf import render_pdf
from decisions.rules import can_issue_panel_sheet
from decisions.services import review_contexts
from decisions.services.storage import _store_document
from proposals.models import Call, Proposal
from reviews.models import (
    Conflict,
    Criterion,
    PanelDecision,
    PanelRecommendation,
    RankingAdjustment,
    Review,
    RoadshowSheet,
)
from reviews.services.results import call_results, proposal_results

REVIEW_SUMMARY_TEMPLATE = "decisions/review_summary.html"
REVIEW_SUMMARY_VERSION = "review-summary-v1"
PANEL_SHEET_TEMPLATE = "decisions/panel_sheet.html"
PANEL_SHEET_VERSION = "panel-sheet-v1"
SHEET_LANGUAGES = ("zh-hans", "en")


class UnknownDocumentLanguage(InvalidInput):
    default_message = _("Choose Chinese or English for the panel score sheet.")


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
    return review_contexts.review_summary_context(
        proposal=proposal, result=result, criteria=criteria, decision=decision,
        language=language, issued_on=review_contexts.local_date(moment, proposal.call.time_zone),
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
            key=f"mail:document-ready:{document.pk}",
            subject=f"proposal:{proposal.pk}",
            context={
                "title": proposal.title,
                "reference": proposal.reference or "",
                "link": reverse("decisions:download", args=[document.pk]),
            },
        )
    return document


def _recusals(*, proposal_ids: list[int]) -> dict[int, list[review_contexts.Recusal]]:
    """Experts assigned to a proposal who then had a conflict on it: listed, never scored."""
    assigned = set(Review.objects.filter(proposal_id__in=proposal_ids).values_list("proposal_id", "expert_id"))
    conflicts = (
        Conflict.objects.filter(proposal_id__in=proposal_ids)
        .select_related("expert", "expert__expert_profile")
        .order_by("proposal_id", "expert__full_name", "expert_id")
    )
    recusals: dict[int, list[review_contexts.Recusal]] = {}
    for conflict in conflicts:
        if (conflict.proposal_id, conflict.expert_id) not in assigned:
            continue
        profile = getattr(conflict.expert, "expert_profile", None)
        recusals.setdefault(conflict.proposal_id, []).append(review_contexts.Recusal(
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
    return review_contexts.panel_sheet_context(
        call=call, results=results, criteria=list(Criterion.objects.filter(call=call).order_by("order", "pk")),
        recusals=_recusals(proposal_ids=proposal_ids),
        language=language, as_of=panel_inputs_as_of(call=call),
        issuer=localized(fund, "name", language) if fund else "pocflow",
        verify_url=absolute_url(reverse("decisions:verify")),
    )


def issue_panel_sheet(*, call: Call, language: str, issued_by) -> Document:
    """The call's panel score sheet (专家组汇总表) in `language`, for staff and the panel chair.

    Regenerating with unchanged inputs returns the stored document; a new one is audited."""
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
