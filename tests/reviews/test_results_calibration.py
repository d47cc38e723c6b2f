"""Calibration (offset-als-1): recovers known leniency offsets, is deterministic, and is applied
to the reviews and the proposals as documented."""

import random
from decimal import Decimal

from reviews.services import aggregation
from reviews.services.results import CallSettings, CriterionRow, ProposalRow, ReviewRow, call_results, compute_results
from tests.factories import ConflictFactory
from tests.reviews.results_support import PanelWorld

D = Decimal
CRITERIA = [CriterionRow(1, "Overall", D("1"), D("100"), None)]


def synthetic(*, experts, proposals, per_proposal, offsets, noise, seed):
    """Each proposal gets `per_proposal` experts drawn at random (seeded); total = quality + offset + noise."""
    rng = random.Random(seed)
    observations = []
    rid = 0
    for p in range(proposals):
        quality = rng.uniform(45, 80)
        for e in rng.sample(range(experts), per_proposal):
            rid += 1
            total = quality + offsets[e] + (rng.gauss(0, noise) if noise else 0)
            observations.append((rid, p, e, aggregation.q2(Decimal(repr(min(100.0, max(0.0, total)))))))
    return observations


def centred(offsets):
    mean = sum(offsets) / len(offsets)
    return [o - mean for o in offsets]


def test_noise_free_data_recovers_the_offsets_to_the_cent():
    # 20 experts with offsets that already average zero; 40 proposals × 5 experts, no noise:
    # the additive model fits exactly, so ALS converges to the true offsets (rounded to two decimals).
    true = [-6, -5, -4, -3, -2.5, -2, -1, -0.5, 0, 0, 0, 0.5, 1, 2, 2.5, 3, 4, 4, 5, 3]
    true = centred(true)
    offsets = aggregation.leniency_offsets(synthetic(experts=20, proposals=40, per_proposal=5, offsets=true, noise=0, seed=1))
    errors = [abs(float(offsets[e]) - true[e]) for e in range(20)]
    # the totals themselves are rounded to the cent, so the fit may differ from the truth by a few cents
    assert max(errors) <= 0.02


def test_noisy_data_recovers_the_offsets_within_the_sampling_error():
    # 60 experts with offsets σ = 6, 240 proposals × 5 random experts (≈ 20 reviews each), noise σ = 3.
    # Least squares gives each offset a standard error of about σ / sqrt(n·(1 − 1/k)) = 3 / sqrt(20·0.8)
    # ≈ 0.75 points. Tolerances: the mean absolute error should be near 0.8·se ≈ 0.6 (we allow 1.0), the
    # largest of 60 errors under about 3.3·se (we allow 2.5), and the estimates should correlate with the
    # truth at about sqrt(36 / (36 + 0.56)) ≈ 0.99 (we allow 0.98).
    rng = random.Random(7)
    true = centred([rng.gauss(0, 6) for _ in range(60)])
    offsets = aggregation.leniency_offsets(synthetic(experts=60, proposals=240, per_proposal=5, offsets=true, noise=3, seed=8))
    estimated = [float(offsets[e]) for e in range(60)]
    errors = [abs(a - b) for a, b in zip(estimated, true)]
    mean_e, mean_t = sum(estimated) / 60, sum(true) / 60
    cov = sum((a - mean_e) * (b - mean_t) for a, b in zip(estimated, true))
    corr = cov / (sum((a - mean_e) ** 2 for a in estimated) * sum((b - mean_t) ** 2 for b in true)) ** 0.5
    assert max(errors) < 2.5
    assert sum(errors) / len(errors) < 1.0
    assert corr > 0.98


def test_the_offsets_are_centred_to_mean_zero():
    rng = random.Random(3)
    true = [rng.gauss(2, 5) for _ in range(30)]  # not centred: the model can only see relative leniency
    offsets = aggregation.leniency_offsets(synthetic(experts=30, proposals=90, per_proposal=4, offsets=true, noise=1, seed=4))
    assert abs(sum(offsets.values()) / len(offsets)) <= D("0.01")


def test_calibration_is_deterministic_whatever_the_input_order():
    rng = random.Random(11)
    true = centred([rng.gauss(0, 5) for _ in range(25)])
    observations = synthetic(experts=25, proposals=60, per_proposal=5, offsets=true, noise=2, seed=12)
    first = aggregation.leniency_offsets(observations)
    shuffled = list(observations)
    random.Random(99).shuffle(shuffled)
    assert aggregation.leniency_offsets(shuffled) == first
    assert aggregation.leniency_offsets(observations) == first


def test_an_expert_with_a_single_review_gets_offset_zero():
    # experts 1 and 2 review both proposals; expert 3 reviews only one, very generously
    observations = [(1, 1, 1, D("60")), (2, 1, 2, D("70")), (3, 2, 1, D("50")), (4, 2, 2, D("60")), (5, 2, 3, D("99"))]
    offsets = aggregation.leniency_offsets(observations)
    assert offsets == {1: D("-5.00"), 2: D("5.00"), 3: D("0.00")}


def _call(reviews, proposals=((1, "R-1"), (2, "R-2"))):
    return compute_results(call_id=1, settings=CallSettings(ranking_basis="calibrated"), criteria=CRITERIA,
                           proposals=[ProposalRow(pid, ref, ref) for pid, ref in proposals],
                           reviews=[ReviewRow(rid, pid, eid, f"E{eid}", "academic", {1: D(v)}) for rid, pid, eid, v in reviews])


def test_calibrated_totals_subtract_the_offset_and_the_proposal_score_is_their_mean():
    # expert 1 is 10 points harsher than expert 2 on both proposals: offsets −5 / +5
    results = _call([(1, 1, 1, "60"), (2, 1, 2, "70"), (3, 2, 1, "50"), (4, 2, 2, "60")])
    assert results.expert_offsets == {1: D("-5.00"), 2: D("5.00")}
    first = results.proposals[0]
    assert [(r.weighted_total, r.offset, r.calibrated_total) for r in first.reviews] == [
        (D("60.00"), D("-5.00"), D("65.00")), (D("70.00"), D("5.00"), D("65.00"))]
    assert (first.mean, first.calibrated, first.expert_score) == (D("65.00"), D("65.00"), D("65.00"))


def test_calibration_changes_the_ranking_when_a_harsh_expert_reviewed_a_proposal():
    # proposal 1 reviewed by the lenient expert 2 only... the harsh expert 1 and the neutral 3 review proposal 2
    reviews = [(1, 1, 2, "80"), (2, 1, 3, "70"),  # P1: lenient + neutral
               (3, 2, 1, "66"), (4, 2, 3, "76"),  # P2: harsh + neutral
               (5, 3, 1, "60"), (6, 3, 2, "80"), (7, 3, 3, "70")]  # P3: all three, reveals +10 / −10
    results = _call(reviews, proposals=((1, "R-1"), (2, "R-2"), (3, "R-3")))
    by_id = {r.proposal_id: r for r in results.proposals}
    assert (by_id[1].mean, by_id[2].mean) == (D("75.00"), D("71.00"))
    assert by_id[2].calibrated > by_id[1].calibrated
    assert [r.proposal_id for r in results.proposals][:2] == [2, 1]


def test_calibrated_totals_are_clamped_to_the_scale():
    # expert 2 scores 5, 35 and 5 points above expert 1: mean gap 15 → offsets −7.50 / +7.50.
    # 95 + 7.5 = 102.5 → 100; 5 − 7.5 = −2.5 → 0
    results = _call([(1, 1, 1, "95"), (2, 1, 2, "100"), (3, 2, 1, "0"), (4, 2, 2, "35"), (5, 3, 1, "0"), (6, 3, 2, "5")],
                    proposals=((1, "R-1"), (2, "R-2"), (3, "R-3")))
    assert results.expert_offsets == {1: D("-7.50"), 2: D("7.50")}
    totals = {r.review_id: r.calibrated_total for p in results.proposals for r in p.reviews}
    assert totals == {1: D("100.00"), 2: D("92.50"), 3: D("7.50"), 4: D("27.50"), 5: D("7.50"), 6: D("0.00")}


# through the database ----------------------------------------------------------------------------

WORLD = PanelWorld
WORLD_OPTIONS = {"criteria": ((1, 100, None, False),), "expert_types": ("academic", "investor", "academic")}


def test_offsets_are_estimated_across_the_call_and_exclude_recused_reviews(world):
    harsh, lenient, neutral = world.experts
    world.reviewed([(60,), (80,), (70,)])
    p2 = world.reviewed([(40,), (60,), (50,)])
    results = call_results(world.call)
    assert results.expert_offsets == {harsh.pk: D("-10.00"), lenient.pk: D("10.00"), neutral.pk: D("0.00")}
    # recusing the lenient expert from proposal 2 leaves them with one review: offset 0
    ConflictFactory(proposal=p2, expert=lenient, reason="学生")
    results = call_results(world.call)
    assert results.expert_offsets[lenient.pk] == D("0.00")
    assert [r.expert_id for r in results.proposals[1].reviews] == [harsh.pk, neutral.pk]
