"""N+1 guards: a list page runs the same number of queries for one item as for three."""

import datetime as dt

import pytest
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role
from tests.factories import CallFactory, UserFactory
from tests.helpers import World
from workflows import services

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    assert client.login(request=HttpRequest(), username=user.username, password="pw-secret-123")
    return client


def measure(client, url):
    """(number of queries, page html) of one GET; the page must render."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def counts_for_one_and_three(client, url, add_one, titles):
    """Measure with one item, add two more, measure again; every item must be on the page."""
    add_one()
    client.get(url)  # warm per-process caches (content types, translations) out of the count
    one, html = measure(client, url)
    assert [t for t in titles() if t not in html] == []
    add_one()
    add_one()
    three, html = measure(client, url)
    assert len(titles()) == 3
    assert [t for t in titles() if t not in html] == []
    return one, three


def test_the_all_proposals_page_runs_as_many_queries_for_three_proposals_as_for_one():
    world = World()
    made = []
    one, three = counts_for_one_and_three(
        signed_in(world.officer), reverse("proposals:all"),
        add_one=lambda: made.append(world.submitted()), titles=lambda: [p.title for p in made])
    assert three == one


def test_my_proposals_page_runs_as_many_queries_for_three_proposals_as_for_one():
    world = World()
    researcher = UserFactory(role=Role.RESEARCHER)
    made = []
    one, three = counts_for_one_and_three(
        signed_in(researcher), reverse("proposals:mine"),
        add_one=lambda: made.append(world.submitted(applicant=researcher)), titles=lambda: [p.title for p in made])
    assert three == one


def test_my_reviews_page_runs_as_many_queries_for_three_reviews_as_for_one():
    world = World()
    expert = world.experts[0]
    made = []
    one, three = counts_for_one_and_three(
        signed_in(expert), reverse("reviews:mine"),
        add_one=lambda: made.append(world.assigned()), titles=lambda: [p.title for p in made])
    assert three == one


def test_my_reviews_page_runs_as_many_queries_for_three_declared_conflicts_as_for_one():
    world = World(experts=1)
    expert = world.experts[0]
    reasons = []

    def decline_one():
        proposal = world.assigned()
        reasons.append(f"同单位 {proposal.pk}")
        services.decline_review(review=world.reviews[0], expert=expert, reason=reasons[-1])

    one, three = counts_for_one_and_three(signed_in(expert), reverse("reviews:mine"), add_one=decline_one,
                                          titles=lambda: reasons)
    assert three == one


def test_the_officers_home_runs_as_many_queries_for_three_queued_tasks_as_for_one():
    world = World()
    made = []
    one, three = counts_for_one_and_three(
        signed_in(world.officer), reverse("home"),
        add_one=lambda: made.append(world.submitted()), titles=lambda: [p.title for p in made])
    assert three == one


def test_the_officers_home_runs_as_many_queries_for_three_claimed_tasks_as_for_one():
    world = World()
    made = []

    def claim_one():
        proposal = world.submitted()
        services.claim_screening(proposal=proposal, officer=world.officer)
        made.append(proposal)

    one, three = counts_for_one_and_three(signed_in(world.officer), reverse("home"), add_one=claim_one,
                                          titles=lambda: [p.title for p in made])
    assert three == one


def test_the_experts_home_runs_as_many_queries_for_three_review_tasks_as_for_one():
    world = World()
    made = []
    one, three = counts_for_one_and_three(
        signed_in(world.experts[0]), reverse("home"),
        add_one=lambda: made.append(world.assigned()), titles=lambda: [p.title for p in made])
    assert three == one


def test_the_researchers_home_runs_as_many_queries_for_three_proposals_as_for_one():
    world = World()
    researcher = UserFactory(role=Role.RESEARCHER)
    made = []
    one, three = counts_for_one_and_three(
        signed_in(researcher), reverse("home"),
        add_one=lambda: made.append(world.submitted(applicant=researcher)), titles=lambda: [p.title for p in made])
    assert three == one


def test_the_calls_page_runs_as_many_queries_for_three_calls_as_for_one():
    officer = UserFactory(role=Role.PROGRAM_OFFICER)
    made = []
    one, three = counts_for_one_and_three(
        signed_in(officer), reverse("proposals:calls"),
        add_one=lambda: made.append(CallFactory(title_zh=f"征集{len(made)}号")), titles=lambda: [c.title for c in made])
    assert three == one


def test_the_projects_page_runs_as_many_queries_for_three_projects_as_for_one():
    world = World()
    made = []

    def start_one():
        proposal = world.funded()
        services.start_incubation(proposal=proposal, manager=world.incubator,
                                  milestones=[{"title": "样机", "due_date": dt.date(2027, 6, 30)}])
        made.append(proposal)

    one, three = counts_for_one_and_three(signed_in(world.incubator), reverse("incubation:projects"),
                                          add_one=start_one, titles=lambda: [p.title for p in made])
    assert three == one
