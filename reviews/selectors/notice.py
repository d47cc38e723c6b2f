"""Reads for the public notice pages, shaped so each page runs a fixed number of queries.

What a higher app knows about a listed proposal (funding: the approved amount) reaches the notice
through `register_entry_prefetch`, called from that app's AppConfig.ready(); reviews imports none of it."""

from collections.abc import Callable

from django.db.models import Count, Prefetch, Q

from proposals.enums import ProposalStatus
from proposals.models import Call, Proposal
from reviews.enums import ObjectionStatus
from reviews.models import NoticeEntry, Objection, PublicNotice

_entry_prefetches: list[Callable[[], Prefetch]] = []


def register_entry_prefetch(provider: Callable[[], Prefetch]) -> None:
    """Add a prefetch (built by `provider()` on each read) to every notice entry list, e.g. funding's
    approved decisions on `proposal__funding_decisions`. Registering the same provider twice is a no-op."""
    if provider not in _entry_prefetches:
        _entry_prefetches.append(provider)


def public_notices():
    """Every notice, open ones first (newest first within each group), with its call and entry count."""
    return (
        PublicNotice.objects.select_related("call")
        .annotate(entry_count=Count("entries", filter=Q(entries__withdrawn_at__isnull=True)))
        .order_by("-status", "-starts_at", "-pk")  # "open" sorts after "closed": descending puts it first
    )


def notice_entries(*, notice):
    """The notice's list as the public reads it, with what the registered providers prefetch (the
    approved amount, as `proposal.approvals`, when the funding app is installed)."""
    return (
        notice.entries.select_related("proposal", "proposal__applicant", "proposal__applicant__organisation")
        .prefetch_related(*(provider() for provider in _entry_prefetches))
        .order_by("position", "pk")
    )


COUNTED = (ObjectionStatus.OPEN, ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED)


def notice_objections(*, notice):
    """The objections staff handle: confirmed ones (open, then resolved). Pending and expired ones are
    only counted (`objection_counts`): their text and address were never confirmed by anyone."""
    return (notice.objections.filter(status__in=COUNTED).select_related("entry__proposal", "resolved_by")
            .order_by("lodged_at", "pk"))


def objection_counts(*, notice) -> dict:
    """How many objections of the notice await their sender's confirmation and how many expired unconfirmed."""
    return notice.objections.aggregate(
        pending=Count("pk", filter=Q(status=ObjectionStatus.PENDING)),
        expired=Count("pk", filter=Q(status=ObjectionStatus.EXPIRED)),
    )


def live_entry_proposals():
    """Ids of proposals that are on a notice's list right now (an entry not taken off)."""
    return NoticeEntry.objects.filter(withdrawn_at__isnull=True).values("proposal_id")


def calls_awaiting_notice() -> list:
    """Calls with approved proposals that are on no live notice entry; each with `waiting` (how many)."""
    waiting = (
        Proposal.objects.filter(status=ProposalStatus.APPROVED).exclude(pk__in=live_entry_proposals())
        .values("call_id").annotate(n=Count("pk")).order_by()
    )
    counts = {row["call_id"]: row["n"] for row in waiting}
    calls = list(Call.objects.filter(pk__in=counts).order_by("-opens_at", "pk")) if counts else []
    for call in calls:
        call.waiting = counts[call.pk]
    return calls


def notices_with_call():
    return PublicNotice.objects.select_related("call")


def objections_for_resolving():
    """Objections with their notice, call and entry's proposal, as resolving one needs them."""
    return Objection.objects.select_related("notice", "notice__call", "entry__proposal")
