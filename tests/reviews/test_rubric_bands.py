"""Rubric levels: the A–D bands of each criterion, their validation and the "Rubric levels" page."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from core.errors import InvalidInput, NotPermitted
from proposals.models import AuditEntry
from reviews.models import CriterionBand
from reviews.services.rubric import band_problems, even_bands, save_rubric_bands
from tests.e2e.html import page_form
from tests.factories import CallFactory, CriterionFactory, UserFactory
from tests.reviews.scoring_support import signed_in

pytestmark = pytest.mark.django_db

D = Decimal


def bands(*ranges, zh=("优秀", "良好", "合格", "不足")):
    """Bands A–D from (from, to) pairs, top band first."""
    return {letter: {"min_score": D(str(low)), "max_score": D(str(high)), "description_zh": text, "description_en": ""}
            for letter, (low, high), text in zip("ABCD", ranges, zh)}


@pytest.fixture
def criterion():
    return CriterionFactory(call=CallFactory(), name_en="Novelty", max_score=D("10"))


def problems(criterion, given):
    with translation.override("en"):
        return band_problems(criterion=criterion, bands=given)


def stored(criterion):
    return list(CriterionBand.objects.filter(criterion=criterion).values_list("band", "min_score", "max_score", "description_zh"))


# validation


def test_touching_bands_within_the_range_are_accepted(criterion):
    assert problems(criterion, bands((8.5, 10), (7, 8.5), (6, 7), (0, 6))) == []


def test_integer_style_bands_with_gaps_are_accepted(criterion):
    assert problems(criterion, bands((9, 10), (7.5, 8.9), (6, 7.4), (0, 5.9))) == []


def test_no_bands_at_all_is_accepted(criterion):
    assert problems(criterion, {}) == []


def test_even_defaults_are_85_70_60_per_cent_of_the_maximum(criterion):
    assert {k: (v["min_score"], v["max_score"], v["description_en"]) for k, v in even_bands(criterion).items()} == {
        "A": (D("8.50"), D("10.00"), "Excellent"), "B": (D("7.00"), D("8.50"), "Good"),
        "C": (D("6.00"), D("7.00"), "Adequate"), "D": (D("0.00"), D("6.00"), "Insufficient")}


def test_overlapping_bands_are_refused(criterion):
    assert problems(criterion, bands((8, 10), (7, 8.5), (6, 7), (0, 6))) == [
        "Novelty: band A must lie above band B without overlapping it."]


def test_bands_in_the_wrong_order_are_refused(criterion):
    assert problems(criterion, bands((0, 6), (6, 7), (7, 8.5), (8.5, 10))) == [
        "Novelty: band A must lie above band B without overlapping it.",
        "Novelty: band B must lie above band C without overlapping it.",
        "Novelty: band C must lie above band D without overlapping it."]


def test_a_band_beyond_the_maximum_or_reversed_is_refused(criterion):
    assert problems(criterion, bands((8.5, 12), (8, 7), (6, 7), (0, 6))) == [
        "Novelty, band A: the range must lie within 0 and 10.",
        "Novelty, band B: “from” must not be above “to”."]


def test_some_but_not_all_bands_are_refused(criterion):
    partial = bands((8.5, 10), (7, 8.5))
    assert problems(criterion, partial) == ["Novelty: fill in all four bands A–D, or leave them all empty."]


def test_a_band_without_a_chinese_description_is_refused(criterion):
    assert problems(criterion, bands((8.5, 10), (7, 8.5), (6, 7), (0, 6), zh=("优秀", "", "合格", "不足"))) == [
        "Novelty, band B: describe the level in Chinese."]


# the service


def test_saving_bands_replaces_them_and_leaves_an_audit_row(criterion):
    officer = UserFactory(role=Role.PROGRAM_OFFICER)
    save_rubric_bands(call=criterion.call, bands={criterion.pk: even_bands(criterion)}, actor=officer)
    save_rubric_bands(call=criterion.call, bands={criterion.pk: bands((9, 10), (7.5, 8.9), (6, 7.4), (0, 5.9))}, actor=officer)
    audit = AuditEntry.objects.filter(action="rubric.bands_saved").last()
    assert stored(criterion) == [("A", D("9.00"), D("10.00"), "优秀"), ("B", D("7.50"), D("8.90"), "良好"),
                                 ("C", D("6.00"), D("7.40"), "合格"), ("D", D("0.00"), D("5.90"), "不足")]
    assert (audit.actor_id, audit.data) == (officer.pk, {"call": criterion.call_id, "criteria": {str(criterion.pk): {
        "A": ["9.00", "10.00"], "B": ["7.50", "8.90"], "C": ["6.00", "7.40"], "D": ["0.00", "5.90"]}}})


def test_invalid_bands_for_one_criterion_save_nothing_for_any(criterion):
    officer = UserFactory(role=Role.PROGRAM_OFFICER)
    other = CriterionFactory(call=criterion.call, name_en="Market")
    save_rubric_bands(call=criterion.call, bands={criterion.pk: even_bands(criterion)}, actor=officer)
    before = (stored(criterion), stored(other), AuditEntry.objects.count())
    with translation.override("en"):
        with pytest.raises(InvalidInput) as caught:
            save_rubric_bands(call=criterion.call, bands={
                other.pk: even_bands(other), criterion.pk: bands((8, 10), (7, 8.5), (6, 7), (0, 6))}, actor=officer)
        message = str(caught.value)
    assert message == "Novelty: band A must lie above band B without overlapping it."
    assert (stored(criterion), stored(other), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("role", [Role.EXPERT, Role.PANEL_CHAIR, Role.RESEARCHER, Role.FUND_MANAGER])
def test_only_call_managers_may_save_bands(criterion, role):
    with pytest.raises(NotPermitted):
        save_rubric_bands(call=criterion.call, bands={criterion.pk: even_bands(criterion)}, actor=UserFactory(role=role))
    assert stored(criterion) == []


# the page


def rubric_url(call):
    return reverse("reviews:rubric", args=[call.pk])


def test_an_officer_saves_the_bands_of_every_criterion_over_the_web(criterion):
    other = CriterionFactory(call=criterion.call, name_en="Market", max_score=D("5"))
    client = signed_in(UserFactory(role=Role.PROGRAM_OFFICER))
    form = page_form(client.get(rubric_url(criterion.call)), has=f"c{criterion.pk}-A_min_score")
    typed = {}
    for c, ranges in ((criterion, ((8.5, 10), (7, 8.5), (6, 7), (0, 6))), (other, ((4, 5), (3, 4), (2, 3), (0, 2)))):
        for letter, (low, high), zh in zip("ABCD", ranges, ("优", "良", "中", "差")):
            typed |= {f"c{c.pk}-{letter}_min_score": str(low), f"c{c.pk}-{letter}_max_score": str(high),
                      f"c{c.pk}-{letter}_description_zh": zh, f"c{c.pk}-{letter}_description_en": ""}
    response = client.post(rubric_url(criterion.call), form.data(**typed) | form.press("save"))
    assert (response.status_code, response.url) == (302, reverse("proposals:call", args=[criterion.call_id]))
    assert stored(other) == [("A", D("4"), D("5"), "优"), ("B", D("3"), D("4"), "良"), ("C", D("2"), D("3"), "中"),
                             ("D", D("0"), D("2"), "差")]
    assert [b[0] for b in stored(criterion)] == ["A", "B", "C", "D"]


def test_fill_evenly_offers_the_defaults_for_a_criterion_without_bands_and_saves_nothing(criterion):
    client = signed_in(UserFactory(role=Role.PROGRAM_OFFICER))
    page = client.get(rubric_url(criterion.call))
    form = page_form(page, has=f"c{criterion.pk}-A_min_score")
    response = client.post(rubric_url(criterion.call), form.data() | {"fill_even": str(criterion.pk)})
    filled = dict(page_form(response, has=f"c{criterion.pk}-A_min_score").defaults)
    assert form.button("fill_even").value == str(criterion.pk)
    assert response.status_code == 200
    assert [(filled[f"c{criterion.pk}-{x}_min_score"], filled[f"c{criterion.pk}-{x}_max_score"],
             filled[f"c{criterion.pk}-{x}_description_zh"]) for x in "ABCD"] == [
        ("8.50", "10.00", "优秀"), ("7.00", "8.50", "良好"), ("6.00", "7.00", "合格"), ("0.00", "6.00", "不足")]
    assert stored(criterion) == []


def test_the_fill_evenly_button_is_offered_only_for_criteria_without_bands(criterion):
    officer = UserFactory(role=Role.PROGRAM_OFFICER)
    other = CriterionFactory(call=criterion.call)
    save_rubric_bands(call=criterion.call, bands={criterion.pk: even_bands(criterion)}, actor=officer)
    form = page_form(signed_in(officer).get(rubric_url(criterion.call)), has=f"c{criterion.pk}-A_min_score")
    assert [b.value for b in form.buttons if b.name == "fill_even"] == [str(other.pk)]


def test_bad_bands_are_refused_over_the_web_with_what_was_typed_kept_and_nothing_changed(criterion):
    officer = UserFactory(role=Role.PROGRAM_OFFICER)
    save_rubric_bands(call=criterion.call, bands={criterion.pk: even_bands(criterion)}, actor=officer)
    before = (stored(criterion), AuditEntry.objects.count())
    client = signed_in(officer)
    client.cookies["django_language"] = "en"
    form = page_form(client.get(rubric_url(criterion.call)), has=f"c{criterion.pk}-A_min_score")
    with translation.override("en"):
        response = client.post(rubric_url(criterion.call), form.data(**{
            f"c{criterion.pk}-A_min_score": "6.5", f"c{criterion.pk}-B_description_zh": "良好（改）"}) | form.press("save"))
    html = response.content.decode()
    kept = dict(page_form(response, has=f"c{criterion.pk}-A_min_score").defaults)
    assert response.status_code == 400
    assert "Novelty: band A must lie above band B without overlapping it." in html
    assert (kept[f"c{criterion.pk}-A_min_score"], kept[f"c{criterion.pk}-B_description_zh"]) == ("6.5", "良好（改）")
    assert (stored(criterion), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("role", [Role.EXPERT, Role.PANEL_CHAIR, Role.RESEARCHER, Role.FUND_MANAGER, Role.INCUBATION_MANAGER])
def test_the_rubric_page_is_refused_to_everyone_but_call_managers(criterion, role):
    client = signed_in(UserFactory(role=role))
    get = client.get(rubric_url(criterion.call))
    post = client.post(rubric_url(criterion.call), {"fill_even": str(criterion.pk)})
    assert (get.status_code, post.status_code) == (403, 403)
    assert stored(criterion) == []


@pytest.mark.parametrize("role", [Role.PROGRAM_OFFICER, Role.ADMINISTRATOR])
def test_call_managers_may_open_the_rubric_page(criterion, role):
    assert signed_in(UserFactory(role=role)).get(rubric_url(criterion.call)).status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in_from_the_rubric_page(criterion):
    url = rubric_url(criterion.call)
    response = Client().get(url)
    assert (response.status_code, response.url) == (302, f"{reverse('login')}?next={url}")


@pytest.mark.parametrize("n", [1, 3])
def test_the_rubric_page_runs_the_same_queries_for_one_or_three_criteria(n, django_assert_num_queries):
    call = CallFactory()
    officer = UserFactory(role=Role.PROGRAM_OFFICER)
    criteria = [CriterionFactory(call=call) for _ in range(n)]
    save_rubric_bands(call=call, bands={c.pk: even_bands(c) for c in criteria}, actor=officer)
    client = signed_in(officer)
    client.get(rubric_url(call))
    with django_assert_num_queries(RUBRIC_PAGE_QUERIES):
        html = client.get(rubric_url(call)).content.decode()
    assert html.count('<table class="bands">') == n


@pytest.mark.parametrize("n", [1, 3])
def test_the_call_page_shows_the_rubric_with_bands_in_the_same_queries_for_one_or_three_criteria(
        n, django_assert_num_queries):
    call = CallFactory()
    officer = UserFactory(role=Role.PROGRAM_OFFICER)
    criteria = [CriterionFactory(call=call, name_zh=f"指标{i}") for i in range(n)]
    save_rubric_bands(call=call, bands={c.pk: even_bands(c) for c in criteria}, actor=officer)
    client = signed_in(UserFactory(role=Role.RESEARCHER))
    url = reverse("proposals:call", args=[call.pk])
    client.get(url)
    with django_assert_num_queries(CALL_PAGE_QUERIES):
        html = client.get(url).content.decode()
    assert html.count('<tr><th scope="row">A</th><td class="num">8.5–10</td><td>优秀</td></tr>') == n
    assert [f"指标{i}" for i in range(n) if f"指标{i}" not in html] == []


RUBRIC_PAGE_QUERIES = 6  # session, user, roles, call, criteria, bands
CALL_PAGE_QUERIES = 11  # … and the call's funding eligibility rules
