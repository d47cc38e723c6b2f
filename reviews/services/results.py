"""Per-call review results: aggregation, calibration, flags and ranking.

CONTRACT (shared by the panel pages, the PDF documents and the benchmark). Every figure is a
Decimal rounded half-up to two decimals and reproducible from the stored scores plus
`METHODS` (names and versions). Reviews whose expert has a Conflict on the proposal are
excluded; N/A scores are missing data (weights renormalised over the answered criteria).

    call_results(call, *, proposals=None) -> CallResults
    proposal_results(proposal) -> ProposalResult          # the same figures for one proposal
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

METHODS: dict[str, str] = {}  # e.g. {"weighted_total": "wt-1", "calibration": "offset-als-1", "ranking": "rank-1"}


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


@dataclass
class CriterionFigures:
    criterion_id: int
    name: str
    mean: Decimal | None
    pass_mark: Decimal | None
    passes: int  # experts at or above the pass mark
    answered: int  # experts who scored it (N/A excluded)
    passed: bool | None  # majority of answered experts pass; None when there is no pass mark


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


@dataclass
class CallResults:
    call_id: int
    methods: dict[str, str]
    ranking_basis: str
    expert_offsets: dict[int, Decimal]  # expert id -> leniency offset (positive = lenient)
    proposals: list[ProposalResult] = field(default_factory=list)  # in rank order
    tie_break_rules: list[str] = field(default_factory=list)  # translated, in order of application


def call_results(call, *, proposals=None) -> CallResults:
    raise NotImplementedError


def proposal_results(proposal) -> ProposalResult:
    raise NotImplementedError
