"""The printable application (申报书): the call, the applicant, every answer of the call's form in order with
the attachments' SHA-256, and the institution's endorsement page (单位推荐意见, a place for its seal), in the
proposal's language. Rendered on request, never stored: a draft keeps changing."""

from django.utils import timezone
from django.utils.translation import override

from core.i18n import localized
from decisions.pdf import render_pdf
from decisions.services.letters import center_identity
from proposals.models import Proposal

TEMPLATE = "decisions/application.html"


def application_context(*, proposal: Proposal, language: str) -> dict:
    answers = list(proposal.answers.select_related("question").order_by("question__order", "pk"))
    return {
        "center": center_identity(language),
        "proposal": proposal,
        "call_title": localized(proposal.call, "title", language),
        "applicant": proposal.applicant.display_name,
        "answers": [{"label": a.question.label, "text": a.display, "file": a.file_name,
                     "sha256": a.file_sha256, "size": a.file_size} for a in answers if a.file or a.display],
        "printed_at": timezone.localtime(timezone.now()),
    }


def render_application(*, proposal: Proposal) -> bytes:
    language = proposal.language
    with override(language):
        context = application_context(proposal=proposal, language=language)
    return render_pdf(template_name=TEMPLATE, context=context, language=language)
