"""Ranking (rank-1): every tie-break rule, the chair's order, disagreement flags, roadshow weighting."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from reviews.services.results import (
    CallSettings,
    CriterionRow,
    ProposalRow,
    ReviewRow,
    apply_chair_order,
    compute_results,
    tie_break_rules,
)

D = Decimal
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
CRITERIA = [CriterionRow(1, "Overall", D("50"), D("100"), D("60")), CriterionRow(2, "Team", D("50"), D("100"), D("60"))]


class Builder:
    def __init__(self):
        self.proposals, self.reviews, self.next_review, self.roadshow = [], [], 1, {}

    def proposal(self, pid, scores, *, vetoes=(), submitted=T0, reference=None, types=None):
        """scores: one (overall, team) pair per review; each review by a new expert (no calibration effect)."""
        self.proposals.append(ProposalRow(pid, reference or f"R-{pid:03d}", f"P{pid}", "panel", submitted))
        for i, (a, b) in enumerate(scores):
            rid = self.next_review
            self.next_review += 1
            self.reviews.append(ReviewRow(rid, pid, 1000 + rid, f"E{rid}", (types or {}).get(i, "academic"),
                                          {1: D(str(a)), 2: D(str(b))}, veto=i in vetoes))
        return self

    def results(self, settings=CallSettings(ranking_basis="mean"), chair_order=None):
        return compute_results(call_id=1, settings=settings, criteria=CRITERIA, proposals=self.proposals,
                               reviews=self.reviews, roadshow_totals=self.roadshow, chair_order=chair_order)

    def order(self, **kwargs):
        return [r.proposal_id for r in self.results(**kwargs).proposals]


def test_higher_final_score_ranks_first():
    assert Builder().proposal(1, [(70, 70)]).proposal(2, [(80, 80)]).order() == [2, 1]


def test_on_equal_scores_no_veto_ranks_before_veto():
    b = Builder().proposal(1, [(80, 80), (80, 80)], vetoes=(0,)).proposal(2, [(80, 80), (80, 80)])
    assert b.order() == [2, 1]


def test_a_veto_does_not_outrank_a_higher_score():
    # the veto only breaks ties; the flag is shown beside the score
    b = Builder().proposal(1, [(90, 90)], vetoes=(0,)).proposal(2, [(80, 80)])
    assert b.order() == [1, 2]


def test_on_equal_scores_more_criteria_passed_ranks_first():
    # both mean 70; P1 passes both criteria (70/70), P2 passes only Overall (90/50)
    b = Builder().proposal(2, [(90, 50)]).proposal(1, [(70, 70)])
    results = b.results()
    assert [(r.proposal_id, r.final_score, r.criteria_passed) for r in results.proposals] == [
        (1, D("70.00"), 2), (2, D("70.00"), 1)]


def test_then_the_higher_median_ranks_first():
    # both mean 70 and pass both criteria; medians 75 vs 70
    b = Builder().proposal(1, [(70, 70), (70, 70), (70, 70)]).proposal(2, [(60, 60), (75, 75), (75, 75)])
    results = b.results()
    assert [(r.proposal_id, r.mean, r.median) for r in results.proposals] == [
        (2, D("70.00"), D("75.00")), (1, D("70.00"), D("70.00"))]


def test_then_the_smaller_spread_ranks_first():
    # mean 70 and median 70 both; spreads 20 vs 10
    b = Builder().proposal(1, [(60, 60), (70, 70), (80, 80)]).proposal(2, [(65, 65), (70, 70), (75, 75)])
    results = b.results()
    assert [(r.proposal_id, r.spread) for r in results.proposals] == [(2, D("10.00")), (1, D("20.00"))]


def test_then_more_reviews_rank_first():
    b = Builder().proposal(1, [(70, 70)]).proposal(2, [(70, 70), (70, 70)])
    assert b.order() == [2, 1]


def test_then_the_earlier_submission_ranks_first():
    b = Builder().proposal(1, [(70, 70)], submitted=T0 + dt.timedelta(hours=1)).proposal(2, [(70, 70)], submitted=T0)
    assert b.order() == [2, 1]


def test_finally_the_reference_decides():
    b = Builder().proposal(1, [(70, 70)], reference="POC-B").proposal(2, [(70, 70)], reference="POC-A")
    assert b.order() == [2, 1]


def test_computed_ranks_are_consecutive_from_one():
    b = Builder().proposal(1, [(70, 70)]).proposal(2, [(90, 90)]).proposal(3, [(80, 80)])
    results = b.results()
    assert [(r.proposal_id, r.computed_rank, r.rank) for r in results.proposals] == [(2, 1, 1), (3, 2, 2), (1, 3, 3)]


def test_the_tie_break_rules_are_listed_in_order_and_translated():
    with translation.override("en"):
        rules = tie_break_rules()
    assert rules[:4] == ["Proposals with all their required reviews before incomplete ones",
                         "Higher final score (proposals without a score last)", "No veto before veto", "More criteria passed"]
    assert len(rules) == 9


def test_the_ranking_basis_picks_the_expert_score():
    # totals 50, 70, 70, 90, 100 → mean 76, trimmed 76.67, median 70
    scores = [(50, 50), (70, 70), (70, 70), (90, 90), (100, 100)]
    for basis, expected in [("mean", D("76.00")), ("trimmed_mean", D("76.67")), ("median", D("70.00"))]:
        [result] = Builder().proposal(1, scores).results(CallSettings(ranking_basis=basis)).proposals
        assert (basis, result.expert_score, result.final_score) == (basis, expected, expected)


# the chair's order --------------------------------------------------------------------------------

def test_the_chairs_order_changes_rank_not_computed_rank():
    b = Builder().proposal(1, [(90, 90)]).proposal(2, [(80, 80)]).proposal(3, [(70, 70)])
    results = b.results(chair_order=[3, 1, 2])
    assert [(r.proposal_id, r.rank, r.computed_rank, r.moved) for r in results.proposals] == [
        (3, 1, 3, True), (1, 2, 1, True), (2, 3, 2, True)]
    assert results.adjusted is True


def test_proposals_missing_from_the_chairs_order_follow_in_computed_order():
    assert apply_chair_order([10, 20, 30, 40], [30, 99, 10]) == [30, 10, 20, 40]


def test_no_chair_order_keeps_the_computed_order():
    assert apply_chair_order([10, 20, 30], None) == [10, 20, 30]


# disagreement ---------------------------------------------------------------------------------------

def test_a_spread_above_the_threshold_flags_disagreement():
    b = Builder().proposal(1, [(50, 50), (71, 71)])  # spread 21 > 20
    with translation.override("en"):
        [result] = b.results(CallSettings(ranking_basis="mean", disagreement_threshold=D("20"))).proposals
    assert (result.disagreement, result.disagreement_reasons) == (
        True, ["The reviews differ by 21.00 points (more than 20.00)."])


def test_a_spread_at_the_threshold_does_not_flag_disagreement():
    b = Builder().proposal(1, [(50, 50), (70, 70)])  # spread 20, not more than 20
    [result] = b.results(CallSettings(ranking_basis="mean", disagreement_threshold=D("20"))).proposals
    assert (result.disagreement, result.disagreement_reasons) == (False, [])


def test_investors_and_academics_diverging_flags_disagreement():
    # investors 80 and 82 → 81; academics 64 → gap 17 > 15; spread 18 ≤ 20
    b = Builder().proposal(1, [(80, 80), (82, 82), (64, 64)], types={0: "investor", 1: "investor", 2: "academic"})
    with translation.override("en"):
        [result] = b.results(CallSettings(ranking_basis="mean", disagreement_threshold=D("20"),
                                          group_divergence_threshold=D("15"))).proposals
    assert result.group_means == {"academic": D("64.00"), "investor": D("81.00")}
    assert (result.disagreement, result.disagreement_reasons) == (True, [
        "Investors (81.00) and academics (64.00) differ by 17.00 points (more than 15.00)."])


def test_groups_within_the_divergence_threshold_are_not_flagged():
    b = Builder().proposal(1, [(80, 80), (70, 70)], types={0: "investor", 1: "academic"})
    [result] = b.results(CallSettings(ranking_basis="mean", group_divergence_threshold=D("15"))).proposals
    assert (result.disagreement, result.disagreement_reasons) == (False, [])


def test_divergence_needs_both_groups():
    b = Builder().proposal(1, [(95, 95), (79, 79)], types={0: "investor", 1: "entrepreneur"})
    [result] = b.results(CallSettings(ranking_basis="mean", group_divergence_threshold=D("5"))).proposals
    assert result.disagreement is False


# roadshow ----------------------------------------------------------------------------------------

def test_the_final_score_combines_the_roadshow_by_the_calls_weight():
    b = Builder().proposal(1, [(80, 80)]).proposal(2, [(70, 70)])
    b.roadshow = {1: [D("60.00"), D("70.00")], 2: [D("95.00")]}
    settings = CallSettings(ranking_basis="mean", roadshow_enabled=True, roadshow_weight=D("0.40"))
    results = b.results(settings)
    # P1: 0.6·80 + 0.4·65 = 74.00 ; P2: 0.6·70 + 0.4·95 = 80.00
    assert [(r.proposal_id, r.roadshow, r.final_score, r.roadshow_sheets) for r in results.proposals] == [
        (2, D("95.00"), D("80.00"), 1), (1, D("65.00"), D("74.00"), 2)]


def test_without_a_roadshow_score_the_final_score_is_the_expert_score():
    b = Builder().proposal(1, [(80, 80)])
    settings = CallSettings(ranking_basis="mean", roadshow_enabled=True, roadshow_weight=D("0.40"))
    [result] = b.results(settings).proposals
    assert (result.roadshow, result.final_score) == (None, D("80.00"))


def test_roadshow_scores_are_ignored_when_the_call_has_no_roadshow():
    b = Builder().proposal(1, [(80, 80)])
    b.roadshow = {1: [D("10.00")]}
    [result] = b.results(CallSettings(ranking_basis="mean", roadshow_enabled=False, roadshow_weight=D("0.5"))).proposals
    assert (result.roadshow, result.final_score) == (None, D("80.00"))


@pytest.mark.parametrize("weight,expected", [(D("0"), D("80.00")), (D("1"), D("60.00")), (D("0.25"), D("75.00"))])
def test_the_roadshow_weight_bounds(weight, expected):
    b = Builder().proposal(1, [(80, 80)])
    b.roadshow = {1: [D("60.00")]}
    [result] = b.results(CallSettings(ranking_basis="mean", roadshow_enabled=True, roadshow_weight=weight)).proposals
    assert result.final_score == expected
