"""Reads for expert assignment: who may be assigned by hand, and the automatic-assignment pages."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.enums import Role
from accounts.models import User
from proposals.enums import ProposalStatus
from proposals.models import Call, Proposal
from reviews.enums import CandidateRole
from reviews.models import AssignmentCandidate, AssignmentRun, CompositionRule, Review

SHOWN_PER_ITEM = 5  # proposals named in one diagnostic sentence


def _count(qs, field="call"):
    return Coalesce(Subquery(qs.order_by().values(field).annotate(n=Count("pk")).values("n"), output_field=IntegerField()), Value(0))


def calls_for_assignment():
    """Every call with the number of proposals waiting for experts and of assignment runs."""
    awaiting = Proposal.objects.filter(call=OuterRef("pk"), status=ProposalStatus.IN_REVIEW).exclude(
        Exists(Review.objects.filter(proposal=OuterRef("pk"))))
    return Call.objects.annotate(
        awaiting=_count(awaiting),
        in_review=_count(Proposal.objects.filter(call=OuterRef("pk"), status=ProposalStatus.IN_REVIEW)),
        runs=_count(AssignmentRun.objects.filter(call=OuterRef("pk"))),
    ).order_by("-opens_at", "pk")


def rules_of(*, call):
    return list(CompositionRule.objects.filter(call=call).order_by("expert_type"))


def runs_of(*, call, limit=20):
    return list(AssignmentRun.objects.filter(call=call).select_related("requested_by", "applied_by")
                .order_by("-created_at", "-pk")[:limit])


def run_detail(pk):
    return AssignmentRun.objects.select_related("call", "requested_by", "applied_by").get(pk=pk)


def plan_rows(*, run, proposal_ids):
    """Per proposal (in the given order): the proposal, its planned experts (kept first) and its alternates."""
    proposals = Proposal.objects.in_bulk(proposal_ids)
    rows = {pk: {"proposal": proposals[pk], "members": [], "alternates": []} for pk in proposal_ids if pk in proposals}
    candidates = (
        AssignmentCandidate.objects.filter(run=run, proposal_id__in=list(rows))
        .select_related("expert", "expert__expert_profile")
        .order_by("proposal_id", "rank", "pk")
    )
    for c in candidates:
        key = "alternates" if c.role == CandidateRole.ALTERNATE else "members"
        rows[c.proposal_id][key].append(c)
    return [rows[pk] for pk in proposal_ids if pk in rows]


def proposal_labels(items) -> dict[int, str]:
    """Names of the proposals the diagnostics mention (the first few of each item), in one query."""
    wanted = set()
    for item in items:
        wanted.update(item.get("proposals", [])[:SHOWN_PER_ITEM])
    return {p.pk: str(p) for p in Proposal.objects.filter(pk__in=wanted).only("pk", "reference", "title")}


def eligible_experts(*, proposal):
    """Experts who may be assigned: expert role, no conflict, not already assigned or declined."""
    return (
        User.objects.filter(groups__name=Role.EXPERT, is_active=True)
        .exclude(conflicts__proposal=proposal)
        .exclude(reviews__proposal=proposal)
        .select_related("organisation")
        .order_by("full_name", "username")
        .distinct()
    )
