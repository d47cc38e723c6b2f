"""What funding adds to the public notice (公示) pages of reviews: each listed proposal's approved
funding decisions, newest first, as `proposal.approvals`. Registered from FundingConfig.ready()."""

from django.db.models import Prefetch

from funding.enums import FundingOutcome
from funding.models import FundingDecision


def approved_decisions_prefetch() -> Prefetch:
    return Prefetch(
        "proposal__funding_decisions",
        queryset=FundingDecision.objects.filter(outcome=FundingOutcome.APPROVED).order_by("-decided_at", "-pk"),
        to_attr="approvals",
    )
