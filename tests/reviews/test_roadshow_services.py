"""Roadshow (路演): criteria, judges, timed slots, score sheets, and the roadshow in the results."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts.enums import Role
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from proposals.models import AuditEntry
from reviews.models import Conflict, RoadshowCriterion, RoadshowJudge, RoadshowScore, RoadshowSheet, RoadshowSlot
from reviews.services import roadshow
from reviews.services.results import call_results, proposal_results
from tests.factories import ConflictFactory, UserFactory
from tests.reviews.results_support import PanelWorld

D = Decimal
pytestmark = pytest.mark.django_db
START = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)


@pytest.fixture
def world():
    w = PanelWorld(criteria=((1, 100, None, False),), expert_types=("academic", "investor"),
                   roadshow_enabled=True, roadshow_weight=D("0.40"), pitch_minutes=8, qa_minutes=7)
    w.judge = UserFactory(role=Role.EXPERT)
    w.investor = UserFactory(role=Role.RESEARCHER)  # any account may be invited
    roadshow.add_roadshow_judge(call=w.call, user=w.judge, kind="judge", actor=w.officer)
    roadshow.add_roadshow_judge(call=w.call, user=w.investor, kind="investor", actor=w.officer)
    w.rs_criteria = [
        roadshow.add_roadshow_criterion(call=w.call, actor=w.officer, name_zh="商业模式", weight=D("60"), max_score=D("10")),
        roadshow.add_roadshow_criterion(call=w.call, actor=w.officer, name_zh="答辩表现", weight=D("40"), max_score=D("20")),
    ]
    return w


@pytest.fixture
def slot(world):
    p = world.reviewed([(80,), (60,)])  # expert score (trimmed mean of 2) 70.00
    return roadshow.schedule_roadshow_slot(call=world.call, proposal=p, starts_at=START, actor=world.officer, location="A101")


def scores(world, a, b):
    return {world.rs_criteria[0].pk: D(str(a)), world.rs_criteria[1].pk: D(str(b))}


# criteria and judges ---------------------------------------------------------------------------------

def test_adding_a_judge_is_audited_and_mails_them_the_link(world, django_capture_on_commit_callbacks):
    newcomer = UserFactory(email="judge@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        judge = roadshow.add_roadshow_judge(call=world.call, user=newcomer, kind="investor", actor=world.officer)
    assert (judge.kind, judge.user) == ("investor", newcomer)
    assert AuditEntry.objects.filter(action="roadshow.judge_added", data__user=newcomer.pk).count() == 1
    assert [m.to for m in mail.outbox] == [["judge@example.org"]]
    assert "/panel/roadshow/" in mail.outbox[0].body


def test_the_same_person_cannot_be_added_twice(world):
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        roadshow.add_roadshow_judge(call=world.call, user=world.judge, kind="judge", actor=world.officer)
    assert str(exc.value) == f"{world.judge.display_name} is already on this roadshow's jury."
    assert RoadshowJudge.objects.filter(call=world.call).count() == 2


def test_roadshow_criteria_need_a_name_and_positive_numbers(world):
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        roadshow.add_roadshow_criterion(call=world.call, actor=world.officer, name_zh="演示", weight=D("0"), max_score=D("10"))
    assert str(exc.value) == "The weight and the maximum score must be greater than zero."
    assert RoadshowCriterion.objects.filter(call=world.call).count() == 2


@pytest.mark.parametrize("role", [Role.PANEL_CHAIR, Role.EXPERT, Role.RESEARCHER, Role.FUND_MANAGER, Role.INCUBATION_MANAGER])
def test_only_program_officers_manage_the_roadshow(world, role):
    user = UserFactory(role=role)
    with pytest.raises(NotPermitted):
        roadshow.add_roadshow_criterion(call=world.call, actor=user, name_zh="演示", weight=D("1"), max_score=D("10"))
    with pytest.raises(NotPermitted):
        roadshow.add_roadshow_judge(call=world.call, user=user, kind="judge", actor=user)


def test_a_call_without_a_roadshow_refuses_roadshow_set_up(world):
    world.call.roadshow_enabled = False
    world.call.save()
    with pytest.raises(IllegalTransition):
        roadshow.add_roadshow_criterion(call=world.call, actor=world.officer, name_zh="演示", weight=D("1"), max_score=D("10"))


# slots ----------------------------------------------------------------------------------------------

def test_a_slot_takes_its_minutes_from_the_call_and_is_audited(world, slot):
    assert (slot.pitch_minutes, slot.qa_minutes, slot.ends_at, slot.location) == (8, 7, START + dt.timedelta(minutes=15), "A101")
    assert AuditEntry.objects.get(action="roadshow.slot_scheduled").proposal == slot.proposal


def test_an_overlapping_slot_in_the_same_location_is_refused(world, slot):
    other = world.reviewed([(70,), (70,)])
    with pytest.raises(InvalidInput):
        roadshow.schedule_roadshow_slot(call=world.call, proposal=other, starts_at=START + dt.timedelta(minutes=14),
                                        actor=world.officer, location=" a101 ")
    assert RoadshowSlot.objects.count() == 1


def test_back_to_back_slots_and_other_rooms_are_fine(world, slot):
    second = world.reviewed([(70,), (70,)])
    third = world.reviewed([(75,), (70,)])
    after = roadshow.schedule_roadshow_slot(call=world.call, proposal=second, starts_at=slot.ends_at, actor=world.officer,
                                            location="A101", pitch_minutes=5, qa_minutes=5)
    elsewhere = roadshow.schedule_roadshow_slot(call=world.call, proposal=third, starts_at=START, actor=world.officer,
                                                location="B202")
    assert (after.pitch_minutes, after.qa_minutes, elsewhere.location) == (5, 5, "B202")


def test_a_slot_for_a_proposal_not_awaiting_the_panel_is_refused(world):
    p, _ = world.assigned()  # still in expert review
    with translation.override("en"), pytest.raises(IllegalTransition) as exc:
        roadshow.schedule_roadshow_slot(call=world.call, proposal=p, starts_at=START, actor=world.officer)
    assert str(exc.value) == "Only proposals awaiting the panel decision can pitch at the roadshow."
    assert RoadshowSlot.objects.count() == 0


def test_a_second_slot_for_the_same_proposal_is_refused(world, slot):
    with pytest.raises(InvalidInput):
        roadshow.schedule_roadshow_slot(call=world.call, proposal=slot.proposal, starts_at=START + dt.timedelta(hours=2),
                                        actor=world.officer)


def test_a_slot_with_started_sheets_cannot_be_cancelled(world, slot):
    roadshow.save_roadshow_sheet(slot=slot, judge=world.judge, scores=scores(world, 8, 10), submit=False)
    with pytest.raises(IllegalTransition):
        roadshow.cancel_roadshow_slot(slot=slot, actor=world.officer)
    assert RoadshowSlot.objects.count() == 1


# score sheets --------------------------------------------------------------------------------------

def test_a_judge_saves_a_draft_then_submits_and_the_sheet_is_final(world, slot):
    draft = roadshow.save_roadshow_sheet(slot=slot, judge=world.judge, scores={world.rs_criteria[0].pk: D("7")},
                                         comment="草稿", submit=False)
    sheet = roadshow.save_roadshow_sheet(slot=slot, judge=world.judge, scores=scores(world, 8, 15), comment="表现好", submit=True)
    assert (draft.pk, sheet.comment, sheet.submitted_at is not None) == (sheet.pk, "表现好", True)
    assert sorted(RoadshowScore.objects.filter(sheet=sheet).values_list("value", flat=True)) == [D("8.00"), D("15.00")]
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="roadshow.sheet")] == [
        "roadshow.sheet_saved", "roadshow.sheet_submitted"]
    with pytest.raises(IllegalTransition):
        roadshow.save_roadshow_sheet(slot=slot, judge=world.judge, scores=scores(world, 1, 1), submit=True)
    assert sorted(RoadshowScore.objects.filter(sheet=sheet).values_list("value", flat=True)) == [D("8.00"), D("15.00")]


@pytest.mark.parametrize("values,message", [
    ({0: "11", 1: "10"}, "商业模式: the score must be between 0 and 10."),
    ({0: "-1", 1: "10"}, "商业模式: the score must be between 0 and 10."),
    ({0: "8.125", 1: "10"}, "商业模式: use at most two decimals."),
    ({0: "8"}, "Score every criterion before submitting: 答辩表现."),
])
def test_bad_scores_are_refused_and_nothing_is_written(world, slot, values, message):
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        roadshow.save_roadshow_sheet(slot=slot, judge=world.judge,
                                     scores={world.rs_criteria[i].pk: v for i, v in values.items()}, submit=True)
    assert str(exc.value) == message
    assert (RoadshowSheet.objects.count(), RoadshowScore.objects.count()) == (0, 0)


def test_a_judge_with_a_conflict_is_refused(world, slot):
    ConflictFactory(proposal=slot.proposal, expert=world.judge)
    with pytest.raises(NotPermitted):
        roadshow.save_roadshow_sheet(slot=slot, judge=world.judge, scores=scores(world, 8, 10), submit=True)
    assert RoadshowSheet.objects.count() == 0


def test_someone_who_is_not_a_judge_is_refused(world, slot):
    with pytest.raises(NotPermitted):
        roadshow.save_roadshow_sheet(slot=slot, judge=world.chair, scores=scores(world, 8, 10), submit=True)


def test_the_applicant_cannot_judge_their_own_pitch(world, slot):
    roadshow.add_roadshow_judge(call=world.call, user=slot.proposal.applicant, kind="investor", actor=world.officer)
    with pytest.raises(NotPermitted):
        roadshow.save_roadshow_sheet(slot=slot, judge=slot.proposal.applicant, scores=scores(world, 8, 10), submit=True)


# the roadshow in the results --------------------------------------------------------------------------

def test_submitted_sheets_make_the_roadshow_score_and_the_final_score(world, slot):
    # judge: 8/10·60 + 15/20·40 = 48 + 30 = 78 ; investor: 6/10·60 + 10/20·40 = 36 + 20 = 56 → roadshow 67.00
    roadshow.save_roadshow_sheet(slot=slot, judge=world.judge, scores=scores(world, 8, 15), submit=True)
    roadshow.save_roadshow_sheet(slot=slot, judge=world.investor, scores=scores(world, 6, 10), submit=True)
    result = proposal_results(slot.proposal)
    # final = 0.6 · 70 + 0.4 · 67 = 42 + 26.8 = 68.80
    assert (result.expert_score, result.roadshow, result.roadshow_sheets, result.final_score) == (
        D("70.00"), D("67.00"), 2, D("68.80"))


def test_draft_sheets_do_not_count(world, slot):
    roadshow.save_roadshow_sheet(slot=slot, judge=world.judge, scores=scores(world, 8, 15), submit=True)
    roadshow.save_roadshow_sheet(slot=slot, judge=world.investor, scores=scores(world, 0, 0), submit=False)
    assert proposal_results(slot.proposal).roadshow == D("78.00")


def test_a_sheet_by_a_judge_later_found_conflicted_is_excluded(world, slot):
    roadshow.save_roadshow_sheet(slot=slot, judge=world.judge, scores=scores(world, 8, 15), submit=True)
    roadshow.save_roadshow_sheet(slot=slot, judge=world.investor, scores=scores(world, 6, 10), submit=True)
    Conflict.objects.create(proposal=slot.proposal, expert=world.investor, source="manual", reason="投资过该团队")
    assert proposal_results(slot.proposal).roadshow == D("78.00")


def test_the_roadshow_can_change_the_ranking(world, slot):
    better_on_paper = world.reviewed([(80,), (70,)])  # 75.00, no roadshow score → final 75.00
    roadshow.save_roadshow_sheet(slot=slot, judge=world.judge, scores=scores(world, 10, 20), submit=True)
    # slot proposal: 0.6 · 70 + 0.4 · 100 = 82.00
    assert [(r.proposal_id, r.final_score) for r in call_results(world.call).proposals] == [
        (slot.proposal.pk, D("82.00")), (better_on_paper.pk, D("75.00"))]
