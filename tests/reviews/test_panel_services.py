"""The chair's recommendation, reordering the ranked list and the panel decision snapshot."""

from decimal import Decimal

import pytest
from django.utils import translation

from accounts.enums import Role
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from proposals.enums import ProposalStatus as S
from proposals.models import AuditEntry
from reviews.models import Conflict, PanelDecision, PanelRecommendation, RankingAdjustment
from reviews.services.panel import record_panel_recommendation, reorder_ranking
from reviews.services.results import METHODS, call_results, proposal_results
from tests.factories import ConflictFactory, UserFactory
from tests.reviews.results_support import PanelWorld
from workflows import services

D = Decimal
pytestmark = pytest.mark.django_db


WORLD = PanelWorld
WORLD_OPTIONS = {"criteria": ((60, 10, 6, False), (40, 5, 3, True)), "expert_types": ("academic", "investor", "academic")}


@pytest.fixture
def three(world):
    """Three proposals in the panel stage, computed order high, mid, low."""
    low = world.reviewed([(4, 2), (5, 2), (3, 1)])
    high = world.reviewed([(9, 5), (8, 4), (9, 4)])
    mid = world.reviewed([(7, 3), (6, 3), (7, 4)])
    return high, mid, low


# recommendation ------------------------------------------------------------------------------------

def test_the_chair_records_a_recommendation_which_is_audited_and_shown_in_the_results(world):
    p = world.reviewed([(8, 4), (7, 3)])
    rec = record_panel_recommendation(proposal=p, chair=world.chair, recommendation="approve_with_conditions",
                                      rationale="技术路线可行", conditions="补充知识产权证明")
    entry = AuditEntry.objects.get(action="panel.recommended")
    result = proposal_results(p)
    assert (rec.recommendation, rec.conditions, rec.chair) == ("approve_with_conditions", "补充知识产权证明", world.chair)
    assert (entry.proposal, entry.actor, entry.note, entry.data["recommendation"]) == (p, world.chair, "技术路线可行", "approve_with_conditions")
    assert (result.chair_recommendation.recommendation, result.chair_recommendation.rationale) == ("approve_with_conditions", "技术路线可行")


def test_the_latest_recommendation_counts(world):
    p = world.reviewed([(8, 4)], experts=world.experts[:1])
    record_panel_recommendation(proposal=p, chair=world.chair, recommendation="reject", rationale="第一次")
    record_panel_recommendation(proposal=p, chair=world.chair, recommendation="approve", rationale="复议后同意")
    assert proposal_results(p).chair_recommendation.rationale == "复议后同意"
    assert PanelRecommendation.objects.filter(proposal=p).count() == 2


@pytest.mark.parametrize("kwargs,message", [
    ({"recommendation": "approve", "rationale": "  "}, "Write the rationale for the recommendation."),
    ({"recommendation": "approve_with_conditions", "rationale": "可以", "conditions": ""}, "Write the conditions of the approval."),
    ({"recommendation": "maybe", "rationale": "可以"}, "Choose one of the offered outcomes."),
])
def test_a_recommendation_without_what_it_needs_is_refused_and_nothing_is_written(world, kwargs, message):
    p = world.reviewed([(8, 4)], experts=world.experts[:1])
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        record_panel_recommendation(proposal=p, chair=world.chair, **kwargs)
    assert str(exc.value) == message
    assert (PanelRecommendation.objects.count(), AuditEntry.objects.filter(action="panel.recommended").count()) == (0, 0)


def test_a_chair_with_a_conflict_cannot_recommend(world):
    p = world.reviewed([(8, 4)], experts=world.experts[:1])
    Conflict.objects.create(proposal=p, expert=world.chair, source="manual", reason="同单位")
    with pytest.raises(NotPermitted):
        record_panel_recommendation(proposal=p, chair=world.chair, recommendation="approve", rationale="好")
    assert PanelRecommendation.objects.count() == 0


@pytest.mark.parametrize("role", [Role.EXPERT, Role.RESEARCHER, Role.FUND_MANAGER, Role.INCUBATION_MANAGER])
def test_other_roles_cannot_recommend(world, role):
    p = world.reviewed([(8, 4)], experts=world.experts[:1])
    with pytest.raises(NotPermitted):
        record_panel_recommendation(proposal=p, chair=UserFactory(role=role), recommendation="approve", rationale="好")


def test_no_recommendation_after_the_decision(world):
    p = world.reviewed([(8, 4)], experts=world.experts[:1])
    services.decide_panel(proposal=p, officer=world.officer, outcome="reject", feedback="不予立项")
    p.refresh_from_db()
    with pytest.raises(IllegalTransition):
        record_panel_recommendation(proposal=p, chair=world.chair, recommendation="approve", rationale="好")


# reordering ----------------------------------------------------------------------------------------

def test_reordering_changes_rank_not_computed_rank_and_is_audited(world, three):
    high, mid, low = three
    adjustment = reorder_ranking(call=world.call, proposal=low, position=1, reason="路演表现突出", actor=world.chair)
    results = call_results(world.call)
    entry = AuditEntry.objects.get(action="panel.reordered")
    assert [(r.proposal_id, r.rank, r.computed_rank) for r in results.proposals] == [
        (low.pk, 1, 3), (high.pk, 2, 1), (mid.pk, 3, 2)]
    assert (adjustment.from_position, adjustment.to_position, adjustment.order) == (3, 1, [low.pk, high.pk, mid.pk])
    assert (entry.proposal, entry.actor, entry.note, entry.data["from"], entry.data["to"]) == (low, world.chair, "路演表现突出", 3, 1)


def test_a_second_move_starts_from_the_chairs_order(world, three):
    high, mid, low = three
    reorder_ranking(call=world.call, proposal=low, position=1, reason="一", actor=world.chair)
    reorder_ranking(call=world.call, proposal=mid, position=2, reason="二", actor=world.officer)
    assert call_results(world.call).order == [low.pk, mid.pk, high.pk]


@pytest.mark.parametrize("position,reason,message", [
    (1, " ", "Give the reason for moving the proposal."),
    (0, "理由", "Choose a position between 1 and 3."),
    (4, "理由", "Choose a position between 1 and 3."),
    (3, "理由", "The proposal is already at position 3."),
])
def test_bad_reorder_input_is_refused_and_changes_nothing(world, three, position, reason, message):
    high, mid, low = three
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        reorder_ranking(call=world.call, proposal=low, position=position, reason=reason, actor=world.chair)
    assert str(exc.value) == message
    assert (RankingAdjustment.objects.count(), call_results(world.call).order) == (0, [high.pk, mid.pk, low.pk])


def test_a_chair_with_a_conflict_cannot_move_that_proposal(world, three):
    high, mid, low = three
    ConflictFactory(proposal=low, expert=world.chair, reason="导师")
    with pytest.raises(NotPermitted):
        reorder_ranking(call=world.call, proposal=low, position=1, reason="理由", actor=world.chair)
    assert RankingAdjustment.objects.count() == 0


def test_an_expert_cannot_reorder(world, three):
    with pytest.raises(NotPermitted):
        reorder_ranking(call=world.call, proposal=three[2], position=1, reason="理由", actor=world.experts[0])


# panel decision -----------------------------------------------------------------------------------

def test_the_panel_decision_snapshots_the_figures_and_methods(world, three):
    high, mid, low = three
    reorder_ranking(call=world.call, proposal=low, position=2, reason="理由", actor=world.chair)
    expected = proposal_results(low)
    decision = services.decide_panel(proposal=low, officer=world.officer, outcome="reject", feedback="不予立项")
    decision.refresh_from_db()
    assert (decision.mean, decision.trimmed_mean, decision.median, decision.calibrated, decision.final_score) == (
        expected.mean, expected.trimmed_mean, expected.median, expected.calibrated, expected.final_score)
    assert (decision.rank, decision.review_count) == (2, 3)
    assert decision.figures["methods"] == METHODS
    assert decision.figures["computed_rank"] == 3
    assert decision.figures["expert_score"] == str(expected.expert_score)
    assert [r["weighted_total"] for r in decision.figures["reviews"]] == [str(r.weighted_total) for r in expected.reviews]
    assert [r["offset"] for r in decision.figures["reviews"]] == [str(r.offset) for r in expected.reviews]
    assert AuditEntry.objects.get(action="panel.decided").data["median"] == str(expected.median)


def test_approve_with_conditions_takes_the_approve_transition_and_keeps_the_conditions(world):
    p = world.reviewed([(8, 4), (7, 3)])
    decision = services.decide_panel(proposal=p, officer=world.officer, outcome="approve_with_conditions",
                                     feedback="同意立项", conditions="三个月内补充伦理审查")
    p.refresh_from_db()
    assert (decision.outcome, decision.conditions) == ("approve_with_conditions", "三个月内补充伦理审查")
    [approval] = AuditEntry.objects.filter(proposal=p, action="proposal.approve")
    assert (approval.from_state, approval.to_state, approval.actor) == (S.PANEL, S.APPROVED, world.officer)


def test_approve_with_conditions_without_conditions_is_refused_and_nothing_changes(world):
    p = world.reviewed([(8, 4), (7, 3)])
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        services.decide_panel(proposal=p, officer=world.officer, outcome="approve_with_conditions", feedback="同意")
    p.refresh_from_db()
    assert str(exc.value) == "Write the conditions of the approval."
    assert (p.status, PanelDecision.objects.count()) == (S.PANEL, 0)


def test_an_officer_with_a_conflict_cannot_decide(world):
    p = world.reviewed([(8, 4)], experts=world.experts[:1])
    Conflict.objects.create(proposal=p, expert=world.officer, source="manual", reason="亲属")
    with pytest.raises(NotPermitted):
        services.decide_panel(proposal=p, officer=world.officer, outcome="approve", feedback="同意")
    p.refresh_from_db()
    assert (p.status, PanelDecision.objects.count()) == (S.PANEL, 0)
