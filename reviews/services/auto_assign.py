"""Automatic expert assignment for a call: read the pool, solve, store the proposed plan.

`propose_assignment` writes an `AssignmentRun` and its `AssignmentCandidate` rows (assigned, kept and
ranked alternates); staff review the plan, then `workflows.assignment.apply_assignment_run` applies
it through the flow. `next_alternate` picks a replacement from the applied plan's alternates.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import numpy as np
from django.db import connections, router, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from core.errors import InvalidInput, NotPermitted
from proposals.enums import ProposalStatus
from proposals.models import Proposal
from proposals.services.audit import record_audit
from reviews.enums import (
    ACTIVE_REVIEW_STATES,
    OPEN_REVIEW_STATES,
    AssignmentRunStatus,
    AssignmentRunTransition,
    CandidateRole,
)
from reviews.models import (
    AssignmentCandidate,
    AssignmentRun,
    CompositionRule,
    Conflict,
    ExpertProfile,
    ExpertUnavailability,
    Review,
)
from reviews.rules import can_assign_experts
from reviews.services import solver
from reviews.services.affinity import affinity_matrix
from reviews.services.states import transition_assignment_run

METHOD = solver.METHOD
ALTERNATES = 5
MAX_EXPERTS_PER_PROPOSAL = 15  # the call's own limit
PLACES = 4  # AssignmentCandidate.affinity and AssignmentRun.total_affinity keep four decimals
assert solver.SCALE == 10**PLACES


# reads

def proposals_awaiting_experts(*, call):
    """The call's proposals in expert review that have no review yet: their "assign experts" step is open.

    A proposal with any review (even a declined one) has had its experts assigned; replacements
    go through the flow's replacement step instead.
    """
    return (
        Proposal.objects.filter(call=call, status=ProposalStatus.IN_REVIEW)
        .exclude(Exists(Review.objects.filter(proposal=OuterRef("pk"))))
        .order_by("pk")
    )


def _open_reviews():
    return (
        Review.objects.filter(expert=OuterRef("user_id"), status__in=OPEN_REVIEW_STATES)
        .order_by().values("expert").annotate(n=Count("pk")).values("n")
    )


def pool_profiles():
    """Active profiles of active users with the expert role, with `open_reviews` (assigned or draft, all calls)."""
    return (
        ExpertProfile.objects.filter(active=True, user__is_active=True, user__groups__name=Role.EXPERT)
        .annotate(open_reviews=Coalesce(Subquery(_open_reviews(), output_field=IntegerField()), Value(0)))
        .select_related("user")
        .order_by("pk")
    )


def review_window(call, today=None) -> tuple[dt.date, dt.date]:
    """The days a new review of this call would run: today to today + the call's review days."""
    today = today or timezone.localdate()
    return today, today + dt.timedelta(days=call.review_days)


def unavailable_profile_ids(*, call, today=None) -> set[int]:
    start, end = review_window(call, today)
    return set(
        ExpertUnavailability.objects.filter(starts_on__lte=end, ends_on__gte=start).values_list("profile_id", flat=True)
    )


def composition_rules(*, call) -> dict[str, tuple[int, int | None]]:
    return {r.expert_type: (r.min_count, r.max_count) for r in CompositionRule.objects.filter(call=call)}


def proposal_text(title, abstract, keywords) -> str:
    return " ".join([title or "", abstract or "", keywords or ""])


def proposal_affinities(*, proposal) -> dict[int, Decimal]:
    """The proposal's affinity with each available pool expert (user id → four-decimal Decimal), exactly
    as `propose_assignment` scores the pair: the same texts and the same TF-IDF corpus (the call's
    proposals awaiting experts, this one included, and the pool without unavailable experts), rounded
    as the solver counts it. Three queries whatever the size of the pool."""
    targets = list(proposals_awaiting_experts(call=proposal.call).values_list("pk", "title", "abstract", "keywords"))
    if proposal.pk not in {t[0] for t in targets}:
        targets.append((proposal.pk, proposal.title, proposal.abstract, proposal.keywords))
    row = next(i for i, t in enumerate(targets) if t[0] == proposal.pk)
    unavailable = unavailable_profile_ids(call=proposal.call)
    profiles = [p for p in pool_profiles() if p.pk not in unavailable]
    affinity = affinity_matrix(
        proposal_texts=[proposal_text(*t[1:]) for t in targets],
        expert_texts=[p.expertise_text for p in profiles],
    )
    values = solver.scaled(affinity[row]).tolist() if profiles else []
    return {p.user_id: _affinity(v) for p, v in zip(profiles, values)}


# writes

def _check_k(value) -> int:
    try:
        k = int(value)
    except (TypeError, ValueError):
        k = None
    if k is None or isinstance(value, bool) or not 1 <= k <= MAX_EXPERTS_PER_PROPOSAL:
        raise InvalidInput(
            _("Enter a whole number of experts per proposal between 1 and %(max)s.") % {"max": MAX_EXPERTS_PER_PROPOSAL}
        )
    return k


def propose_assignment(*, call, experts_per_proposal, requested_by) -> AssignmentRun:
    """Solve the call's assignment and store it as a run for staff to review (nothing is assigned yet)."""
    if not can_assign_experts(requested_by):
        raise NotPermitted()
    k = _check_k(experts_per_proposal)
    awaiting = proposals_awaiting_experts(call=call)
    targets = list(awaiting.values_list("pk", "title", "abstract", "keywords"))
    if not targets:
        raise InvalidInput(_("No proposal of this call is waiting for experts."))
    proposal_ids = [t[0] for t in targets]
    p_index = {pk: i for i, pk in enumerate(proposal_ids)}

    unavailable = unavailable_profile_ids(call=call)
    pool = list(pool_profiles())
    profiles = [p for p in pool if p.pk not in unavailable]
    expert_ids = [p.user_id for p in profiles]
    e_index = {pk: j for j, pk in enumerate(expert_ids)}
    capacity = np.array([p.max_load - p.open_reviews for p in profiles], dtype=np.int64)  # the solver floors at 0

    allowed = np.ones((len(targets), len(profiles)), dtype=bool)
    conflicts = Conflict.objects.filter(proposal__in=awaiting.values("pk")).order_by().values_list("proposal_id", "expert_id")
    # Reviews of the targets: none by definition of a target today. Any review blocks its pair (one
    # review per expert and proposal); active ones would be kept pairs, which count towards k, the
    # rules and the load in the solver.
    reviews = Review.objects.filter(proposal__in=awaiting.values("pk")).order_by().values_list("proposal_id", "expert_id", "status")
    blocked = [(p_index[p], e_index[e]) for p, e in conflicts if p in p_index and e in e_index]
    kept = []
    for p, e, review_status in reviews:
        if p not in p_index or e not in e_index:
            continue
        if review_status in ACTIVE_REVIEW_STATES:
            kept.append((p_index[p], e_index[e]))
            if review_status in OPEN_REVIEW_STATES:
                capacity[e_index[e]] += 1  # already in open_reviews; the solver counts kept pairs itself
        else:
            blocked.append((p_index[p], e_index[e]))
    if blocked:
        rows, cols = np.array(blocked).T
        allowed[rows, cols] = False

    rules = composition_rules(call=call)
    affinity = affinity_matrix(
        proposal_texts=[proposal_text(*t[1:]) for t in targets],
        expert_texts=[p.expertise_text for p in profiles],
    )
    problem = solver.AssignmentProblem(
        affinity=affinity, capacity=capacity, demand=k, expert_types=[p.expert_type for p in profiles],
        rules=rules, allowed=allowed, kept=kept, proposal_ids=proposal_ids, alternates=ALTERNATES,
    )
    solution = solver.solve(problem)
    plan_pairs = len(solution.pairs) + len(solution.kept)
    diagnostics = {
        "feasible": solution.feasible,
        "items": solution.diagnostics,
        "stats": {**solution.stats, "unavailable": len(pool) - len(profiles)},
        "k": k,
        "rules": {t: [lo, hi] for t, (lo, hi) in rules.items()},
        "proposals": proposal_ids,
        "mean_affinity": round(solution.total_scaled / plan_pairs / solver.SCALE, 4) if plan_pairs else None,
    }
    status = AssignmentRunStatus.PROPOSED if solution.feasible else AssignmentRunStatus.INFEASIBLE
    rows = _candidate_rows(solution, affinity, proposal_ids, expert_ids)
    with transaction.atomic():
        run = AssignmentRun.objects.create(
            call=call, experts_per_proposal=k, status=status, method=solution.method,
            total_affinity=_affinity(solution.total_scaled), solve_ms=int(round(solution.solve_seconds * 1000)),
            diagnostics=diagnostics, requested_by=requested_by,
        )
        _insert_candidates(run, rows)
        record_audit(action="assignment.proposed", proposal=None, actor=requested_by, data={
            "run": run.pk, "call": call.pk, "status": status, "k": k, "proposals": len(proposal_ids),
            "assigned": len(solution.pairs), "total_affinity": str(run.total_affinity), "method": run.method,
        })
    return run


def _affinity(scaled_value: int) -> Decimal:
    """Affinities are stored as the solver counts them: round(affinity·SCALE) / SCALE, four places,
    so a run's total affinity is exactly the sum of its stored candidates' affinities."""
    return Decimal(int(scaled_value)).scaleb(-PLACES)


def _candidate_rows(solution, affinity, proposal_ids, expert_ids) -> list[tuple]:
    """(proposal, expert, role, rank, affinity) rows: the plan ranked by affinity per proposal
    (kept and new together), then the ranked alternates. Affinities are scaled pair by pair (never the
    whole P×E matrix at once)."""
    roles = [CandidateRole.KEPT] * len(solution.kept) + [CandidateRole.ASSIGNED] * len(solution.pairs)
    pairs = np.concatenate([solution.kept.reshape(-1, 2), solution.pairs.reshape(-1, 2)])
    values = solver.scaled(affinity[pairs[:, 0], pairs[:, 1]]) if len(pairs) else np.zeros(0, dtype=np.int64)
    order = np.lexsort((pairs[:, 1], -values, pairs[:, 0]))
    rows, last, rank = [], None, 0
    for i in order.tolist():
        p, e = int(pairs[i, 0]), int(pairs[i, 1])
        rank = rank + 1 if p == last else 1
        last = p
        rows.append((proposal_ids[p], expert_ids[e], roles[i], rank, _affinity(values[i])))
    for p, experts in solution.alternates.items():
        scaled_values = solver.scaled(affinity[p, experts]).tolist() if experts else []
        for rank, (e, value) in enumerate(zip(experts, scaled_values), start=1):
            rows.append((proposal_ids[p], expert_ids[e], CandidateRole.ALTERNATE, rank, _affinity(value)))
    return rows


def _insert_candidates(run, rows):
    """One INSERT executed for many rows: a run of 2,000 proposals has 20,000+ candidates, and
    building that many model instances for bulk_create costs several times the solve."""
    meta = AssignmentCandidate._meta
    connection = connections[router.db_for_write(AssignmentCandidate)]
    quote = connection.ops.quote_name
    columns = [meta.get_field(name).column for name in ("run", "proposal", "expert", "role", "rank", "affinity")]
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(run.pk, *row) for row in rows])


def discard_run(*, run, actor) -> AssignmentRun:
    """Set a proposed (or infeasible) plan aside; nothing was assigned from it."""
    if not can_assign_experts(actor):
        raise NotPermitted()
    with transaction.atomic():
        run = AssignmentRun.objects.select_for_update().get(pk=run.pk)
        transition_assignment_run(run=run, transition=AssignmentRunTransition.DISCARD, actor=actor,
                                  illegal=_("Only a proposed or infeasible assignment can be discarded."))
    return run


# replacements

def open_load(*, expert_ids: Iterable[int]) -> dict[int, int]:
    """Open (assigned or draft) reviews per expert, across all calls."""
    return dict(
        Review.objects.filter(expert__in=list(expert_ids), status__in=OPEN_REVIEW_STATES)
        .order_by().values("expert").annotate(n=Count("pk")).values_list("expert", "n")
    )


def next_alternate(*, proposal, expert_type=None, exclude=()) -> User | None:
    """The best still-eligible alternate for `proposal` from the latest applied run, or None.

    Eligible: in the pool with the expert role, no conflict with the proposal, no review of it (of any
    status), spare load and no unavailable period in the review window. An alternate of `expert_type`
    (the type of the expert being replaced) is preferred over a better-ranked one of another type.
    """
    run = (
        AssignmentRun.objects.filter(call_id=proposal.call_id, status=AssignmentRunStatus.APPLIED,
                                     candidates__proposal=proposal)
        .order_by("-applied_at", "-pk").first()
    )
    if run is None:
        return None
    excluded = {getattr(x, "pk", x) for x in exclude}
    start, end = review_window(proposal.call)
    candidates = list(
        AssignmentCandidate.objects.filter(run=run, proposal=proposal, role=CandidateRole.ALTERNATE)
        .exclude(expert__in=excluded)
        .exclude(expert__in=Conflict.objects.filter(proposal=proposal).values("expert"))
        .exclude(expert__in=Review.objects.filter(proposal=proposal).values("expert"))
        .filter(expert__in=User.objects.filter(is_active=True, groups__name=Role.EXPERT).values("pk"),
                expert__expert_profile__active=True)
        .exclude(expert__expert_profile__in=ExpertUnavailability.objects.filter(
            starts_on__lte=end, ends_on__gte=start).values("profile"))
        .select_related("expert", "expert__expert_profile")
        .order_by("rank", "pk")
    )
    load = open_load(expert_ids=[c.expert_id for c in candidates])
    candidates = [c for c in candidates if load.get(c.expert_id, 0) < c.expert.expert_profile.max_load]
    if expert_type:
        for c in candidates:
            if c.expert.expert_profile.expert_type == expert_type:
                return c.expert
    return candidates[0].expert if candidates else None
