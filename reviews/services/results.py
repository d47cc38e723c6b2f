"""Per-call review results: aggregation, calibration, flags and ranking.

CONTRACT (shared by the panel pages, the PDF documents and the benchmark). Every figure is a
Decimal rounded half-up to two decimals and reproducible from the stored scores plus
`METHODS` (names and versions). Reviews whose expert has a Conflict on the proposal are
excluded; N/A scores are missing data (weights renormalised over the answered criteria).

    call_results(call, *, proposals=None) -> CallResults
    proposal_results(proposal) -> ProposalResult          # the same figures for one proposal

The formulas, the calibration and the tie-break rules are documented in
`reviews.services.aggregation`. The figures are always computed over the whole call (offsets
and ranks are call-wide); `proposals` only narrows which results are returned.

Layers: `load_call_inputs` reads the database in a constant number of queries and returns plain
tuples; `compute_results` is a pure function over those tuples (the benchmark times it alone).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

from proposals.enums import DECIDED_STATES, ProposalStatus
from proposals.models import Proposal
from reviews.enums import Confidence, ExpertType, PanelOutcome, Recommendation, ReviewStatus
from reviews.models import (
    Conflict,
    Criterion,
    PanelRecommendation,
    RankingAdjustment,
    Review,
    RoadshowCriterion,
    RoadshowScore,
    RoadshowSheet,
    Score,
)
from reviews.services import aggregation
from reviews.services.aggregation import q2

METHODS: dict[str, str] = aggregation.METHODS


@dataclass
class ReviewFigures:
    review_id: int
    expert_id: int
    expert_name: str
    expert_type: str  # reviews.enums.ExpertType value, "" when the expert has no profile
    weighted_total: Decimal | None  # 0–100
    calibrated_total: Decimal | None  # weighted_total minus the expert's offset, clamped to 0–100
    criterion_scores: dict[int, Decimal | None]  # criterion id -> value (None = N/A or missing)
    recommendation: str
    confidence: str
    veto: bool
    veto_reason: str
    # added by D
    offset: Decimal | None = None  # the expert's leniency offset in this call
    opinion: str = ""  # to the applicant
    panel_note: str = ""  # confidential to the panel: never show it to applicants or roadshow judges
    submitted_at: dt.datetime | None = None

    @property
    def score_values(self) -> list:
        """The criterion values in the rubric's order (None = N/A or missing)."""
        return list(self.criterion_scores.values())

    @property
    def expert_type_label(self) -> str:
        return str(ExpertType(self.expert_type).label) if self.expert_type in ExpertType.values else ""

    @property
    def recommendation_label(self) -> str:
        return str(Recommendation(self.recommendation).label) if self.recommendation in Recommendation.values else ""

    @property
    def confidence_label(self) -> str:
        return str(Confidence(self.confidence).label) if self.confidence in Confidence.values else ""


@dataclass
class CriterionFigures:
    criterion_id: int
    name: str
    mean: Decimal | None
    pass_mark: Decimal | None
    passes: int  # experts at or above the pass mark
    answered: int  # experts who scored it (N/A excluded)
    passed: bool | None  # majority of answered experts pass; None when there is no pass mark
    # added by D
    max_score: Decimal | None = None
    weight: Decimal | None = None


@dataclass
class ChairRecommendation:
    """The panel chair's latest recommendation on a proposal (PanelRecommendation)."""

    recommendation: str  # reviews.enums.PanelOutcome value
    label: str
    rationale: str
    conditions: str
    chair_name: str
    created_at: dt.datetime | None


@dataclass
class ProposalResult:
    proposal_id: int
    reference: str
    title: str
    reviews: list[ReviewFigures]
    mean: Decimal | None
    trimmed_mean: Decimal | None
    trimmed: bool  # five or more reviews: highest and lowest dropped
    median: Decimal | None
    calibrated: Decimal | None
    criteria: list[CriterionFigures]
    all_criteria_passed: bool | None
    veto: bool
    spread: Decimal | None  # highest minus lowest weighted total
    group_means: dict[str, Decimal]  # expert type -> mean weighted total
    disagreement: bool
    disagreement_reasons: list[str]  # translated, human-readable
    roadshow: Decimal | None  # mean roadshow score 0–100, None without a roadshow
    expert_score: Decimal | None  # the call's ranking basis (mean / trimmed / median / calibrated)
    final_score: Decimal | None  # expert_score combined with the roadshow by the call's weight
    rank: int | None  # 1-based, after the chair's adjustments
    computed_rank: int | None  # 1-based, by the documented tie-break rules only
    # added by D
    status: str = ""
    submitted_at: dt.datetime | None = None
    criteria_passed: int = 0  # criteria whose verdict is "passed"
    review_count: int = 0  # included reviews with a weighted total
    roadshow_sheets: int = 0
    chair_recommendation: ChairRecommendation | None = None
    complete: bool = True  # at least the call's experts per proposal finished their review

    @property
    def group_means_labelled(self) -> list[tuple[str, Decimal]]:
        return [(str(ExpertType(k).label) if k in ExpertType.values else k, v) for k, v in self.group_means.items()]

    @property
    def moved(self) -> bool:
        """The chair's order differs from the computed rank."""
        return self.rank is not None and self.rank != self.computed_rank


@dataclass
class CallResults:
    call_id: int
    methods: dict[str, str]
    ranking_basis: str
    expert_offsets: dict[int, Decimal]  # expert id -> leniency offset (positive = lenient)
    proposals: list[ProposalResult] = field(default_factory=list)  # in rank order
    tie_break_rules: list[str] = field(default_factory=list)  # translated, in order of application
    # added by D
    criteria: list[CriterionRow] = field(default_factory=list)  # the call's rubric, in order
    roadshow_enabled: bool = False
    roadshow_weight: Decimal = Decimal("0")
    adjusted: bool = False  # the chair has reordered the ranked list
    order: list[int] = field(default_factory=list)  # every ranked proposal id, in rank order (call-wide)


# ---------------------------------------------------------------------------------------------
# Plain inputs of the pure computation


class CriterionRow(NamedTuple):
    criterion_id: int
    name: str
    weight: Decimal
    max_score: Decimal
    pass_mark: Decimal | None


class ProposalRow(NamedTuple):
    proposal_id: int
    reference: str
    title: str
    status: str = ""
    submitted_at: dt.datetime | None = None


class ReviewRow(NamedTuple):
    review_id: int
    proposal_id: int
    expert_id: int
    expert_name: str
    expert_type: str
    scores: dict  # criterion id -> Decimal value, None = N/A (missing criteria count as N/A)
    veto: bool = False
    veto_reason: str = ""
    recommendation: str = ""
    confidence: str = ""
    opinion: str = ""
    panel_note: str = ""
    submitted_at: dt.datetime | None = None


class CallSettings(NamedTuple):
    ranking_basis: str = "trimmed_mean"
    disagreement_threshold: Decimal = Decimal("20")
    group_divergence_threshold: Decimal = Decimal("15")
    roadshow_enabled: bool = False
    roadshow_weight: Decimal = Decimal("0")
    required_reviews: int = 0  # fewer included reviews than this: the proposal is incomplete, ranked apart


def tie_break_rules() -> list[str]:
    """rank-1, translated, in order of application."""
    return [
        _("Proposals with all their required reviews before incomplete ones"),
        _("Higher final score (proposals without a score last)"),
        _("No veto before veto"),
        _("More criteria passed"),
        _("Higher median"),
        _("Smaller spread between the highest and the lowest review"),
        _("More reviews"),
        _("Earlier submission"),
        _("Reference"),
    ]


_FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


def _rank_key(r: ProposalResult):
    def desc(value):
        return (value is None, -(value or 0))

    def asc(value):
        return (value is None, value or 0)

    return (
        not r.complete,
        desc(r.final_score),
        r.veto,
        -r.criteria_passed,
        desc(r.median),
        asc(r.spread),
        -r.review_count,
        r.submitted_at or _FAR_FUTURE,
        r.reference or "",
        r.proposal_id,
    )


def apply_chair_order(computed: list[int], chair_order: list[int] | None) -> list[int]:
    """The chair's saved order first (ids still ranked), then the rest in computed order."""
    if not chair_order:
        return list(computed)
    return _chair_first(computed, chair_order)


def disagreement_reasons(*, spread, group_means, disagreement_threshold, group_divergence_threshold) -> list[str]:
    """The translated reasons a proposal is flagged (in the reader's language: the snapshot keeps the figures)."""
    reasons = []
    if spread is not None and spread > disagreement_threshold:
        reasons.append(_("The reviews differ by %(spread)s points (more than %(threshold)s).") % {
            "spread": spread, "threshold": q2(disagreement_threshold)})
    investors, academics = group_means.get("investor"), group_means.get("academic")
    if investors is not None and academics is not None:
        gap = abs(investors - academics)
        if gap > group_divergence_threshold:
            reasons.append(_(
                "Investors (%(investors)s) and academics (%(academics)s) differ by %(gap)s points "
                "(more than %(threshold)s)."
            ) % {"investors": investors, "academics": academics, "gap": gap,
                 "threshold": q2(group_divergence_threshold)})
    return reasons


def _chair_first(computed: list[int], chair_order: list[int]) -> list[int]:
    ranked = set(computed)
    head, seen = [], set()
    for pid in chair_order:
        if pid in ranked and pid not in seen:
            head.append(pid)
            seen.add(pid)
    return head + [pid for pid in computed if pid not in seen]


def compute_results(
    *,
    call_id: int,
    settings: CallSettings,
    criteria: list[CriterionRow],
    proposals: list[ProposalRow],
    reviews: list[ReviewRow],
    roadshow_totals: dict[int, list[Decimal]] | None = None,
    chair_order: list[int] | None = None,
    chair_recommendations: dict[int, ChairRecommendation] | None = None,
) -> CallResults:
    """Aggregate, calibrate, flag and rank: pure, deterministic, no database access.

    `reviews` must already be the included reviews (submitted, not recused). Proposals without
    a review with a weighted total are left out of the results.
    """
    roadshow_totals = roadshow_totals or {}
    chair_recommendations = chair_recommendations or {}
    crit_items = [(c.criterion_id, c.max_score, c.weight) for c in criteria]

    # Weighted totals (wt-1)
    by_proposal: dict[int, list[tuple[ReviewRow, Decimal | None]]] = {}
    observations = []
    for rv in reviews:
        scores = rv.scores
        total = aggregation.weighted_total([(scores.get(cid), m, w) for cid, m, w in crit_items])
        by_proposal.setdefault(rv.proposal_id, []).append((rv, total))
        if total is not None:
            observations.append((rv.review_id, rv.proposal_id, rv.expert_id, total))

    # Calibration (offset-als-1) over the whole call
    offsets = aggregation.leniency_offsets(observations)

    pass_criteria = [c for c in criteria if c.pass_mark is not None]
    basis = settings.ranking_basis
    results: list[ProposalResult] = []
    for prop in proposals:
        rows = by_proposal.get(prop.proposal_id)
        if not rows:
            continue
        rows.sort(key=lambda item: (item[0].submitted_at or _FAR_FUTURE, item[0].review_id))
        totals = [t for _rv, t in rows if t is not None]
        if not totals:
            continue
        review_figures = []
        calibrated_totals = []
        groups: dict[str, list[Decimal]] = {}
        for rv, total in rows:
            offset = offsets.get(rv.expert_id) if total is not None else None
            calibrated = aggregation.clamp_score(total - offset) if total is not None else None
            if calibrated is not None:
                calibrated_totals.append(calibrated)
            if total is not None and rv.expert_type:
                groups.setdefault(rv.expert_type, []).append(total)
            review_figures.append(ReviewFigures(
                review_id=rv.review_id, expert_id=rv.expert_id, expert_name=rv.expert_name,
                expert_type=rv.expert_type, weighted_total=total, calibrated_total=calibrated,
                criterion_scores={c.criterion_id: rv.scores.get(c.criterion_id) for c in criteria},
                recommendation=rv.recommendation, confidence=rv.confidence, veto=bool(rv.veto),
                veto_reason=rv.veto_reason, offset=offset, opinion=rv.opinion, panel_note=rv.panel_note,
                submitted_at=rv.submitted_at,
            ))

        criterion_figures = []
        for c in criteria:
            values = [rv.scores.get(c.criterion_id) for rv, _t in rows]
            answered = [v for v in values if v is not None]
            passes = sum(1 for v in answered if v >= c.pass_mark) if c.pass_mark is not None else 0
            passed = None
            if c.pass_mark is not None and answered:
                passed = passes * 2 > len(answered)
            criterion_figures.append(CriterionFigures(
                criterion_id=c.criterion_id, name=c.name, mean=aggregation.mean(answered), pass_mark=c.pass_mark,
                passes=passes, answered=len(answered), passed=passed, max_score=c.max_score, weight=c.weight,
            ))
        verdicts = [cf.passed for cf in criterion_figures if cf.pass_mark is not None and cf.passed is not None]
        all_passed = None if not pass_criteria or not verdicts else all(verdicts)

        mean = aggregation.mean(totals)
        trimmed_mean = aggregation.trimmed_mean(totals)
        median = aggregation.median(totals)
        spread = aggregation.spread(totals)
        calibrated_score = aggregation.mean(calibrated_totals)
        group_means = {k: aggregation.mean(v) for k, v in sorted(groups.items())}

        reasons = disagreement_reasons(
            spread=spread, group_means=group_means, disagreement_threshold=settings.disagreement_threshold,
            group_divergence_threshold=settings.group_divergence_threshold)

        expert_score = {
            "mean": mean, "trimmed_mean": trimmed_mean, "median": median, "calibrated": calibrated_score,
        }.get(basis, trimmed_mean)
        sheets = roadshow_totals.get(prop.proposal_id) or []
        roadshow = aggregation.mean(sheets) if settings.roadshow_enabled else None
        final = (aggregation.combine_roadshow(expert_score, roadshow, settings.roadshow_weight)
                 if settings.roadshow_enabled else expert_score)

        results.append(ProposalResult(
            proposal_id=prop.proposal_id, reference=prop.reference or "", title=prop.title,
            reviews=review_figures, mean=mean, trimmed_mean=trimmed_mean,
            trimmed=len(totals) >= aggregation.TRIM_FROM, median=median, calibrated=calibrated_score,
            criteria=criterion_figures, all_criteria_passed=all_passed, veto=any(f.veto for f in review_figures),
            spread=spread, group_means=group_means, disagreement=bool(reasons), disagreement_reasons=reasons,
            roadshow=roadshow, expert_score=expert_score, final_score=final, rank=None, computed_rank=None,
            status=prop.status, submitted_at=prop.submitted_at,
            criteria_passed=sum(1 for v in verdicts if v), review_count=len(totals),
            roadshow_sheets=len(sheets) if settings.roadshow_enabled else 0,
            chair_recommendation=chair_recommendations.get(prop.proposal_id),
            complete=len(totals) >= settings.required_reviews,
        ))

    # Ranking (rank-1), then the chair's order
    results.sort(key=_rank_key)
    for i, r in enumerate(results, start=1):
        r.computed_rank = i
    by_id = {r.proposal_id: r for r in results}
    # the chair's order, with incomplete proposals kept after the complete ones (never interleaved)
    order = apply_chair_order([r.proposal_id for r in results], chair_order)
    order = [pid for pid in order if by_id[pid].complete] + [pid for pid in order if not by_id[pid].complete]
    for i, pid in enumerate(order, start=1):
        by_id[pid].rank = i
    return CallResults(
        call_id=call_id, methods=dict(METHODS), ranking_basis=basis, expert_offsets=offsets,
        proposals=[by_id[pid] for pid in order], tie_break_rules=tie_break_rules(), criteria=list(criteria),
        roadshow_enabled=settings.roadshow_enabled, roadshow_weight=settings.roadshow_weight,
        adjusted=bool(chair_order), order=order,
    )


# ---------------------------------------------------------------------------------------------
# Database layer


def _display_name(full_name, first_name, last_name, username):
    return full_name or f"{first_name} {last_name}".strip() or username


def result_states():
    return {ProposalStatus.IN_REVIEW, ProposalStatus.PANEL, *DECIDED_STATES}


def load_call_inputs(call) -> dict:
    """Read everything `compute_results` needs for a call, in a constant number of queries.

    Reviews: submitted only, and never one whose expert has a Conflict on the proposal.
    Roadshow: submitted sheets only, never one whose judge has a Conflict on the proposal.
    """
    settings = CallSettings(
        ranking_basis=str(call.ranking_basis), disagreement_threshold=call.disagreement_threshold,
        group_divergence_threshold=call.group_divergence_threshold, roadshow_enabled=call.roadshow_enabled,
        roadshow_weight=call.roadshow_weight, required_reviews=call.experts_per_proposal,
    )
    criteria = [
        CriterionRow(c.pk, c.name, c.weight, c.max_score, c.pass_mark)
        for c in Criterion.objects.filter(call=call).order_by("order", "pk")
    ]
    proposals = [
        ProposalRow(*row) for row in Proposal.objects.filter(call=call, status__in=result_states())
        .order_by("pk").values_list("pk", "reference", "title", "status", "submitted_at")
    ]
    proposal_ids = {p.proposal_id for p in proposals}
    conflicts = set(
        Conflict.objects.filter(proposal__call=call).values_list("proposal_id", "expert_id")
    )
    review_values = list(
        Review.objects.filter(proposal__call=call, status=ReviewStatus.SUBMITTED)
        .order_by("pk")
        .values_list(
            "pk", "proposal_id", "expert_id", "expert__full_name", "expert__first_name", "expert__last_name",
            "expert__username", "expert__expert_profile__expert_type", "veto", "veto_reason", "recommendation",
            "confidence", "opinion", "panel_note", "submitted_at",
        )
    )
    scores: dict[int, dict] = {}
    for review_id, criterion_id, value in (
        Score.objects.filter(review__proposal__call=call, review__status=ReviewStatus.SUBMITTED)
        .order_by("pk").values_list("review_id", "criterion_id", "value")
    ):
        scores.setdefault(review_id, {})[criterion_id] = value
    reviews = []
    for (pk, pid, eid, full, first, last, username, etype, veto, veto_reason, rec, conf, opinion, note,
         submitted_at) in review_values:
        if pid not in proposal_ids or (pid, eid) in conflicts:
            continue
        reviews.append(ReviewRow(
            review_id=pk, proposal_id=pid, expert_id=eid, expert_name=_display_name(full, first, last, username),
            expert_type=etype or "", scores=scores.get(pk, {}), veto=veto, veto_reason=veto_reason,
            recommendation=rec, confidence=conf, opinion=opinion, panel_note=note, submitted_at=submitted_at,
        ))

    roadshow_totals: dict[int, list[Decimal]] = {}
    if call.roadshow_enabled:
        rs_criteria = list(RoadshowCriterion.objects.filter(call=call).order_by("order", "pk")
                           .values_list("pk", "max_score", "weight"))
        sheet_rows = list(
            RoadshowSheet.objects.filter(slot__call=call, submitted_at__isnull=False)
            .order_by("pk").values_list("pk", "slot__proposal_id", "judge_id")
        )
        sheet_scores: dict[int, dict] = {}
        for sheet_id, criterion_id, value in (
            RoadshowScore.objects.filter(sheet__slot__call=call, sheet__submitted_at__isnull=False)
            .order_by("pk").values_list("sheet_id", "criterion_id", "value")
        ):
            sheet_scores.setdefault(sheet_id, {})[criterion_id] = value
        for sheet_id, pid, judge_id in sheet_rows:
            if (pid, judge_id) in conflicts:
                continue
            values = sheet_scores.get(sheet_id, {})
            total = aggregation.weighted_total([(values.get(cid), m, w) for cid, m, w in rs_criteria])
            if total is not None:
                roadshow_totals.setdefault(pid, []).append(total)

    latest = RankingAdjustment.objects.filter(call=call).order_by("-created_at", "-pk").values_list("order", flat=True).first()
    chair_order = [int(x) for x in latest] if latest else None

    recommendations = {}
    for pid, value, rationale, conditions, full, first, last, username, created_at in (
        PanelRecommendation.objects.filter(proposal__call=call).order_by("created_at", "pk").values_list(
            "proposal_id", "recommendation", "rationale", "conditions", "chair__full_name", "chair__first_name",
            "chair__last_name", "chair__username", "created_at",
        )
    ):
        recommendations[pid] = ChairRecommendation(
            recommendation=value, label=str(PanelOutcome(value).label) if value in PanelOutcome.values else value,
            rationale=rationale, conditions=conditions, chair_name=_display_name(full, first, last, username),
            created_at=created_at,
        )
    return {
        "call_id": call.pk, "settings": settings, "criteria": criteria, "proposals": proposals, "reviews": reviews,
        "roadshow_totals": roadshow_totals, "chair_order": chair_order, "chair_recommendations": recommendations,
    }


def call_results(call, *, proposals=None) -> CallResults:
    """The call's results (figures, flags, ranks are call-wide); `proposals` narrows the list returned."""
    results = compute_results(**load_call_inputs(call))
    if proposals is not None:
        wanted = {p if isinstance(p, int) else p.pk for p in proposals}
        results.proposals = [r for r in results.proposals if r.proposal_id in wanted]
    return results


def empty_result(proposal) -> ProposalResult:
    return ProposalResult(
        proposal_id=proposal.pk, reference=proposal.reference or "", title=proposal.title, reviews=[], mean=None,
        trimmed_mean=None, trimmed=False, median=None, calibrated=None, criteria=[], all_criteria_passed=None,
        veto=False, spread=None, group_means={}, disagreement=False, disagreement_reasons=[], roadshow=None,
        expert_score=None, final_score=None, rank=None, computed_rank=None, status=proposal.status,
        submitted_at=proposal.submitted_at,
    )


def proposal_results(proposal) -> ProposalResult:
    """The same figures as in `call_results` for one proposal (an empty result without reviews)."""
    results = call_results(proposal.call, proposals=[proposal])
    return results.proposals[0] if results.proposals else empty_result(proposal)
