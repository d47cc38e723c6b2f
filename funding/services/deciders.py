"""Who may decide on a proposal's funding (and record the facts its eligibility is checked on)."""

from django.utils.translation import gettext as _

from core.errors import NotPermitted
from proposals.rules import is_funder
from reviews.selectors.conflicts import is_conflicted


def check_may_decide(*, proposal, user) -> None:
    """Fund managers only; never the applicant, never someone with a conflict of interest."""
    if not is_funder(user):
        raise NotPermitted()
    if proposal.applicant_id == user.pk:
        raise NotPermitted(_("You are the applicant of this proposal and cannot decide on its funding."))
    if is_conflicted(user=user, proposal=proposal):
        raise NotPermitted(_("You have a conflict of interest on this proposal and cannot decide on its funding."))
