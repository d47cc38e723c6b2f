"""List pages sort, filter and page on the server through GET parameters; bad parameters are named and
ignored, never a 500; sorting and filtering add no query per row."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from core.listing import build_listing
from incubation.models import Project
from proposals.enums import ProposalStatus
from proposals.filters import CallFilter
from proposals.models import Call
from tests.factories import CallFactory, UserFactory
from tests.helpers import World
from tests.reviews.pool_support import make_expert
from workflows import services

pytestmark = pytest.mark.django_db


def signed_in(user):
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(request=HttpRequest(), username=user.username, password="pw-secret-123")
    return client


def listing_for(query, per_page=2):
    request = RequestFactory().get("/calls/", query)
    with translation.override("en"):
        listing = build_listing(request, filterset_class=CallFilter, queryset=Call.objects.order_by("pk"),
                                per_page=per_page)
        errors = {name: [str(e) for e in errs] for name, errs in listing.errors.items()}
    return listing, errors


@pytest.fixture
def calls():
    return [CallFactory(title_zh=title, max_request=Decimal(amount))
            for title, amount in (("乙征集", "300000"), ("甲征集", "100000"), ("丙征集", "200000"))]


def test_a_list_sorts_by_a_known_key_both_ways_and_breaks_ties_by_primary_key(calls):
    ascending, _ = listing_for({"sort": "maximum"}, per_page=10)
    descending, _ = listing_for({"sort": "-maximum"}, per_page=10)
    assert [c.title_zh for c in ascending.rows] == ["甲征集", "丙征集", "乙征集"]
    assert [c.title_zh for c in descending.rows] == ["乙征集", "丙征集", "甲征集"]
    assert (ascending.sort, descending.sort) == ("maximum", "-maximum")


def test_an_unknown_sort_key_is_ignored_and_named(calls):
    listing, errors = listing_for({"sort": "password"}, per_page=10)
    assert [c.pk for c in listing.rows] == [c.pk for c in calls]  # the list's own order
    assert listing.sort == ""
    assert list(errors) == ["sort"]
    assert "password" in errors["sort"][0]


def test_pages_keep_their_size_and_a_bad_page_number_shows_the_nearest_page(calls):
    first, _ = listing_for({})
    second, _ = listing_for({"page": "2"})
    too_far, _ = listing_for({"page": "99"})
    nonsense, _ = listing_for({"page": "abc"})
    assert [len(first.rows), len(second.rows)] == [2, 1]
    assert (too_far.page.number, nonsense.page.number) == (2, 1)


def test_a_search_filters_and_marks_the_list_filtered(calls):
    listing, errors = listing_for({"q": "丙"})
    assert ([c.title_zh for c in listing.rows], listing.filtered, errors) == (["丙征集"], True, {})
    plain, _ = listing_for({"sort": "title"})
    assert plain.filtered is False  # sorting is not filtering


# the pages, over HTTP


def rows_of(html):
    return re.findall(r'<a href="/proposals/\d+/">([^<]+)</a>', html)


def test_all_proposals_sort_by_title_and_filter_by_status():
    world = World()
    for title in ("Beta sensor", "Alpha battery", "Gamma catalyst"):
        world.submitted(title=title)
    client = signed_in(world.officer)
    by_title = client.get(reverse("proposals:all"), {"sort": "title"}).content.decode()
    reverse_title = client.get(reverse("proposals:all"), {"sort": "-title"}).content.decode()
    assert rows_of(by_title) == ["Alpha battery", "Beta sensor", "Gamma catalyst"]
    assert rows_of(reverse_title) == ["Gamma catalyst", "Beta sensor", "Alpha battery"]
    assert 'aria-sort="ascending"><a class="sort" id="sort-title" href="?sort=-title">Title' in by_title
    assert rows_of(client.get(reverse("proposals:all"), {"status": ProposalStatus.FUNDED}).content.decode()) == []
    assert rows_of(client.get(reverse("proposals:all"), {"q": "gamma"}).content.decode()) == ["Gamma catalyst"]


def test_bad_list_parameters_are_named_and_ignored_never_a_500():
    world = World()
    world.submitted(title="Alpha battery")
    client = signed_in(world.officer)
    response = client.get(reverse("proposals:all"), {"sort": "applicant__password", "status": "nonsense",
                                                    "call": "x", "page": "-3"})
    html = response.content.decode()
    assert response.status_code == 200
    assert rows_of(html) == ["Alpha battery"]
    assert "Some filters were not understood and were ignored:" in html
    assert html.count("Select a valid choice.") == 3  # sort, status, call


def test_the_filter_bar_is_a_plain_get_form_that_htmx_enhances():
    world = World()
    world.submitted(title="Alpha battery")
    html = signed_in(world.officer).get(reverse("proposals:all")).content.decode()
    form = re.search(r'<form method="get" id="filter-bar" class="filter-bar"[^>]*>', html).group(0)
    assert f'hx-get="{reverse("proposals:all")}"' in form and 'hx-target="#results"' in form and 'hx-select="#results"' in form
    assert '<div id="results" aria-live="polite">' in html
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in html


def test_an_empty_list_says_what_to_do_next():
    officer = UserFactory(role=Role.PROGRAM_OFFICER)
    html = signed_in(officer).get(reverse("proposals:all")).content.decode()
    assert '<div class="empty-state">' in html
    assert f'<a class="button" href="{reverse("proposals:calls")}">See the calls</a>' in html
    filtered = signed_in(officer).get(reverse("proposals:all"), {"q": "nothing"}).content.decode()
    assert "No proposal matches these filters." in filtered and '<a class="button secondary" href="?">' in filtered


def test_the_breadcrumbs_end_on_the_current_page():
    html = signed_in(UserFactory(role=Role.RESEARCHER)).get(reverse("proposals:mine")).content.decode()
    crumbs = re.search(r'<nav class="breadcrumbs" aria-label="Breadcrumb">\s*<ol>(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", crumbs) == [f'<a href="{reverse("home")}">Home</a>',
                                                      '<span aria-current="page">My proposals</span>']


def count(client, url, query):
    client.get(url, query)  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("query", [{"sort": "-submitted", "status": ProposalStatus.SUBMITTED, "q": "a"},
                                   {"sort": "call"}])
def test_sorting_and_filtering_all_proposals_adds_no_query_per_row(query):
    world = World()
    client = signed_in(world.officer)
    world.submitted(title="Alpha one")
    one = count(client, reverse("proposals:all"), query)
    world.submitted(title="Alpha two")
    world.submitted(title="Alpha three")
    assert count(client, reverse("proposals:all"), query) == one


@pytest.mark.parametrize("query", [{"sort": "-load", "active": ""}, {"sort": "name", "expert_type": "academic", "institution": "大学"}])
def test_sorting_and_filtering_the_pool_adds_no_query_per_row(query):
    world = World()
    client = signed_in(world.officer)
    make_expert(name="专家0", user=world.experts[0])
    one = count(client, reverse("pool:list"), query)
    make_expert(name="专家1", user=world.experts[1])
    make_expert(name="专家2", user=world.experts[2])
    assert count(client, reverse("pool:list"), query) == one
    assert count(client, reverse("pool:list"), query) <= 7


def test_the_pool_sorts_by_a_number_column_descending():
    world = World()
    for i, expert in enumerate(world.experts):
        make_expert(name=f"专家{i}", user=expert, max_load=5 + i)
    html = signed_in(world.officer).get(reverse("pool:list"), {"sort": "-maximum"}).content.decode()
    assert re.findall(r'<a href="/pool/\d+/">([^<]+)</a>', html) == [e.display_name for e in reversed(world.experts)]


@pytest.mark.parametrize("url_name,query", [
    ("proposals:mine", {"sort": "-updated", "status": "bogus"}),
    ("proposals:calls", {"sort": "-closes", "q": "征集"}),
    ("incubation:projects", {"sort": "-paid", "status": "active", "q": "x"}),
    ("incubation:reports", {"sort": "due", "overdue": "1", "status": "submitted"}),
    ("pool:list", {"sort": "nonsense", "expert_type": "academic"}),
    ("funding:funds", {}),
    ("incubation:disbursements", {}),
    ("workflows:deliveries", {"show": "failed", "page": "x"}),
    ("reviews:mine", {}),
])
def test_every_list_answers_its_parameters_with_200(url_name, query):
    roles = {"proposals:mine": Role.RESEARCHER, "reviews:mine": Role.EXPERT, "incubation:projects": Role.INCUBATION_MANAGER,
             "incubation:reports": Role.INCUBATION_MANAGER, "funding:funds": Role.FUND_MANAGER,
             "incubation:disbursements": Role.FUND_MANAGER}
    user = UserFactory(role=roles.get(url_name, Role.PROGRAM_OFFICER))
    response = signed_in(user).get(reverse(url_name), query)
    assert (url_name, response.status_code) == (url_name, 200)
    assert '<nav class="breadcrumbs" aria-label="Breadcrumb">' in response.content.decode()


@pytest.mark.parametrize("query", [{"sort": "-paid", "status": "active"}, {"sort": "manager", "q": "a"}])
def test_sorting_and_filtering_the_projects_adds_no_query_per_row(query):
    world = World()
    client = signed_in(world.incubator)

    def start_one():
        proposal = world.funded(title=f"A project {Project.objects.count()}")
        services.start_incubation(proposal=proposal, manager=world.incubator,
                                  milestones=[{"title": "样机", "due_date": dt.date(2027, 6, 30)}])

    start_one()
    one = count(client, reverse("incubation:projects"), query)
    start_one()
    start_one()
    assert count(client, reverse("incubation:projects"), query) == one
