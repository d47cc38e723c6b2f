"""The automatic-assignment pages over HTTP: who may use them, what they show, what they change."""

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from reviews.enums import AssignmentRunStatus
from reviews.models import AssignmentRun, Review
from reviews.services.assignment import record_conflict
from reviews.services.auto_assign import propose_assignment
from reviews.views.assignment import diagnostic_sentences
from tests.factories import CallFactory, UserFactory
from tests.reviews.assignment_support import AI, BATTERY, GRAPHENE, AssignmentWorld

pytestmark = pytest.mark.django_db

REFUSED = [Role.RESEARCHER, Role.EXPERT, Role.PANEL_CHAIR, Role.FUND_MANAGER, Role.INCUBATION_MANAGER]


def signed_in(user):
    client = Client()
    assert client.login(request=HttpRequest(), username=user.username, password="pw-secret-123")
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def scene():
    w = AssignmentWorld()
    w.proposal = w.waiting(GRAPHENE)
    w.run = propose_assignment(call=w.call, experts_per_proposal=2, requested_by=w.officer)
    return w


def pages(w):
    return [reverse("assignment:calls"), reverse("assignment:call", args=[w.call.pk]), reverse("assignment:run", args=[w.run.pk])]


@pytest.mark.parametrize("role", REFUSED)
def test_every_assignment_page_is_refused_to_roles_other_than_program_officers(scene, role):
    client = signed_in(UserFactory(role=role))
    for url in pages(scene):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("assignment:call", args=[scene.call.pk]), {"experts_per_proposal": 2}).status_code == 403
    assert client.post(reverse("workflows:apply_assignment", args=[scene.run.pk])).status_code == 403
    assert client.post(reverse("assignment:discard", args=[scene.run.pk])).status_code == 403
    assert AssignmentRun.objects.get().status == AssignmentRunStatus.PROPOSED
    assert Review.objects.count() == 0


def test_anonymous_visitors_are_sent_to_the_login_page(scene):
    for url in pages(scene):
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_the_officer_sees_the_nav_link_and_the_calls_with_proposals_waiting(scene):
    html = signed_in(scene.officer).get(reverse("assignment:calls")).content.decode()
    assert f'<a href="{reverse("assignment:calls")}" aria-current="page">Expert assignment</a>' in html
    assert f'<a href="{reverse("assignment:call", args=[scene.call.pk])}">{scene.call.title_en}</a></td><td class="num">1</td><td class="num">1</td><td class="num">1</td>' in html


def test_the_nav_link_is_not_shown_to_a_panel_chair(scene):
    html = signed_in(UserFactory(role=Role.PANEL_CHAIR)).get(reverse("home")).content.decode()
    assert "Expert assignment" not in html


def test_the_call_page_offers_the_calls_k_and_shows_its_composition_rules_and_runs(scene):
    html = signed_in(scene.officer).get(reverse("assignment:call", args=[scene.call.pk])).content.decode()
    assert 'name="experts_per_proposal" value="3"' in html  # the call's default
    assert "<tr><td>Investor</td><td class=\"num\">1</td><td class=\"num\">—</td></tr>" in html
    assert reverse("assignment:run", args=[scene.run.pk]) in html
    assert "Proposals waiting for experts: 1." in html


def test_proposing_over_http_stores_a_run_and_shows_its_plan(scene):
    client = signed_in(scene.officer)
    response = client.post(reverse("assignment:call", args=[scene.call.pk]), {"experts_per_proposal": 2})
    run = AssignmentRun.objects.order_by("-pk").first()
    assert run.pk != scene.run.pk
    assert response.status_code == 302 and response.url == reverse("assignment:run", args=[run.pk])
    html = client.get(response.url).content.decode()
    assert "Assignment proposed. Review it, then apply it to create the experts&#x27; tasks." in html
    assert "石墨烯专家 · Academic · 石墨烯专家研究所 · " in html
    assert "投资人甲 · Investor" in html
    assert f'action="{reverse("workflows:apply_assignment", args=[run.pk])}"' in html


@pytest.mark.parametrize("value", ["0", "16", "abc", ""])
def test_a_bad_k_is_refused_with_the_form_error_and_nothing_is_stored(scene, value):
    response = signed_in(scene.officer).post(reverse("assignment:call", args=[scene.call.pk]), {"experts_per_proposal": value})
    assert response.status_code == 400
    assert AssignmentRun.objects.count() == 1
    assert 'class="errors"' in response.content.decode()


def test_proposing_for_a_call_without_waiting_proposals_says_so(scene):
    other = CallFactory()
    response = signed_in(scene.officer).post(reverse("assignment:call", args=[other.pk]), {"experts_per_proposal": 2})
    assert response.status_code == 400
    assert "No proposal of this call is waiting for experts." in response.content.decode()
    assert AssignmentRun.objects.count() == 1


def test_applying_over_http_creates_the_reviews(scene):
    client = signed_in(scene.officer)
    response = client.post(reverse("workflows:apply_assignment", args=[scene.run.pk]))
    assert response.status_code == 302
    assert sorted(Review.objects.values_list("expert__full_name", flat=True)) == ["投资人甲", "石墨烯专家"]
    html = client.get(response.url).content.decode()
    assert "Assignment applied: 2 reviews created; each expert has a scoring task in their inbox." in html
    assert f'action="{reverse("workflows:apply_assignment", args=[scene.run.pk])}"' not in html


def test_applying_a_stale_plan_over_http_shows_why_and_changes_nothing(scene):
    record_conflict(proposal=scene.proposal, expert=scene.graphene, reason="新冲突", recorded_by=scene.officer)
    response = signed_in(scene.officer).post(reverse("workflows:apply_assignment", args=[scene.run.pk]))
    assert response.status_code == 400
    assert "石墨烯专家 has a conflict of interest with this proposal. Nothing was applied" in response.content.decode()
    assert Review.objects.count() == 0
    assert AssignmentRun.objects.get().status == AssignmentRunStatus.PROPOSED


def test_discarding_over_http_returns_to_the_call(scene):
    response = signed_in(scene.officer).post(reverse("assignment:discard", args=[scene.run.pk]))
    assert response.status_code == 302 and response.url == reverse("assignment:call", args=[scene.call.pk])
    assert AssignmentRun.objects.get().status == AssignmentRunStatus.DISCARDED
    again = signed_in(scene.officer).post(reverse("workflows:apply_assignment", args=[scene.run.pk]))
    assert again.status_code == 409
    assert "This assignment was discarded and cannot be applied." in again.content.decode()


def test_an_infeasible_plan_shows_what_to_relax_and_offers_no_apply_button(scene):
    run = propose_assignment(call=scene.call, experts_per_proposal=7, requested_by=scene.officer)
    html = signed_in(scene.officer).get(reverse("assignment:run", args=[run.pk])).content.decode()
    assert (f"“{scene.proposal}”: only 5 eligible experts for k=7. Lower k to 5 or add 2 experts without a "
            "conflict of interest to the pool.") in html
    assert f"The best plan leaves 2 places empty in 1 proposals: “{scene.proposal}”." in html
    assert reverse("workflows:apply_assignment", args=[run.pk]) not in html
    assert reverse("assignment:discard", args=[run.pk]) in html


def test_diagnostic_sentences_say_which_rule_to_relax_and_by_how_much():
    items = [
        {"kind": "type_capacity", "type": "investor", "min": 1, "required": 52, "free": 40, "short": 12,
         "max_min": 0, "unmet": 12, "proposals": list(range(1, 13))},
        {"kind": "capacity", "demand": 120, "capacity": 83, "short": 37, "max_k": 2},
        {"kind": "rules_exceed_k", "required": 4, "k": 3, "proposals": [1]},
        {"kind": "rule_unmet", "type": "academic", "min": 1, "missing": 7, "proposals": [1, 2, 3, 4, 5, 6, 7]},
    ]
    labels = {i: f"P{i}" for i in range(1, 13)}
    with translation.override("en"):
        assert diagnostic_sentences(items, labels) == [
            "The rule “at least 1 Investor” cannot be met for 12 proposals: Investor experts have 40 free places "
            "for 52 required. Raise their load caps by 12 in total or lower the rule to 0.",
            "Total load capacity is 37 short: the plan needs 120 reviews and the experts have 83 free places. "
            "Raise the experts' load caps by 37 in total or lower k to 2.",
            "The composition rules need 4 experts per proposal but k is 3: raise k to 4 or lower the rules.",
            "In the best plan the rule “at least 1 Academic” is not met for 7 proposals (7 experts missing): "
            "“P1”, “P2”, “P3”, “P4”, “P5” and 2 more.",
        ]


# N+1 guards

CALLS_QUERIES = 4  # session, user, roles, calls with their counts
CALL_QUERIES = 6  # session, user, roles, call with its counts, composition rules, runs
RUN_QUERIES = 6  # session, user, roles, run, the page's proposals, their candidates


def test_the_calls_page_runs_the_same_queries_for_three_calls_as_for_one(django_assert_num_queries):
    w = AssignmentWorld()
    client = signed_in(w.officer)
    url = reverse("assignment:calls")
    client.get(url)
    with django_assert_num_queries(CALLS_QUERIES):
        assert client.get(url).status_code == 200
    CallFactory(title_en="Second call")
    CallFactory(title_en="Third call")
    with django_assert_num_queries(CALLS_QUERIES):
        html = client.get(url).content.decode()
    assert "Second call" in html and "Third call" in html


def test_the_call_page_runs_the_same_queries_for_three_runs_as_for_one(django_assert_num_queries):
    w = AssignmentWorld()
    w.waiting(GRAPHENE)
    runs = [propose_assignment(call=w.call, experts_per_proposal=2, requested_by=w.officer)]
    client = signed_in(w.officer)
    url = reverse("assignment:call", args=[w.call.pk])
    client.get(url)
    with django_assert_num_queries(CALL_QUERIES):
        assert client.get(url).status_code == 200
    runs += [propose_assignment(call=w.call, experts_per_proposal=k, requested_by=w.officer) for k in (1, 3)]
    with django_assert_num_queries(CALL_QUERIES):
        html = client.get(url).content.decode()
    assert [reverse("assignment:run", args=[r.pk]) in html for r in runs] == [True, True, True]


def test_the_plan_page_runs_the_same_queries_for_three_proposals_as_for_one(django_assert_num_queries):
    w = AssignmentWorld()
    proposals = [w.waiting(GRAPHENE)]
    one = propose_assignment(call=w.call, experts_per_proposal=2, requested_by=w.officer)
    proposals += [w.waiting(AI), w.waiting(BATTERY)]
    three = propose_assignment(call=w.call, experts_per_proposal=2, requested_by=w.officer)
    client = signed_in(w.officer)
    client.get(reverse("assignment:run", args=[one.pk]))
    with django_assert_num_queries(RUN_QUERIES):
        assert client.get(reverse("assignment:run", args=[one.pk])).status_code == 200
    with django_assert_num_queries(RUN_QUERIES):
        html = client.get(reverse("assignment:run", args=[three.pk])).content.decode()
    assert [str(p) in html for p in proposals] == [True, True, True]
