"""The stored panel snapshot: every change that moves the results refreshes it in its own transaction, it
equals the live computation, the pages read it (a GET computes nothing), incomplete proposals are ranked
apart, and the ranked table sorts, filters and pages on the server."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from core.models import Delivery
from proposals.enums import ProposalStatus
from proposals.models import Proposal
from reviews.enums import ReviewStatus
from reviews.models import PanelRow, PanelSnapshot, Review, Score
from reviews.selectors.snapshot import stored_results, without_status
from reviews.services import roadshow, snapshot as snapshot_services
from reviews.services.assignment import record_conflict
from reviews.services.conflicts import declare_conflict
from reviews.services.panel import record_panel_recommendation, reorder_ranking
from reviews.services.pool import update_profile
from reviews.services.results import call_results
from tests.factories import CallFactory, CriterionFactory, ExpertProfileFactory, UserFactory
from tests.reviews.results_support import PanelWorld
from workflows.services import withdraw_proposal

D = Decimal
pytestmark = pytest.mark.django_db

WORLD = PanelWorld
WORLD_OPTIONS = {"criteria": ((60, 10, 6, False), (40, 5, 3, True)), "expert_types": ("academic", "investor", "academic")}


def client_for(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def version(call):
    return PanelSnapshot.objects.get(call=call).version


def stored_equals_live(call):
    return stored_results(call) == without_status(call_results(call))


# every trigger refreshes ------------------------------------------------------------------------------

def test_each_submitted_review_refreshes_the_snapshot_in_its_transaction(world):
    p, reviews = world.assigned()
    world.submit(reviews[0], (8, 4))
    first = version(world.call)
    world.submit(reviews[1], (6, 3))
    row = PanelRow.objects.get(proposal=p)
    assert (version(world.call), row.review_count, row.complete) == (first + 1, 2, False)
    world.submit(reviews[2], (7, "na"))
    assert (PanelRow.objects.get(proposal=p).complete, stored_equals_live(world.call)) == (True, True)


def test_a_declared_conflict_takes_the_review_out_of_the_stored_figures(world):
    p = world.reviewed([(8, 4), (5, 2), (9, "na")])
    before = version(world.call)
    review = p.reviews.get(expert=world.experts[0])
    declare_conflict(review=review, expert=world.experts[0], reason="合作者")
    assert (version(world.call), PanelRow.objects.get(proposal=p).review_count) == (before + 1, 2)
    assert stored_equals_live(world.call)


def test_the_chairs_reorder_and_recommendation_refresh_the_snapshot(world):
    high = world.reviewed([(8, 4), (9, 5), (9, "na")])
    low = world.reviewed([(2, 1), (3, 1), (2, "na")])
    reorder_ranking(call=world.call, proposal=low, position=1, reason="路演表现突出", actor=world.chair)
    assert list(PanelRow.objects.filter(call=world.call).order_by("rank").values_list("proposal_id", "moved")) == [
        (low.pk, True), (high.pk, True)]
    record_panel_recommendation(proposal=high, chair=world.chair, recommendation="approve", rationale="同意")
    assert PanelRow.objects.get(proposal=high).summary["recommendation"] == "approve"
    assert stored_equals_live(world.call)


def test_a_submitted_roadshow_sheet_refreshes_the_roadshow_score():
    w = PanelWorld(criteria=((1, 100, None, False),), expert_types=("academic", "investor"), experts_per_proposal=2,
                   roadshow_enabled=True, roadshow_weight=D("0.40"))
    judge = UserFactory(role=Role.EXPERT)
    roadshow.add_roadshow_judge(call=w.call, user=judge, kind="judge", actor=w.officer)
    criterion = roadshow.add_roadshow_criterion(call=w.call, actor=w.officer, name_zh="商业模式", weight=D("1"),
                                                max_score=D("10"))
    p = w.reviewed([(80,), (60,)])
    slot = roadshow.schedule_roadshow_slot(call=w.call, proposal=p, starts_at=timezone.now() + dt.timedelta(days=3),
                                           actor=w.officer, location="A101")
    roadshow.save_roadshow_sheet(slot=slot, judge=judge, scores={criterion.pk: D("9")}, submit=False)
    assert PanelRow.objects.get(proposal=p).roadshow is None  # a draft does not count
    roadshow.save_roadshow_sheet(slot=slot, judge=judge, scores={criterion.pk: D("9")}, submit=True)
    assert PanelRow.objects.get(proposal=p).roadshow == D("90.00")
    assert stored_equals_live(w.call)


def test_a_conflict_recorded_by_staff_takes_the_review_out_of_the_stored_figures(world):
    p = world.reviewed([(8, 4), (5, 2), (9, "na")])
    record_conflict(proposal=p, expert=world.experts[2], reason="同一单位", recorded_by=world.officer)
    assert PanelRow.objects.get(proposal=p).review_count == 2
    assert stored_equals_live(world.call)


def test_a_withdrawn_proposal_leaves_the_stored_ranking(world):
    kept = world.reviewed([(2, 1), (3, 1), (2, "na")])
    gone = world.reviewed([(8, 4), (9, 5), (9, "na")])
    withdraw_proposal(proposal=gone, actor=gone.applicant, note="撤回")
    assert list(PanelRow.objects.filter(call=world.call).values_list("proposal_id", "rank")) == [(kept.pk, 1)]
    assert stored_equals_live(world.call)


def test_changing_an_experts_type_refreshes_the_means_by_type(world):
    p = world.reviewed([(8, 4), (5, 2), (9, "na")])
    assert set(PanelRow.objects.get(proposal=p).detail["group_means"]) == {"academic", "investor"}
    update_profile(profile=world.experts[1].expert_profile, data={"expert_type": "academic"}, actor=world.officer)
    assert set(PanelRow.objects.get(proposal=p).detail["group_means"]) == {"academic"}
    assert stored_equals_live(world.call)


# the snapshot equals the live computation ---------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_snapshot_equals_the_live_computation_on_random_calls(seed):
    rng = random.Random(seed)
    world = PanelWorld(criteria=((60, 10, 6, False), (40, 5, 3, True)),
                       expert_types=rng.choice([("academic", "investor", "academic", "investor"),
                                                ("academic",) * 4]),
                       experts_per_proposal=3, ranking_basis=rng.choice(["mean", "trimmed_mean", "median", "calibrated"]))
    proposals = []
    for _ in range(rng.randint(2, 5)):
        n = rng.randint(1, 4)
        rows = [(rng.randint(0, 10), rng.choice([rng.randint(0, 5), "na"])) for _ in range(n)]
        proposals.append(world.reviewed(rows, experts=world.experts[:n], vetoes={0} if rng.random() < 0.2 else ()))
    complete = list(PanelRow.objects.filter(call=world.call, complete=True).order_by("rank"))
    if len(complete) > 1:  # the chair moves the last complete proposal to the top
        reorder_ranking(call=world.call, proposal=complete[-1].proposal, position=1, reason="理由", actor=world.chair)
    stored = stored_results(world.call)
    live = without_status(call_results(world.call))
    assert stored == live
    ranks = [(r.complete, r.rank) for r in stored.proposals]
    assert ranks == sorted(ranks, key=lambda x: (not x[0], x[1]))  # complete first, never interleaved


def test_the_management_command_builds_missing_snapshots(world):
    world.reviewed([(8, 4), (5, 2), (9, "na")])
    PanelSnapshot.objects.all().delete()
    PanelRow.objects.all().delete()
    call_command("build_panel_snapshots", "--missing", verbosity=0)
    assert stored_equals_live(world.call)


# pages read the snapshot ---------------------------------------------------------------------------------

def test_the_pages_compute_nothing_on_a_get(client, world, monkeypatch):
    p = world.reviewed([(8, 4), (5, 2), (9, "na")])

    def refuse(**kwargs):
        raise AssertionError("computed on a GET")

    monkeypatch.setattr(snapshot_services, "compute_results", refuse)
    monkeypatch.setattr("reviews.services.results.compute_results", refuse)
    c = client_for(client, world.chair)
    responses = [c.get(reverse("panel:call", args=[world.call.pk])), c.get(reverse("panel:proposal", args=[p.pk])),
                 client_for(client, world.officer).get(reverse("workflows:panel", args=[p.pk]))]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert p.title in responses[0].content.decode()


def test_a_call_without_a_snapshot_shows_the_results_are_being_computed_and_owes_them(client, world):
    p = world.reviewed([(8, 4), (5, 2), (9, "na")])
    PanelSnapshot.objects.all().delete()
    PanelRow.objects.all().delete()
    html = client_for(client, world.chair).get(reverse("panel:call", args=[world.call.pk])).content.decode()
    assert "The results of this call are being computed." in html and p.title not in html
    delivery = Delivery.objects.get(kind=snapshot_services.OUTBOX_KIND)
    snapshot_services.deliver_panel_snapshot(delivery)
    assert stored_equals_live(world.call)
    assert p.title in client_for(client, world.chair).get(reverse("panel:call", args=[world.call.pk])).content.decode()


# incomplete proposals, sorting, filtering, paging, the reorder control ----------------------------------

def test_an_incomplete_proposal_is_ranked_apart_after_the_complete_ones(client, world):
    complete = world.reviewed([(2, 1), (3, 1), (2, "na")])
    incomplete = world.reviewed([(10, 5)])  # the best score, one review of three
    assert list(PanelRow.objects.filter(call=world.call).order_by("rank").values_list("proposal_id", "rank", "complete")) == [
        (complete.pk, 1, True), (incomplete.pk, 2, False)]
    html = client_for(client, world.chair).get(reverse("panel:call", args=[world.call.pk])).content.decode()
    assert html.index(complete.title) < html.index("Incomplete proposals") < html.index(incomplete.title)


def test_an_incomplete_proposal_cannot_be_moved_among_the_complete_ones(client, world):
    world.reviewed([(2, 1), (3, 1), (2, "na")])
    world.reviewed([(5, 1), (3, 1), (2, "na")])
    incomplete = world.reviewed([(10, 5)])
    response = client_for(client, world.chair).post(reverse("panel:call", args=[world.call.pk]), {
        "proposal": incomplete.pk, "position": 1, "reason": "理由"})
    assert response.status_code == 400
    assert "Choose a position between 3 and 3" in response.content.decode()


def test_the_table_sorts_by_a_score_column_and_filters_on_the_server(client, world):
    a = world.reviewed([(9, 5), (9, 5), (9, "na")], title="Alpha 电池")
    b = world.reviewed([(2, 1), (3, 1), (2, "na")], title="Beta 材料")
    c = client_for(client, world.chair)
    url = reverse("panel:call", args=[world.call.pk])
    html = c.get(url, {"sort": "final_score", "order": "asc"}).content.decode()
    assert html.index(b.title) < html.index(a.title)
    assert 'aria-sort="ascending"' in html
    html = c.get(url, {"q": "Beta"}).content.decode()
    assert b.title in html and a.title not in html


def test_a_bad_sort_parameter_is_refused_with_a_message_and_the_default_order(client, world):
    world.reviewed([(9, 5), (9, 5), (9, "na")])
    response = client_for(client, world.chair).get(reverse("panel:call", args=[world.call.pk]), {"sort": "drop table"})
    assert response.status_code == 400
    assert "Check the filter: the table is shown sorted by rank instead." in response.content.decode()


def test_the_first_screen_shows_a_page_and_links_to_all_rows(client, world, monkeypatch):
    first = world.reviewed([(9, 5), (9, 5), (9, "na")])
    second = world.reviewed([(2, 1), (3, 1), (2, "na")])
    monkeypatch.setattr("reviews.views.panel.PAGE_SIZE", 1)
    c = client_for(client, world.chair)
    url = reverse("panel:call", args=[world.call.pk])
    html = c.get(url).content.decode()
    assert first.title in html and second.title not in html and "Show all 2 rows" in html
    html = c.get(url, {"all": "1"}).content.decode()
    assert first.title in html and second.title in html and "Show all" not in html


def test_the_reorder_control_is_a_position_input_per_row_not_a_list_of_every_proposal(client, world):
    rows = [world.reviewed([(8, 4), (6, 3), (7, "na")]) for _ in range(3)]
    html = client_for(client, world.chair).get(reverse("panel:call", args=[world.call.pk])).content.decode()
    assert "<option" not in html.split('id="reorder"')[1]
    assert [html.count(f'name="to-{p.pk}" form="reorder" min="1" max="3"') for p in rows] == [1, 1, 1]
    assert [html.count(f'form="reorder" name="proposal" value="{p.pk}"') for p in rows] == [1, 1, 1]


def test_the_row_button_moves_its_proposal_to_the_position_typed_in_its_row(client, world):
    high = world.reviewed([(8, 4), (9, 5), (9, "na")])
    low = world.reviewed([(2, 1), (3, 1), (2, "na")])
    response = client_for(client, world.chair).post(reverse("panel:call", args=[world.call.pk]), {
        "proposal": str(low.pk), f"to-{low.pk}": "1", f"to-{high.pk}": "", "reason": "路演表现突出"})
    assert response.status_code == 302
    assert list(PanelRow.objects.filter(call=world.call).order_by("rank").values_list("proposal_id", flat=True)) == [
        low.pk, high.pk]


def test_enter_in_a_rows_input_moves_that_row_although_the_first_rows_button_submits(client, world):
    high = world.reviewed([(8, 4), (9, 5), (9, "na")])
    low = world.reviewed([(2, 1), (3, 1), (2, "na")])
    response = client_for(client, world.chair).post(reverse("panel:call", args=[world.call.pk]), {
        "proposal": str(high.pk), f"to-{high.pk}": "", f"to-{low.pk}": "1", "reason": "路演表现突出"})
    assert response.status_code == 302
    assert list(PanelRow.objects.filter(call=world.call).order_by("rank").values_list("proposal_id", flat=True)) == [
        low.pk, high.pk]


def test_a_row_move_without_a_reason_keeps_the_position_and_says_what_is_missing(client, world):
    world.reviewed([(8, 4), (9, 5), (9, "na")])
    low = world.reviewed([(2, 1), (3, 1), (2, "na")])
    response = client_for(client, world.chair).post(reverse("panel:call", args=[world.call.pk]), {
        "proposal": str(low.pk), f"to-{low.pk}": "1", "reason": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The proposal was not moved" in html and "Reason: This field is required." in html


# query count: 10 and 1,000 rows --------------------------------------------------------------------------

def _bulk_call(n):
    """A call of n proposals × 3 submitted reviews, written with bulk inserts (no signals), then its snapshot."""
    call = CallFactory(experts_per_proposal=3)
    crits = [CriterionFactory(call=call, weight=D(60), max_score=D(10), pass_mark=D(6)),
             CriterionFactory(call=call, weight=D(40), max_score=D(5), pass_mark=None)]
    experts = [UserFactory(role=Role.EXPERT) for _ in range(4)]
    for e in experts:
        ExpertProfileFactory(user=e, expert_type="academic")
    applicant = UserFactory(role=Role.RESEARCHER)
    now = timezone.now()
    proposals = Proposal.objects.bulk_create([
        Proposal(call=call, applicant=applicant, reference=f"B-{call.pk}-{i}", title=f"项目 {i}",
                 status=ProposalStatus.PANEL, submitted_at=now - dt.timedelta(minutes=i)) for i in range(n)])
    reviews = Review.objects.bulk_create([
        Review(proposal=p, expert=experts[(i + j) % 4], status=ReviewStatus.SUBMITTED, submitted_at=now)
        for i, p in enumerate(proposals) for j in range(3 if i % 7 else 2)])
    rng = random.Random(n)
    Score.objects.bulk_create([Score(review=r, criterion=c, value=D(rng.randint(0, 5))) for r in reviews for c in crits])
    snapshot_services.refresh_panel_snapshot(call=call)
    return call


@pytest.mark.parametrize("n", [10, 1000])
@pytest.mark.parametrize("show_all", [False, True])
def test_the_ranked_table_takes_the_same_queries_for_10_and_1000_rows(client, n, show_all, django_assert_num_queries):
    call = _bulk_call(n)
    c = client_for(client, UserFactory(role=Role.PANEL_CHAIR))
    with django_assert_num_queries(10):
        response = c.get(reverse("panel:call", args=[call.pk]), {"all": "1"} if show_all else {})
    incomplete = len(range(0, n, 7))  # every seventh proposal has two reviews of three
    shown = n if show_all else min(n - incomplete, 50) + min(incomplete, 50)
    assert response.content.decode().count('href="/panel/proposals/') == shown
