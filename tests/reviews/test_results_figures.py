"""Hand-computed figures of the results contract: weighted totals with N/A, mean, trimmed mean,
median, pass by majority, veto, recusal, and the query count of `call_results`."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from reviews.services import aggregation, scoring
from reviews.services.results import (
    METHODS,
    CallSettings,
    CriterionRow,
    ProposalRow,
    ReviewRow,
    call_results,
    compute_results,
    proposal_results,
)
from tests.factories import ConflictFactory
from tests.reviews.results_support import PanelWorld

D = Decimal
ONE_CRITERION = [CriterionRow(1, "Quality", D("1"), D("100"), None)]


def review(review_id, proposal_id, expert_id, scores, **kwargs):
    return ReviewRow(review_id=review_id, proposal_id=proposal_id, expert_id=expert_id, expert_name=f"E{expert_id}",
                     expert_type=kwargs.pop("expert_type", "academic"), scores=scores, **kwargs)


def single(totals, *, criteria=ONE_CRITERION, settings=CallSettings(), **review_kwargs):
    """One proposal whose reviews have these totals (one criterion on 0–100), each by a different expert."""
    reviews = [review(i + 1, 1, 100 + i, {1: None if t is None else D(str(t))}, **review_kwargs)
               for i, t in enumerate(totals)]
    return compute_results(call_id=1, settings=settings, criteria=criteria,
                           proposals=[ProposalRow(1, "R-1", "P")], reviews=reviews).proposals[0]


# weighted totals -------------------------------------------------------------------------------

def test_weighted_total_renormalises_the_weights_over_the_answered_criteria():
    # 60 % weight: 8/10; 40 % weight: N/A → only the first criterion counts: 80.00
    assert aggregation.weighted_total([(D("8"), D("10"), D("60")), (None, D("5"), D("40"))]) == D("80.00")


def test_weighted_total_uses_every_answered_criterion_with_its_weight():
    # (8/10·60 + 3/5·40) / 100 · 100 = (48 + 24) = 72.00
    assert aggregation.weighted_total([(D("8"), D("10"), D("60")), (D("3"), D("5"), D("40"))]) == D("72.00")


def test_weighted_total_is_none_when_every_criterion_is_na():
    assert aggregation.weighted_total([(None, D("10"), D("60")), (None, D("5"), D("40"))]) is None


def test_weighted_total_rounds_half_up_to_two_decimals():
    # 1/3 · 100 = 33.333… → 33.33 ; 2/3 → 66.67 ; 0.125 of 100 on a 0–8 scale: 1/8 = 12.50
    assert aggregation.weighted_total([(D("1"), D("3"), D("1"))]) == D("33.33")
    assert aggregation.weighted_total([(D("2"), D("3"), D("1"))]) == D("66.67")
    assert aggregation.q2(D("12.345")) == D("12.35")


# mean, trimmed mean, median, spread --------------------------------------------------------------

def test_mean_of_three_reviews():
    assert single([70, 80, 95]).mean == D("81.67")  # 245 / 3 = 81.666…


def test_trimmed_mean_with_five_reviews_drops_the_highest_and_the_lowest():
    result = single([50, 70, 80, 90, 100])
    assert (result.trimmed, result.trimmed_mean, result.mean) == (True, D("80.00"), D("78.00"))


def test_trimmed_mean_with_four_reviews_drops_nothing():
    result = single([50, 70, 80, 90])
    assert (result.trimmed, result.trimmed_mean) == (False, D("72.50"))


def test_median_of_an_odd_number_of_reviews_is_the_middle_one():
    assert single([95, 60, 70]).median == D("70.00")


def test_median_of_an_even_number_of_reviews_is_the_mean_of_the_two_middle_ones():
    assert single([60, 70, 75, 95]).median == D("72.50")


def test_spread_is_the_highest_minus_the_lowest_total():
    assert single([60, 70, 95]).spread == D("35.00")


def test_a_review_with_every_criterion_na_is_missing_data_not_zero():
    result = single([60, None, 80])
    assert (result.mean, result.review_count, result.median) == (D("70.00"), 2, D("70.00"))


# pass marks --------------------------------------------------------------------------------------

PASS_CRITERIA = [CriterionRow(1, "Novelty", D("50"), D("10"), D("6")), CriterionRow(2, "Team", D("50"), D("10"), None)]


def _pass_result(values):
    reviews = [review(i + 1, 1, 100 + i, {1: None if v is None else D(v), 2: D("5")}) for i, v in enumerate(values)]
    return compute_results(call_id=1, settings=CallSettings(), criteria=PASS_CRITERIA,
                           proposals=[ProposalRow(1, "R-1", "P")], reviews=reviews).proposals[0]


def test_a_criterion_passes_when_a_majority_of_the_answering_experts_reach_the_pass_mark():
    result = _pass_result(["6", "9", "5"])
    novelty, team = result.criteria
    assert (novelty.passes, novelty.answered, novelty.passed) == (2, 3, True)
    assert (team.pass_mark, team.passed) == (None, None)
    assert (result.all_criteria_passed, result.criteria_passed) == (True, 1)


def test_half_of_the_experts_passing_is_not_a_majority():
    result = _pass_result(["6", "7", "5", "2"])
    assert (result.criteria[0].passes, result.criteria[0].answered, result.criteria[0].passed) == (2, 4, False)
    assert (result.all_criteria_passed, result.criteria_passed) == (False, 0)


def test_na_answers_do_not_count_towards_the_majority():
    # two N/A, one pass out of the one answer → passes
    result = _pass_result([None, "8", None])
    assert (result.criteria[0].passes, result.criteria[0].answered, result.criteria[0].passed) == (1, 1, True)


def test_without_pass_marks_all_criteria_passed_is_undetermined():
    result = single([70, 80])
    assert (result.criteria[0].passed, result.all_criteria_passed) == (None, None)


def test_a_single_veto_flags_the_proposal():
    reviews = [review(1, 1, 101, {1: D("90")}), review(2, 1, 102, {1: D("80")}, veto=True, veto_reason="超出范围")]
    result = compute_results(call_id=1, settings=CallSettings(), criteria=ONE_CRITERION,
                             proposals=[ProposalRow(1, "R-1", "P")], reviews=reviews).proposals[0]
    assert (result.veto, [r.veto_reason for r in result.reviews]) == (True, ["", "超出范围"])


def test_group_means_by_expert_type():
    reviews = [review(1, 1, 101, {1: D("90")}, expert_type="investor"), review(2, 1, 102, {1: D("80")}, expert_type="investor"),
               review(3, 1, 103, {1: D("60")}, expert_type="academic"), review(4, 1, 104, {1: D("70")}, expert_type="")]
    result = compute_results(call_id=1, settings=CallSettings(), criteria=ONE_CRITERION,
                             proposals=[ProposalRow(1, "R-1", "P")], reviews=reviews).proposals[0]
    assert result.group_means == {"academic": D("60.00"), "investor": D("85.00")}


def test_the_methods_are_named_with_versions():
    assert METHODS["weighted_total"] == "wt-1"
    assert METHODS["trimmed_mean"] == "trim-1-of-5"
    assert METHODS["calibration"] == "offset-als-1"
    assert METHODS["ranking"] == "rank-1"


# through the database ----------------------------------------------------------------------------

WORLD = PanelWorld
WORLD_OPTIONS = {"criteria": ((60, 10, 6, False), (40, 5, 3, True)),
                 "expert_types": ("academic", "investor", "academic", "entrepreneur", "academic")}


def test_call_results_from_submitted_reviews_with_na(world):
    # totals: (8/10·60 + 4/5·40) = 80 ; (5/10·60 + 2/5·40) = 46 ; 10/10 with N/A on the second → 100
    p = world.reviewed([(8, 4), (5, 2), (10, "na")])
    results = call_results(world.call)
    [result] = results.proposals
    assert [r.weighted_total for r in result.reviews] == [D("80.00"), D("46.00"), D("100.00")]
    assert [r.criterion_scores[world.criteria[1].pk] for r in result.reviews] == [D("4.00"), D("2.00"), None]
    assert (result.proposal_id, result.mean, result.median, result.trimmed_mean) == (p.pk, D("75.33"), D("80.00"), D("75.33"))
    novelty, team = result.criteria
    assert (novelty.passes, novelty.answered, novelty.passed) == (2, 3, True)
    assert (team.passes, team.answered, team.passed) == (1, 2, False)
    assert (result.all_criteria_passed, result.veto, result.rank, result.computed_rank) == (False, False, 1, 1)
    assert results.methods == METHODS


def test_trimmed_mean_with_five_submitted_reviews(world):
    # totals 100, 80, 60, 40, 20 → trimmed (80+60+40)/3 = 60.00, mean 60.00, median 60.00
    world.reviewed([(10, 5), (8, 4), (6, 3), (4, 2), (2, 1)])
    [result] = call_results(world.call).proposals
    assert (result.trimmed, result.trimmed_mean, result.mean, result.median, result.spread) == (
        True, D("60.00"), D("60.00"), D("60.00"), D("80.00"))


def test_a_veto_in_a_submitted_review_flags_the_proposal(world):
    p, reviews = world.assigned(experts=world.experts[:2])
    world.submit(reviews[0], (9, 5))
    world.submit(reviews[1], (8, 4), veto=True, veto_reason="不属于概念验证范围")
    result = proposal_results(p)
    assert (result.veto, [r.veto for r in result.reviews]) == (True, [False, True])
    assert result.reviews[1].veto_reason == "不属于概念验证范围"


def test_a_recused_experts_review_is_excluded_from_the_figures(world):
    p = world.reviewed([(8, 4), (2, 1), (6, 3)])
    ConflictFactory(proposal=p, expert=world.experts[1], reason="合作者")
    result = proposal_results(p)
    # without the 20.00 review: (80 + 60) / 2
    assert ([r.expert_id for r in result.reviews], result.mean) == ([world.experts[0].pk, world.experts[2].pk], D("70.00"))


def test_drafts_are_not_counted(world):
    p, reviews = world.assigned(experts=world.experts[:2])
    world.submit(reviews[0], (8, 4))
    scoring.save_review(review=reviews[1], expert=reviews[1].expert, scores={world.criteria[0].pk: "1"},
                        opinion="", submit=False)
    result = proposal_results(p)
    assert (len(result.reviews), result.mean) == (1, D("80.00"))


def test_proposals_without_submitted_reviews_are_not_in_the_results(world):
    world.assigned(experts=world.experts[:2])
    p = world.reviewed([(8, 4)], experts=world.experts[2:3])
    assert [r.proposal_id for r in call_results(world.call).proposals] == [p.pk]


def test_proposal_results_without_reviews_is_an_empty_result(world):
    p, _ = world.assigned(experts=world.experts[:2])
    result = proposal_results(p)
    assert (result.proposal_id, result.mean, result.reviews, result.rank) == (p.pk, None, [], None)


def test_the_proposals_argument_narrows_the_list_but_ranks_stay_call_wide(world):
    low = world.reviewed([(2, 1)], experts=world.experts[:1])
    high = world.reviewed([(9, 5)], experts=world.experts[1:2])
    results = call_results(world.call, proposals=[low])
    assert [(r.proposal_id, r.rank) for r in results.proposals] == [(low.pk, 2)]
    assert results.order == [high.pk, low.pk]


def test_expert_names_and_types_come_from_the_profile(world):
    p = world.reviewed([(8, 4), (7, 4)])
    result = proposal_results(p)
    with translation.override("en"):
        labels = [r.expert_type_label for r in result.reviews]
    assert [r.expert_name for r in result.reviews] == [world.experts[0].display_name, world.experts[1].display_name]
    assert labels == ["Academic", "Investor"]


@pytest.mark.parametrize("n", [1, 3])
def test_call_results_takes_a_constant_number_of_queries(world, n, django_assert_num_queries):
    for _ in range(n):
        world.reviewed([(8, 4), (6, 3), (7, "na")])
    world.call.refresh_from_db()
    with django_assert_num_queries(7):
        results = call_results(world.call)
    assert len(results.proposals) == n


@pytest.mark.parametrize("n", [1, 3])
def test_call_results_with_a_roadshow_takes_three_more_queries(world, n, django_assert_num_queries):
    world.call.roadshow_enabled = True
    world.call.save()
    for _ in range(n):
        world.reviewed([(8, 4)], experts=world.experts[:1])
    with django_assert_num_queries(10):
        results = call_results(world.call)
    assert len(results.proposals) == n


def test_the_same_inputs_give_the_same_figures(world):
    world.reviewed([(8, 4), (6, 3), (7, "na")])
    world.reviewed([(3, 1), (9, 5), (5, 2)])
    assert call_results(world.call) == call_results(world.call)


def test_submission_times_are_kept_for_the_tie_breaks(world):
    p = world.reviewed([(8, 4)], experts=world.experts[:1])
    [result] = call_results(world.call).proposals
    assert isinstance(result.submitted_at, dt.datetime) and result.submitted_at == p.submitted_at
