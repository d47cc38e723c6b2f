"""The scoring page: bands inline, N/A, veto, drafts, typed input kept, time zone, blind review, peer scores."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from proposals.models import AuditEntry
from reviews.enums import ReviewStatus
from reviews.services.assignment import record_conflict
from reviews.services.rubric import even_bands, save_rubric_bands
from tests.e2e.html import page_form
from tests.factories import CriterionFactory, UserFactory
from tests.reviews.scoring_support import (
    APPLICANT_NAME,
    APPLICANT_ORG,
    EXPERT_NAMES,
    INSTITUTION,
    TEAM,
    assigned_proposal,
    scoring_world,
    signed_in,
    snapshot,
)
from workflows import services

pytestmark = pytest.mark.django_db


def url(review):
    return reverse("workflows:review", args=[review.pk])


def english(client):
    client.cookies["django_language"] = "en"
    return client


# what the page shows


def test_the_scoring_form_shows_each_criterions_bands_weight_maximum_and_pass_mark_inline():
    world = scoring_world()
    world.criteria[0].pass_mark = Decimal("6")
    world.criteria[0].save()
    save_rubric_bands(call=world.call, bands={world.criteria[0].pk: even_bands(world.criteria[0])}, actor=world.officer)
    proposal, reviews = assigned_proposal(world)
    with translation.override("en"):
        html = english(signed_in(reviews[0].expert)).get(url(reviews[0])).content.decode()
    assert (
        '<tbody><tr><th scope="row">A</th><td class="num">8.5–10</td><td>Excellent</td></tr>'
        '<tr><th scope="row">B</th><td class="num">7–8.5</td><td>Good</td></tr>'
        '<tr><th scope="row">C</th><td class="num">6–7</td><td>Adequate</td></tr>'
        '<tr><th scope="row">D</th><td class="num">0–6</td><td>Insufficient</td></tr></tbody>'
    ) in html
    assert html.count('<table class="bands">') == 1  # the second criterion has no bands
    assert '<span class="meta">Weight 60 · scores from 0 to 10 · pass mark 6</span>' in html
    assert '<span class="meta">Weight 40 · scores from 0 to 5' in html
    # the bands are a guide shown on demand; the page carries what the running total needs, as the rubric says
    assert html.index("<details") < html.index('<table class="bands">')
    c1, c2 = world.criteria
    assert (f'data-criterion="{c1.pk}" data-weight="60" data-max="10" data-pass-mark="6"') in html
    assert (f'data-criterion="{c2.pk}" data-weight="40" data-max="5"') in html


def test_the_na_box_appears_only_for_criteria_that_allow_it_and_the_veto_only_when_the_call_allows_it():
    world = scoring_world(veto_enabled=False)
    proposal, reviews = assigned_proposal(world)
    form = page_form(signed_in(reviews[0].expert).get(url(reviews[0])), has="opinion")
    c1, c2 = world.criteria
    assert sorted(form.names) == sorted([
        f"score_{c1.pk}", f"score_{c2.pk}", f"na_{c2.pk}", "recommendation", "confidence", "opinion", "panel_note",
        "csrfmiddlewaretoken"])
    assert form.options["recommendation"] == ["strongly_support", "support", "conditional", "do_not_support"]
    assert form.options["confidence"] == ["high", "medium", "low"]
    assert [b.name for b in form.buttons] == ["draft", "submit"]


def test_the_veto_and_its_reason_appear_when_the_call_allows_a_veto():
    world = scoring_world(veto_enabled=True)
    proposal, reviews = assigned_proposal(world)
    form = page_form(signed_in(reviews[0].expert).get(url(reviews[0])), has="opinion")
    assert {"veto", "veto_reason"} <= form.names


def test_the_deadline_is_shown_in_the_calls_time_zone():
    world = scoring_world(time_zone="America/New_York")
    proposal, reviews = assigned_proposal(world)
    reviews[0].deadline = dt.datetime(2030, 1, 15, 12, 0, tzinfo=dt.UTC)
    reviews[0].save(update_fields=["deadline"])
    with translation.override("en"):
        html = english(signed_in(reviews[0].expert)).get(url(reviews[0])).content.decode()
    assert ('<p><strong>Deadline:</strong> 2030-01-15 07:00 <span class="meta">(US Eastern Time, UTC-5)</span></p>') in html


# saving over the web


def test_an_expert_saves_a_draft_then_submits_it_over_the_web():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    review, client = reviews[0], signed_in(reviews[0].expert)
    c1, c2 = world.criteria
    form = page_form(client.get(url(review)), has="opinion")
    draft = client.post(url(review), form.data(**{f"score_{c1.pk}": "7.5", "panel_note": "还需核实"}) | form.press("draft"))
    review.refresh_from_db()
    assert (draft.status_code, draft.url, review.status) == (302, url(review), ReviewStatus.DRAFT)
    # the draft comes back in the form
    form = page_form(client.get(url(review)), has="opinion")
    assert (dict(form.defaults)[f"score_{c1.pk}"], dict(form.defaults)["panel_note"]) == ("7.50", "还需核实")
    check = client.post(url(review), form.data(**{
        f"na_{c2.pk}": "on", "recommendation": "conditional", "confidence": "medium", "opinion": "建议补充中试数据",
    }) | form.press("submit"))
    review.refresh_from_db()
    assert check.status_code == 200 and review.status == ReviewStatus.DRAFT  # the confirmation step: nothing sent yet
    confirm = page_form(check, has="confirmed")
    submitted = client.post(url(review), confirm.data() | confirm.press("submit"))
    review.refresh_from_db()
    assert (submitted.status_code, submitted.url) == (302, reverse("reviews:mine"))
    assert (review.status, review.recommendation, review.confidence, review.opinion, review.panel_note) == (
        ReviewStatus.SUBMITTED, "conditional", "medium", "建议补充中试数据", "还需核实")
    assert sorted(review.scores.values_list("criterion_id", "value", "not_applicable")) == [
        (c1.pk, Decimal("7.50"), False), (c2.pk, None, True)]


def test_an_out_of_range_score_is_refused_with_everything_typed_kept_and_nothing_saved():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    review, client = reviews[0], english(signed_in(reviews[0].expert))
    c1, c2 = world.criteria
    before = snapshot(review)
    form = page_form(client.get(url(review)), has="opinion")
    with translation.override("en"):
        response = client.post(url(review), form.data(**{
            f"score_{c1.pk}": "11", f"score_{c2.pk}": "3", "recommendation": "support", "confidence": "high",
            "veto": "on", "veto_reason": "范围不符", "opinion": "很有前景", "panel_note": "保密说明"}) | form.press("submit"))
    html = response.content.decode()
    kept = page_form(response, has="opinion")
    assert response.status_code == 400
    assert f"{c1.name_en}: the score must be between 0 and 10." in html
    assert [v for n, v in kept.defaults if n in (f"score_{c1.pk}", f"score_{c2.pk}", "recommendation", "confidence",
                                                    "veto", "veto_reason", "opinion", "panel_note")] == [
        "11", "3", "support", "high", "on", "范围不符", "很有前景", "保密说明"]
    assert snapshot(review) == before


def test_a_refused_submission_keeps_what_was_typed_and_says_what_is_missing():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    review, client = reviews[0], english(signed_in(reviews[0].expert))
    c1, c2 = world.criteria
    before = snapshot(review)
    form = page_form(client.get(url(review)), has="opinion")
    with translation.override("en"):
        response = client.post(url(review), form.data(**{
            f"score_{c1.pk}": "9", f"score_{c2.pk}": "5", "confidence": "low", "veto": "on",
            "opinion": "很有前景"}) | form.press("submit"))
    kept = dict(page_form(response, has="opinion").defaults)
    assert response.status_code == 400
    assert '<li class="error">Choose an overall recommendation before submitting. Give the reason for the veto.</li>' in (
        response.content.decode())
    assert (kept[f"score_{c1.pk}"], kept["confidence"], kept["veto"], kept["opinion"]) == ("9", "low", "on", "很有前景")
    assert snapshot(review) == before


def test_a_score_and_na_together_are_refused():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    review, client = reviews[0], english(signed_in(reviews[0].expert))
    c2 = world.criteria[1]
    before = snapshot(review)
    form = page_form(client.get(url(review)), has="opinion")
    with translation.override("en"):
        response = client.post(url(review), form.data(**{f"score_{c2.pk}": "3", f"na_{c2.pk}": "on"}) | form.press("draft"))
    assert response.status_code == 400
    assert f"{c2.name_en}: enter a score or tick N/A, not both." in response.content.decode()
    assert snapshot(review) == before


def test_a_submitted_review_is_shown_read_only_with_the_experts_own_answers():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    world.score(reviews[0], values=(Decimal("8"), "na"), veto=True, veto_reason="超出概念验证范围")
    with translation.override("en"):
        response = english(signed_in(reviews[0].expert)).get(url(reviews[0]))
        html = response.content.decode()
    assert response.status_code == 200
    assert 'name="opinion"' not in html
    assert (f'<tr><td>{world.criteria[0].name_en}</td><td class="num">8</td><td class="num">10</td></tr>'
            f'<tr><td>{world.criteria[1].name_en}</td><td class="num">N/A</td><td class="num">5</td></tr>') in html
    assert '<td class="num">80.00</td>' in html
    assert '<span class="badge veto">Veto cast</span> 超出概念验证范围' in html


def test_posting_to_a_submitted_review_is_refused_with_409_and_changes_nothing():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    world.score(reviews[0])
    before = snapshot(reviews[0])
    response = signed_in(reviews[0].expert).post(url(reviews[0]), {
        f"score_{world.criteria[0].pk}": "1", "opinion": "改", "draft": ""})
    assert response.status_code == 409
    assert snapshot(reviews[0]) == before


# blind review


IDENTITY = [APPLICANT_NAME, APPLICANT_ORG, INSTITUTION, TEAM]


@pytest.mark.parametrize("blind", [True, False])
def test_blind_review_hides_the_applicants_identity_from_the_expert_on_every_page(blind):
    world = scoring_world(blind_identity=blind)
    proposal, reviews = assigned_proposal(world)
    client = signed_in(reviews[0].expert)
    pages = [client.get(url(reviews[0])), client.get(reverse("reviews:mine")), client.get(reverse("home"))]
    world.score(reviews[0])
    pages.append(client.get(url(reviews[0])))  # read-only, after submission
    shown = [[s for s in IDENTITY if s in page.content.decode()] for page in pages]
    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    if blind:
        assert shown == [[], [], [], []]
    else:  # without blind review the scoring pages name the applicant (so the check above can fail)
        assert shown == [IDENTITY, [], [], IDENTITY]


def test_blind_review_still_shows_the_identity_to_staff():
    world = scoring_world(blind_identity=True)
    proposal, reviews = assigned_proposal(world)
    html = signed_in(world.officer).get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert [s for s in [APPLICANT_NAME, INSTITUTION] if s not in html] == []


def test_the_experts_task_mail_names_only_the_reference_and_title_under_blind_review(django_capture_on_commit_callbacks):
    world = scoring_world(blind_identity=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        proposal, reviews = assigned_proposal(world)
    to_experts = [m for m in mail.outbox if set(m.to) & {e.email for e in world.experts}]
    texts = [m.subject + m.body for m in to_experts]
    assert len(to_experts) == 3
    assert [t for t in texts if proposal.reference not in t or proposal.title not in t] == []
    assert [[s for s in IDENTITY if s in t] for t in texts] == [[], [], []]


# peer scores


def test_other_experts_scores_appear_anonymised_only_after_the_expert_has_submitted():
    world = scoring_world(peer_scores="after_own")
    proposal, reviews = assigned_proposal(world)
    world.score(reviews[1], values=(Decimal("6"), Decimal("5")))
    world.score(reviews[2], values=(Decimal("9"), "na"))
    client = english(signed_in(reviews[0].expert))
    with translation.override("en"):
        before = client.get(url(reviews[0])).content.decode()
        world.score(reviews[0])
        after = client.get(url(reviews[0])).content.decode()
    assert ("The other experts&#x27; scores" in before, "76.00" in before, "90.00" in before) == (False, False, False)
    assert ('<tbody><tr><td>Expert 1</td><td class="num">6</td><td class="num">5</td><td class="num">76.00</td></tr>'
            '<tr><td>Expert 2</td><td class="num">9</td><td class="num">N/A</td><td class="num">90.00</td></tr></tbody>') in after
    assert [n for n in EXPERT_NAMES[1:] if n in after] == []
    assert [note for note in (f"机密 {reviews[1].pk}", f"机密 {reviews[2].pk}", f"意见 {reviews[1].pk}") if note in after] == []


def test_other_experts_scores_are_never_shown_when_the_call_says_never():
    world = scoring_world(peer_scores="never")
    proposal, reviews = assigned_proposal(world)
    world.score(reviews[1], values=(Decimal("6"), Decimal("5")))
    world.score(reviews[0])
    with translation.override("en"):
        html = english(signed_in(reviews[0].expert)).get(url(reviews[0])).content.decode()
    assert "The other experts&#x27; scores" not in html
    assert "76.00" not in html


def test_a_recused_experts_scores_are_not_shown_to_the_others():
    world = scoring_world(peer_scores="after_own")
    proposal, reviews = assigned_proposal(world)
    world.score(reviews[1], values=(Decimal("6"), Decimal("5")))
    world.score(reviews[2], values=(Decimal("9"), Decimal("5")))
    record_conflict(proposal=proposal, expert=reviews[2].expert, reason="事后发现合作关系", recorded_by=world.officer)
    world.score(reviews[0])
    with translation.override("en"):
        html = english(signed_in(reviews[0].expert)).get(url(reviews[0])).content.decode()
    assert '<tbody><tr><td>Expert 1</td><td class="num">6</td><td class="num">5</td><td class="num">76.00</td></tr></tbody>' in html
    assert "Expert 2" not in html


# who may open the page


@pytest.mark.parametrize("who", ["other_expert", "fellow_expert", "researcher", "applicant", "officer", "panel_chair"])
def test_only_the_assigned_expert_may_open_the_scoring_page(who):
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    user = {
        "other_expert": lambda: UserFactory(role=Role.EXPERT),
        "fellow_expert": lambda: reviews[1].expert,
        "researcher": lambda: UserFactory(role=Role.RESEARCHER),
        "applicant": lambda: proposal.applicant,
        "officer": lambda: world.officer,
        "panel_chair": lambda: UserFactory(role=Role.PANEL_CHAIR),
    }[who]()
    get = signed_in(user).get(url(reviews[0]))
    post = signed_in(user).post(url(reviews[0]), {"opinion": "x", "draft": ""})
    assert (get.status_code, post.status_code) == (403, 403)
    assert AuditEntry.objects.filter(action="review.draft_saved").count() == 0


def test_an_anonymous_visitor_is_sent_to_log_in():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)

    response = Client().get(url(reviews[0]))
    assert (response.status_code, response.url) == (302, f"{reverse('login')}?next={url(reviews[0])}")


@pytest.mark.parametrize("when", ["before_submitting", "after_submitting"])
def test_an_expert_with_a_conflict_can_no_longer_open_the_review_or_see_any_scores(when):
    world = scoring_world(peer_scores="after_own")
    proposal, reviews = assigned_proposal(world)
    world.score(reviews[1])
    if when == "after_submitting":
        world.score(reviews[0])
    record_conflict(proposal=proposal, expert=reviews[0].expert, reason="同单位", recorded_by=world.officer)
    response = signed_in(reviews[0].expert).get(url(reviews[0]))
    assert response.status_code == 403
    assert "80.00" not in response.content.decode()


def test_the_expert_sees_the_scoring_page_while_the_review_is_open():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    response = signed_in(reviews[0].expert).get(url(reviews[0]))
    assert (response.status_code, response.context["editable"], response.context["peers"]) == (200, True, None)


# query counts


@pytest.mark.parametrize("peers", [1, 2])
def test_the_read_only_page_runs_the_same_queries_for_one_or_two_peer_reviews(peers, django_assert_num_queries):
    world = scoring_world(peer_scores="after_own")
    proposal, reviews = assigned_proposal(world)
    for review in reviews[1:1 + peers]:
        world.score(review)
    world.score(reviews[0])
    client = signed_in(reviews[0].expert)
    client.get(url(reviews[0]))  # warm per-process caches out of the count
    with django_assert_num_queries(QUERIES_READ_ONLY_PAGE):
        response = client.get(url(reviews[0]))
    assert len(response.context["peers"]) == peers


@pytest.mark.parametrize("criteria", [2, 4])
def test_the_scoring_form_runs_the_same_queries_for_two_or_four_banded_criteria(criteria, django_assert_num_queries):
    world = scoring_world()
    world.criteria += [CriterionFactory(call=world.call) for _ in range(criteria - 2)]
    save_rubric_bands(call=world.call, bands={c.pk: even_bands(c) for c in world.criteria}, actor=world.officer)
    proposal, reviews = assigned_proposal(world)
    client = signed_in(reviews[0].expert)
    client.get(url(reviews[0]))
    with django_assert_num_queries(QUERIES_SCORING_FORM):
        response = client.get(url(reviews[0]))
    assert response.content.decode().count('<table class="bands">') == criteria


QUERIES_READ_ONLY_PAGE = 15  # with the expert's queue for previous / next  # session, user, roles, review+scores, conflict, rubric+bands, process+task, peers+scores, answers
QUERIES_SCORING_FORM = 13  # with the expert's queue for previous / next


def test_a_review_whose_task_was_closed_at_its_deadline_is_no_longer_editable():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    review = reviews[0]
    services.save_review_draft(review=review, expert=review.expert, scores={world.criteria[0].pk: "5"}, opinion="草稿")
    task = services.review_task(review=review)
    with task.activation() as activation:  # what the deadline timer does to the expert's task
        activation.cancel()
    before = snapshot(review)
    client = english(signed_in(review.expert))
    with translation.override("en"):
        page = client.get(url(review))
        post = client.post(url(review), {f"score_{world.criteria[0].pk}": "6", "opinion": "改", "draft": ""})
    assert (page.status_code, page.context["editable"], 'name="opinion"' in page.content.decode()) == (200, False, False)
    assert "This review task is closed, for example because its deadline has passed." in page.content.decode()
    assert post.status_code == 409
    assert snapshot(review) == before


def test_after_submitting_the_expert_lands_on_the_next_proposal_to_score_and_can_step_between_them():
    world = scoring_world()
    first, first_reviews = assigned_proposal(world)
    second, second_reviews = assigned_proposal(world)
    review = first_reviews[0]
    following = next(r for r in second_reviews if r.expert_id == review.expert_id)
    client = english(signed_in(review.expert))
    html = client.get(url(review)).content.decode()
    assert f'href="{url(following)}" rel="next"' in html
    assert f'href="{url(review)}" rel="prev"' in client.get(url(following)).content.decode()
    c1, c2 = world.criteria
    form = page_form(client.get(url(review)), has="opinion")
    check = client.post(url(review), form.data(**{
        f"score_{c1.pk}": "8", f"na_{c2.pk}": "on", "recommendation": "support", "confidence": "high",
        "opinion": "很有前景"}) | form.press("submit"))
    assert "80.00" in check.content.decode()  # the server's weighted total (8 of 10; the other criterion N/A)
    confirm = page_form(check, has="confirmed")
    done = client.post(url(review), confirm.data() | confirm.press("submit"))
    assert (done.status_code, done.url) == (302, url(following))
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


def test_going_back_from_the_confirmation_keeps_everything_as_a_draft():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    review, client = reviews[0], signed_in(reviews[0].expert)
    c1, c2 = world.criteria
    form = page_form(client.get(url(review)), has="opinion")
    check = client.post(url(review), form.data(**{
        f"score_{c1.pk}": "7", f"score_{c2.pk}": "3", "recommendation": "support", "confidence": "low",
        "opinion": "待补充"}) | form.press("submit"))
    confirm = page_form(check, has="confirmed")
    back = client.post(url(review), confirm.data() | confirm.press("draft"))
    review.refresh_from_db()
    assert (back.status_code, back.url, review.status, review.opinion) == (302, url(review), ReviewStatus.DRAFT, "待补充")
