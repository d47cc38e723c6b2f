"""Reads for the public notice pages, shaped so each page runs a fixed number of queries."""

from django.db.models import Count, Prefetch, Q

from funding.enums import FundingOutcome
from proposals.enums import ProposalStatus
from proposals.models import Call
from reviews.models import NoticeEntry, PublicNotice


def public_notices():
    """Every notice, open ones first (newest first within each group), with its call and entry count."""
    return (
        PublicNotice.objects.select_related("call")
        .annotate(entry_count=Count("entries", filter=Q(entries__withdrawn_at__isnull=True)))
        .order_by("-status", "-starts_at", "-pk")  # "open" sorts after "closed": descending puts it first
    )


def notice_entries(*, notice):
    """The notice's list as the public reads it, with the approved amount when a funding decision exists."""
    from funding.models import FundingDecision

    return (
        notice.entries.select_related("proposal", "proposal__applicant", "proposal__applicant__organisation")
        .prefetch_related(Prefetch(
            "proposal__funding_decisions",
            queryset=FundingDecision.objects.filter(outcome=FundingOutcome.APPROVED).order_by("-decided_at", "-pk"),
            to_attr="approvals",
        ))
        .order_by("position", "pk")
    )


def notice_objections(*, notice):
    return notice.objections.select_related("entry__proposal", "resolved_by").order_by("lodged_at", "pk")


def live_entry_proposals():
    """Ids of proposals that are on a notice's list right now (an entry not taken off)."""
    return NoticeEntry.objects.filter(withdrawn_at__isnull=True).values("proposal_id")


def calls_awaiting_notice() -> list:
    """Calls with approved proposals that are on no live notice entry; each with `waiting` (how many)."""
    from proposals.models import Proposal

    waiting = (
        Proposal.objects.filter(status=ProposalStatus.APPROVED).exclude(pk__in=live_entry_proposals())
        .values("call_id").annotate(n=Count("pk")).order_by()
    )
    counts = {row["call_id"]: row["n"] for row in waiting}
    calls = list(Call.objects.filter(pk__in=counts).order_by("-opens_at", "pk")) if counts else []
    for call in calls:
        call.waiting = counts[call.pk]
    return calls
