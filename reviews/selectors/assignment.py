"""Reads for expert assignment: who may be assigned by hand, and the automatic-assignment pages."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.enums import Role
from accounts.models import User
from proposals.enums import ProposalStatus
from proposals.models import Call, Proposal
from reviews.enums import OPEN_REVIEW_STATES, CandidateRole, ConflictSource
from reviews.models import AssignmentCandidate, AssignmentRun, CompositionRule, Conflict, ExpertProfile, Review
from reviews.services.auto_assign import proposal_affinities, unavailable_profile_ids

SHOWN_PER_ITEM = 5  # proposals named in one diagnostic sentence


def _count(qs, field="call"):
    return Coalesce(Subquery(qs.order_by().values(field).annotate(n=Count("pk")).values("n"), output_field=IntegerField()), Value(0))


def calls_for_assignment():
    """Every call (drafts aside: no proposal yet) with the number of proposals waiting for experts and of
    assignment runs."""
    awaiting = Proposal.objects.filter(call=OuterRef("pk"), status=ProposalStatus.IN_REVIEW).exclude(
        Exists(Review.objects.filter(proposal=OuterRef("pk"))))
    return Call.objects.filter(draft=False).annotate(
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


# the hand-assignment page: every expert of the pool, with what the officer weighs

LOAD_ROOM, LOAD_FULL = "room", "full"
SORT_AFFINITY, SORT_NAME, SORT_LOAD = "affinity", "name", "load"


@dataclass
class Candidate:
    """One expert as the assignment page shows them. `blocked` says why they cannot be chosen."""

    expert: User
    profile: ExpertProfile | None
    affinity: Decimal | None
    load: int
    cap: int | None
    conflict_source: str | None
    conflict_reason: str | None
    assigned: bool
    unavailable: bool

    @property
    def full(self) -> bool:
        return self.cap is not None and self.load >= self.cap

    @property
    def conflicted(self) -> bool:
        return self.conflict_source is not None

    @property
    def selectable(self) -> bool:
        return not (self.conflicted or self.assigned)

    @property
    def conflict_source_label(self) -> str:
        return ConflictSource(self.conflict_source).label if self.conflict_source else ""


def _open_reviews_of_user():
    return (Review.objects.filter(expert=OuterRef("pk"), status__in=OPEN_REVIEW_STATES)
            .order_by().values("expert").annotate(n=Count("pk")).values("n"))


def pool_for_proposal(*, proposal, expert_type=None, field=None, load=None):
    """Active users with the expert role, filtered by type, field (any language, fields or keywords) and
    load, each with `open_reviews`, this proposal's conflict (source, reason) and `assigned_here`."""
    conflict = Conflict.objects.filter(proposal=proposal, expert=OuterRef("pk"))
    qs = (
        User.objects.filter(groups__name=Role.EXPERT, is_active=True)
        .annotate(
            open_reviews=Coalesce(Subquery(_open_reviews_of_user(), output_field=IntegerField()), Value(0)),
            conflict_source=Subquery(conflict.values("source")[:1]),
            conflict_reason=Subquery(conflict.values("reason")[:1]),
            assigned_here=Exists(Review.objects.filter(proposal=proposal, expert=OuterRef("pk"))),
        )
        .select_related("organisation", "expert_profile")
        .order_by("full_name", "username")
        .distinct()
    )
    if expert_type:
        qs = qs.filter(expert_profile__expert_type=expert_type)
    if field:
        qs = qs.filter(Q(expert_profile__fields_zh__icontains=field) | Q(expert_profile__fields_en__icontains=field)
                       | Q(expert_profile__keywords_zh__icontains=field) | Q(expert_profile__keywords_en__icontains=field))
    if load == LOAD_ROOM:
        qs = qs.filter(expert_profile__max_load__gt=F("open_reviews"))
    elif load == LOAD_FULL:
        qs = qs.filter(expert_profile__max_load__lte=F("open_reviews"))
    return qs


def assignment_candidates(*, proposal, expert_type=None, field=None, load=None, sort=SORT_AFFINITY) -> list[Candidate]:
    """The pool as `Candidate`s with the affinity the automatic assignment uses
    (`auto_assign.proposal_affinities`); best affinity first by default. A constant number of queries."""
    affinities = proposal_affinities(proposal=proposal)
    unavailable = unavailable_profile_ids(call=proposal.call)
    rows = []
    for user in pool_for_proposal(proposal=proposal, expert_type=expert_type, field=field, load=load):
        profile = getattr(user, "expert_profile", None)
        rows.append(Candidate(
            expert=user, profile=profile, affinity=affinities.get(user.pk), load=user.open_reviews,
            cap=profile.max_load if profile else None, conflict_source=user.conflict_source,
            conflict_reason=user.conflict_reason, assigned=user.assigned_here,
            unavailable=bool(profile and profile.pk in unavailable),
        ))
    if sort == SORT_LOAD:
        rows.sort(key=lambda c: (c.load, -(c.affinity or 0)))
    elif sort == SORT_AFFINITY:
        rows.sort(key=lambda c: (not c.selectable, -(c.affinity if c.affinity is not None else -1)))
    return rows
