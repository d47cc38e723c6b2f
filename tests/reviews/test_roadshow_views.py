"""Roadshow pages over HTTP: staff set-up, the judges' slots and score sheets, refusals, query counts."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from proposals.models import AuditEntry
from reviews.models import RoadshowCriterion, RoadshowJudge, RoadshowSheet, RoadshowSlot
from reviews.services import roadshow
from tests.factories import ConflictFactory, UserFactory
from tests.reviews.results_support import PanelWorld

D = Decimal
pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = (timezone.now() + dt.timedelta(days=3)).astimezone(SHANGHAI).replace(hour=9, minute=0, second=0, microsecond=0)


@pytest.fixture
def world():
    w = PanelWorld(criteria=((1, 100, None, False),), expert_types=("academic", "investor"), roadshow_enabled=True,
                   time_zone="Asia/Shanghai")
    w.judge = UserFactory(role=Role.EXPERT)
    roadshow.add_roadshow_judge(call=w.call, user=w.judge, kind="judge", actor=w.officer)
    w.rs_criteria = [roadshow.add_roadshow_criterion(call=w.call, actor=w.officer, name_zh="商业模式", weight=D("1"), max_score=D("10"))]
    return w


@pytest.fixture
def slot(world):
    p = world.reviewed([(80,), (60,)], experts=world.experts, )
    return roadshow.schedule_roadshow_slot(call=world.call, proposal=p, starts_at=START, actor=world.officer, location="A101")


def client_for(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


# staff set-up ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.PANEL_CHAIR, Role.EXPERT, Role.RESEARCHER, Role.FUND_MANAGER, Role.INCUBATION_MANAGER])
def test_only_program_officers_open_the_roadshow_set_up(client, world, role):
    c = client_for(client, UserFactory(role=role))
    responses = [c.get(reverse("panel:roadshow", args=[world.call.pk])),
                 c.post(reverse("panel:roadshow_criterion_add", args=[world.call.pk]), {"name_zh": "演示", "weight": "1", "max_score": "5"})]
    assert [r.status_code for r in responses] == [403, 403]
    assert RoadshowCriterion.objects.count() == 1


def test_the_officer_schedules_a_slot_in_the_calls_time_zone(client, world):
    p = world.reviewed([(80,), (60,)])
    response = client_for(client, world.officer).post(reverse("panel:roadshow_slot_add", args=[world.call.pk]), {
        "proposal": p.pk, "starts_at": START.strftime("%Y-%m-%dT%H:%M"), "location": "A101"})
    slot = RoadshowSlot.objects.get()
    assert (response.status_code, response.url) == (302, reverse("panel:roadshow", args=[world.call.pk]))
    assert (slot.starts_at, slot.pitch_minutes, slot.qa_minutes) == (START, 8, 7)
    page = client_for(client, world.officer).get(reverse("panel:roadshow", args=[world.call.pk])).content.decode()
    assert START.strftime("%Y-%m-%d 09:00") + "–09:15" in page


def test_an_overlapping_slot_is_refused_with_a_message_and_nothing_changes(client, world, slot):
    other = world.reviewed([(70,), (70,)])
    response = client_for(client, world.officer).post(reverse("panel:roadshow_slot_add", args=[world.call.pk]), {
        "proposal": other.pk, "starts_at": (START + dt.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"), "location": "A101"})
    assert response.status_code == 400
    assert "overlaps the slot of" in response.content.decode()
    assert RoadshowSlot.objects.count() == 1


def test_a_bad_criterion_form_is_refused_and_nothing_changes(client, world):
    response = client_for(client, world.officer).post(reverse("panel:roadshow_criterion_add", args=[world.call.pk]), {
        "name_zh": "", "weight": "-1", "max_score": "5"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert RoadshowCriterion.objects.count() == 1


def test_the_officer_adds_a_judge_from_any_account(client, world):
    investor = UserFactory(role=Role.RESEARCHER)
    response = client_for(client, world.officer).post(reverse("panel:roadshow_judge_add", args=[world.call.pk]), {
        "user": investor.pk, "kind": "investor"})
    assert response.status_code == 302
    assert RoadshowJudge.objects.get(user=investor).kind == "investor"


# judges ---------------------------------------------------------------------------------------------

def test_a_judge_scores_a_slot_over_http(client, world, slot):
    c = client_for(client, world.judge)
    page = c.get(reverse("panel:sheet", args=[slot.pk]))
    draft = c.post(reverse("panel:sheet", args=[slot.pk]), {f"score_{world.rs_criteria[0].pk}": "7", "comment": "草稿", "save": ""})
    final = c.post(reverse("panel:sheet", args=[slot.pk]), {f"score_{world.rs_criteria[0].pk}": "8.5", "comment": "清楚", "submit": ""})
    sheet = RoadshowSheet.objects.get()
    assert (page.status_code, draft.status_code, final.status_code, final.url) == (200, 302, 302, reverse("panel:my_slots"))
    assert (sheet.submitted_at is not None, sheet.comment, [s.value for s in sheet.scores.all()]) == (True, "清楚", [D("8.50")])
    again = c.get(reverse("panel:sheet", args=[slot.pk])).content.decode()
    assert "A submitted score sheet is final." in again and "<form" not in again.split("<main")[1]


def test_an_out_of_range_score_is_refused_and_nothing_is_saved(client, world, slot):
    response = client_for(client, world.judge).post(reverse("panel:sheet", args=[slot.pk]), {
        f"score_{world.rs_criteria[0].pk}": "11", "submit": ""})
    assert response.status_code == 400
    assert "Check the scores: each must lie within its criterion&#x27;s range." in response.content.decode()
    assert RoadshowSheet.objects.count() == 0


def test_judges_never_see_the_experts_confidential_notes(client, world, slot):
    html = client_for(client, world.judge).get(reverse("panel:sheet", args=[slot.pk])).content.decode()
    notes = [f"机密 {r.pk}" for r in slot.proposal.reviews.all()]
    opinions = [f"意见 {r.pk}" for r in slot.proposal.reviews.all()]
    assert ([n for n in notes if n in html], [o for o in opinions if o in html]) == ([], [])
    assert slot.proposal.title in html


def test_a_conflicted_judge_is_refused_and_does_not_see_the_slot(client, world, slot):
    ConflictFactory(proposal=slot.proposal, expert=world.judge)
    c = client_for(client, world.judge)
    sheet = c.get(reverse("panel:sheet", args=[slot.pk]))
    post = c.post(reverse("panel:sheet", args=[slot.pk]), {f"score_{world.rs_criteria[0].pk}": "8", "submit": ""})
    listing = c.get(reverse("panel:my_slots")).content.decode()
    assert (sheet.status_code, post.status_code) == (403, 403)
    assert slot.proposal.title not in listing
    assert RoadshowSheet.objects.count() == 0


@pytest.mark.parametrize("role", [Role.EXPERT, Role.RESEARCHER, Role.PANEL_CHAIR, Role.FUND_MANAGER, Role.INCUBATION_MANAGER])
def test_someone_who_is_not_a_judge_is_refused(client, world, slot, role):
    c = client_for(client, UserFactory(role=role))
    responses = [c.get(reverse("panel:my_slots")), c.get(reverse("panel:sheet", args=[slot.pk]))]
    assert [r.status_code for r in responses] == [403, 403]


@pytest.mark.parametrize("n", [1, 3])
def test_the_judges_slot_list_takes_a_constant_number_of_queries(client, world, n, django_assert_num_queries):
    for i in range(n):
        p = world.reviewed([(70,), (70,)])
        slot = roadshow.schedule_roadshow_slot(call=world.call, proposal=p, starts_at=START + dt.timedelta(hours=i),
                                               actor=world.officer)
        roadshow.save_roadshow_sheet(slot=slot, judge=world.judge, scores={world.rs_criteria[0].pk: D("5")}, submit=i == 0)
    c = client_for(client, world.judge)
    with django_assert_num_queries(6):
        response = c.get(reverse("panel:my_slots"))
    assert response.content.decode().count('href="/panel/roadshow/slots/') == n


@pytest.mark.parametrize("n", [1, 3])
def test_the_roadshow_set_up_page_takes_a_constant_number_of_queries(client, world, n, django_assert_num_queries):
    for i in range(n):
        p = world.reviewed([(70,), (70,)])
        roadshow.schedule_roadshow_slot(call=world.call, proposal=p, starts_at=START + dt.timedelta(hours=i), actor=world.officer)
    c = client_for(client, world.officer)
    with django_assert_num_queries(9):
        response = c.get(reverse("panel:roadshow", args=[world.call.pk]))
    assert response.content.decode().count("Cancel slot") == n


def test_the_officer_cancels_a_slot_without_sheets_and_it_is_audited(client, world, slot):
    response = client_for(client, world.officer).post(reverse("panel:roadshow_slot_cancel", args=[slot.pk]))
    assert (response.status_code, RoadshowSlot.objects.count()) == (302, 0)
    assert AuditEntry.objects.get(action="roadshow.slot_cancelled").proposal == slot.proposal


def test_a_slot_with_a_started_sheet_cannot_be_cancelled_over_http(client, world, slot):
    roadshow.save_roadshow_sheet(slot=slot, judge=world.judge, scores={world.rs_criteria[0].pk: D("5")}, submit=False)
    response = client_for(client, world.officer).post(reverse("panel:roadshow_slot_cancel", args=[slot.pk]))
    assert response.status_code == 409
    assert "Judges have already started score sheets for this slot; it cannot be cancelled." in response.content.decode()
    assert RoadshowSlot.objects.count() == 1


def test_a_scored_roadshow_criterion_cannot_be_removed(client, world, slot):
    roadshow.save_roadshow_sheet(slot=slot, judge=world.judge, scores={world.rs_criteria[0].pk: D("5")}, submit=True)
    response = client_for(client, world.officer).post(reverse("panel:roadshow_criterion_remove", args=[world.rs_criteria[0].pk]))
    assert (response.status_code, RoadshowCriterion.objects.count()) == (409, 1)
