"""The review-summary card on the proposal page: the latest summary for whoever may download it."""

from django import template

from accounts.rules import is_staff
from decisions.selectors import latest_review_summary
from proposals.enums import ProposalStatus as S

register = template.Library()

# before the decision the applicant is told where the summary will appear
PENDING_STATES = frozenset({S.IN_REVIEW, S.PANEL})


@register.inclusion_tag("decisions/_review_summary_card.html", takes_context=True)
def review_summary_card(context, proposal):
    user = context["request"].user
    summary = latest_review_summary(proposal=proposal, released_only=not is_staff(user))
    if summary is not None and not user.has_perm("decisions.download_document", summary):
        summary = None
    return {
        "summary": summary,
        "pending": summary is None and proposal.applicant_id == user.pk and proposal.status in PENDING_STATES,
    }
