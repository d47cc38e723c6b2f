"""Score aggregation, calibration and ranking: the documented methods (issue #3 item 7).

Every figure is a ``Decimal`` rounded half-up to two decimals (``q2``) and is reproducible from
the stored scores plus the method names and versions in ``METHODS``. A figure changes meaning
only together with its version string.

Weighted total of one review (``wt-1``), on a 0–100 scale::

    total = sum(value_i / max_i * weight_i) / sum(weight_i) * 100      over the ANSWERED criteria

N/A (a value of ``None``) is missing data, never zero: the criterion is left out of both sums,
so the weights are renormalised over the answered criteria. All criteria N/A → ``None``.

Per proposal, over the weighted totals of its submitted, non-recused reviews (``None`` skipped):

- mean (``mean-1``): arithmetic mean;
- trimmed mean (``trim-1-of-5``): with five or more totals drop one highest and one lowest, then
  the mean of the rest; with fewer, the plain mean;
- median (``median-1``): the middle total, or the mean of the two middle totals when even;
- spread: highest total minus lowest total;
- per-criterion pass (``pass-majority-1``): for each criterion with a pass mark, an expert passes
  it when their value is at or above the mark; the criterion passes when a strict majority of the
  experts who answered it (N/A excluded) pass (2 of 4 is not a majority). Nobody answered → no
  verdict (``None``). "All criteria passed" is ``None`` without pass marks or verdicts, ``False``
  when any criterion fails, else ``True`` (criteria without a verdict are not counted);
- veto: any included review carries a veto;
- disagreement (``disagree-1``): spread > the call's disagreement threshold, or — when both
  investors and academics reviewed — |investors' mean − academics' mean| > the call's group
  divergence threshold (group means are the rounded means of each group's totals).

Calibration (``offset-als-1``): an additive model over all included reviews of the call,
``total[r] = proposal_effect[p(r)] + offset[e(r)] + noise``, fitted by alternating least squares in
binary floating point, in a fixed order (reviews sorted by id):

1. offsets start at 0;
2. proposal_effect[p] = mean over p's reviews of (total − offset[e]);
3. offset[e] = mean over e's reviews of (total − proposal_effect[p]) for experts with at least
   ``CALIBRATION_MIN_REVIEWS`` (2) reviews in the call; experts with a single review keep offset 0
   (one review cannot separate the expert's leniency from the proposal's quality, and we prefer
   no correction to a guessed one — they are also left out of the centring);
4. the estimated offsets are centred to mean zero (unweighted, over the estimated experts);
5. repeat 2–4 until no offset moves by more than ``CALIBRATION_TOLERANCE`` (1e-6 points) or
   ``CALIBRATION_MAX_ITERATIONS`` (200) rounds have run.

Each offset is then rounded half-up to two decimals (positive = lenient, the expert scores higher
than their peers). A review's calibrated total is ``total − offset`` clamped to 0–100; a proposal's
calibrated score is the mean of its calibrated totals. Because the offsets are rounded before they
are used, every calibrated figure is exact Decimal arithmetic on two-decimal numbers.

Roadshow (``roadshow-1``): each submitted score sheet gets a weighted total over the roadshow
criteria exactly like ``wt-1``; the roadshow score is the mean of the sheets' totals. The final
score (``final-1``) is ``(1 − w) · expert_score + w · roadshow`` with the call's roadshow weight
``w`` when the call has a roadshow and the proposal a roadshow score, else the expert score. The
expert score is the figure the call ranks by (mean, trimmed mean, median or calibrated score).

Ranking (``rank-1``), the computed rank, by these keys in order (each only breaks ties of the
ones before it): higher final score (no score last); no veto before veto; more criteria passed;
higher median; smaller spread; more reviews; earlier submission of the proposal; reference
(then id). The displayed rank applies the chair's latest reordering: the proposals in its saved
order come first, in that order; proposals missing from it (for example reviewed after the
reordering) follow in their computed relative order.
"""

from decimal import ROUND_HALF_UP, Decimal

TWO = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")
TRIM_FROM = 5

CALIBRATION_MIN_REVIEWS = 2
CALIBRATION_TOLERANCE = 1e-6
CALIBRATION_MAX_ITERATIONS = 200

METHODS: dict[str, str] = {
    "weighted_total": "wt-1",
    "mean": "mean-1",
    "trimmed_mean": "trim-1-of-5",
    "median": "median-1",
    "criterion_pass": "pass-majority-1",
    "disagreement": "disagree-1",
    "calibration": "offset-als-1",
    "roadshow": "roadshow-1",
    "final_score": "final-1",
    "ranking": "rank-1",
    "rounding": "half-up-2dp",
}


def q2(value) -> Decimal:
    if not isinstance(value, Decimal):
        value = Decimal(value)
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def weighted_total(items) -> Decimal | None:
    """items: iterable of (value, max_score, weight); a value of None (N/A) is skipped."""
    num = ZERO
    total_weight = ZERO
    for v, m, w in items:
        if v is None:
            continue
        w = Decimal(w)
        num += Decimal(v) / Decimal(m) * w
        total_weight += w
    if total_weight == 0:
        return None
    return q2(num / total_weight * HUNDRED)


def mean(values) -> Decimal | None:
    values = [v if isinstance(v, Decimal) else Decimal(v) for v in values if v is not None]
    if not values:
        return None
    return q2(sum(values, ZERO) / len(values))


def trimmed_mean(values) -> Decimal | None:
    values = sorted(Decimal(v) for v in values if v is not None)
    if len(values) >= TRIM_FROM:
        values = values[1:-1]
    return mean(values)


def median(values) -> Decimal | None:
    values = sorted(Decimal(v) for v in values if v is not None)
    n = len(values)
    if not n:
        return None
    if n % 2:
        return q2(values[n // 2])
    return q2((values[n // 2 - 1] + values[n // 2]) / 2)


def spread(values) -> Decimal | None:
    values = [Decimal(v) for v in values if v is not None]
    if not values:
        return None
    return q2(max(values) - min(values))


def clamp_score(value: Decimal) -> Decimal:
    return min(max(value, ZERO), HUNDRED)


def combine_roadshow(expert_score: Decimal | None, roadshow: Decimal | None, weight: Decimal) -> Decimal | None:
    """final-1: (1 − w) · expert + w · roadshow; the expert score alone without a roadshow score."""
    if expert_score is None or roadshow is None:
        return expert_score
    weight = Decimal(weight)
    return q2((1 - weight) * expert_score + weight * roadshow)


def leniency_offsets(observations) -> dict[int, Decimal]:
    """offset-als-1. observations: iterable of (review_id, proposal_id, expert_id, total).

    Returns expert id -> offset (two decimals; positive = lenient) for every expert seen.
    Pure and deterministic: the observations are sorted by review id before fitting.
    """
    rows = sorted((r, p, e, float(t)) for r, p, e, t in observations if t is not None)
    if not rows:
        return {}
    p_index: dict[int, int] = {}
    e_index: dict[int, int] = {}
    pi = [p_index.setdefault(p, len(p_index)) for _, p, _, _ in rows]
    ei = [e_index.setdefault(e, len(e_index)) for _, _, e, _ in rows]
    y = [t for *_, t in rows]
    n_p = [0] * len(p_index)
    n_e = [0] * len(e_index)
    for a, b in zip(pi, ei):
        n_p[a] += 1
        n_e[b] += 1
    estimated = [n >= CALIBRATION_MIN_REVIEWS for n in n_e]
    n_est = sum(estimated)
    offsets = [0.0] * len(e_index)
    if n_est:
        for _ in range(CALIBRATION_MAX_ITERATIONS):
            sums = [0.0] * len(p_index)
            for a, b, t in zip(pi, ei, y):
                sums[a] += t - offsets[b]
            effect = [s / n for s, n in zip(sums, n_p)]
            sums = [0.0] * len(e_index)
            for a, b, t in zip(pi, ei, y):
                sums[b] += t - effect[a]
            new = [s / n if est else 0.0 for s, n, est in zip(sums, n_e, estimated)]
            centre = sum(o for o, est in zip(new, estimated) if est) / n_est
            new = [o - centre if est else 0.0 for o, est in zip(new, estimated)]
            moved = max(abs(a - b) for a, b in zip(new, offsets))
            offsets = new
            if moved <= CALIBRATION_TOLERANCE:
                break
    result = {}
    for expert_id, i in e_index.items():
        value = q2(offsets[i])
        result[expert_id] = value if value != 0 else q2(0)  # no "-0.00"
    return result
