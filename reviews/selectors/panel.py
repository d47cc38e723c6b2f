"""Reads for the panel chair's pages and the roadshow (路演) pages, shaped for their templates."""

from django.db.models import Count, Q

from proposals.enums import DECIDED_STATES, ProposalStatus
from proposals.models import Call, Proposal
from reviews.models import PanelRecommendation, RoadshowCriterion, RoadshowJudge, RoadshowSheet, RoadshowSlot

# panel chair ---------------------------------------------------------------------------------

def calls_for_panel():
    """Calls with proposals in expert review or later, each with how many are in review, at the panel and decided."""
    return (
        Call.objects.annotate(
            in_review=Count("proposals", filter=Q(proposals__status=ProposalStatus.IN_REVIEW)),
            in_panel=Count("proposals", filter=Q(proposals__status=ProposalStatus.PANEL)),
            decided=Count("proposals", filter=Q(proposals__status__in=list(DECIDED_STATES))),
        )
        .filter(Q(in_review__gt=0) | Q(in_panel__gt=0) | Q(decided__gt=0))
        .order_by("-opens_at", "pk")
    )


def proposals_for_panel():
    return Proposal.objects.select_related("call", "applicant")


def recommendations_of(*, proposal):
    return PanelRecommendation.objects.filter(proposal=proposal).select_related("chair")


# roadshow: staff -----------------------------------------------------------------------------

def roadshow_slots(*, call) -> list:
    """The call's slots in time order, each with how many score sheets exist and how many are submitted."""
    return list(
        RoadshowSlot.objects.filter(call=call).select_related("proposal")
        .annotate(sheets_total=Count("sheets"), sheets_submitted=Count("sheets", filter=Q(sheets__submitted_at__isnull=False)))
        .order_by("starts_at", "pk")
    )


def roadshow_criteria(*, call):
    return RoadshowCriterion.objects.filter(call_id=call.pk).order_by("order", "pk")


def roadshow_judges(*, call):
    return RoadshowJudge.objects.filter(call=call).select_related("user").order_by("kind", "user__full_name", "pk")


def criteria_with_call():
    return RoadshowCriterion.objects.select_related("call")


def judges_with_call():
    return RoadshowJudge.objects.select_related("call", "user")


def slots_with_call():
    return RoadshowSlot.objects.select_related("call", "proposal")


# roadshow: judges ----------------------------------------------------------------------------

def judge_slots(*, user) -> list | None:
    """A judge's roadshow slots with their own sheet (or None), as (slot, sheet) rows in time order;
    never a slot of a proposal they are conflicted with or applied for. None when the user judges no roadshow."""
    call_ids = list(RoadshowJudge.objects.filter(user_id=user.pk).values_list("call_id", flat=True))
    if not call_ids:
        return None
    slots = list(
        RoadshowSlot.objects.filter(call_id__in=call_ids, call__roadshow_enabled=True)
        .exclude(proposal__conflicts__expert_id=user.pk).exclude(proposal__applicant_id=user.pk)
        .select_related("proposal", "call").order_by("starts_at", "pk")
    )
    sheets = {s.slot_id: s for s in RoadshowSheet.objects.filter(judge_id=user.pk, slot__in=[s.pk for s in slots])}
    return [(slot, sheets.get(slot.pk)) for slot in slots]


def own_sheet(*, slot, judge):
    """The judge's score sheet for the slot, with its scores, or None."""
    return RoadshowSheet.objects.filter(slot=slot, judge=judge).prefetch_related("scores").first()
