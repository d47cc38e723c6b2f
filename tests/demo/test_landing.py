"""Every demo login lands on work: after `seed_demo`, each role's home page (工作台) counts what waits for it and
links to the page where it is done, and that page offers the action."""

import html as html_lib
import re

import pytest
from django.urls import reverse

from accounts.models import User
from demo import seed as demo
from funding.selectors import pending_approval
from incubation.enums import ReportStatus
from incubation.models import ProgressReport
from proposals.enums import ProposalStatus as S
from proposals.models import Proposal
from workflows import services
from workflows.flows import ProposalFlow

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = demo.seed_demo()
        demo.seed_demo_story(call=result["call"])


def tiles(client, username):
    """{label: (count, href)} of the home page's tiles, read from the rendered page (in English)."""
    User.objects.filter(username=username).update(language="en")
    client.force_login(User.objects.get(username=username))
    client.cookies["django_language"] = "en"
    html = client.get(reverse("home")).content.decode()
    found = {}
    for href, count, label in re.findall(
            r'<li class="tile[^"]*">\s*<a href="([^"]+)"><span class="tile-count">([^<]+)</span>\s*'
            r'<span class="tile-label">([^<]+)</span>', html):
        found[html_lib.unescape(label)] = (count, html_lib.unescape(href))
    return found


def story(title):
    return Proposal.objects.get(title=title, applicant__username="researcher")


def test_the_story_leaves_something_waiting_for_every_role(seeded):
    assert story(demo.STORY_DRAFT).status == S.DRAFT
    assert story(demo.STORY_RETURNED).status == S.RETURNED
    assert services.open_task(proposal=story(demo.STORY_TO_ASSIGN), node=ProposalFlow.assign_experts) is not None
    assert story(demo.STORY_PANEL).status == S.PANEL and not story(demo.STORY_PANEL).panel_recommendations.exists()
    assert story(demo.STORY_FUNDING).status == S.FUNDING
    four_eyes = story(demo.STORY_FOUR_EYES)
    pending = pending_approval(proposal=four_eyes)
    assert four_eyes.status == S.FUNDING and pending is not None and pending.approver.username == "fundmanager2"
    assert pending.amount > four_eyes.call.fund.four_eyes_threshold
    assert ProgressReport.objects.filter(status=ReportStatus.SUBMITTED).count() == 1


@pytest.mark.parametrize(("username", "label", "count"), [
    ("researcher", "Drafts to finish", "1"),
    ("researcher", "Returned to you for revision", "1"),
    ("expert2", "Reviews to score", "1"),
    ("officer", "Formal screening", "1"),
    ("officer", "Assign experts", "1"),
    ("chair", "Proposals waiting for the panel's recommendation", "1"),
    ("fundmanager", "First approvals waiting for you as second approver", "1"),
    ("fundmanager", "Tranches ready to release", "1"),
    ("incubator", "Progress reports to review", "1"),
    ("techmanager", "Projects you accompany", "1"),
])
def test_each_role_sees_what_waits_and_the_link_opens_the_page_where_it_is_done(seeded, client, username, label,
                                                                                 count):
    found = tiles(client, username)
    assert label in found, sorted(found)
    shown, href = found[label]
    assert shown == count
    if not href.startswith("#"):
        assert client.get(href).status_code == 200


def test_the_second_fund_manager_does_not_confirm_their_own_first_approval(seeded, client):
    assert "First approvals waiting for you as second approver" in tiles(client, "fundmanager")
    assert tiles(client, "fundmanager2")["First approvals waiting for you as second approver"][0] == "0"


def test_roles_see_only_their_own_figures(seeded, client):
    expert = tiles(client, "expert1")
    assert "Reviews to score" in expert
    assert not {"Drafts to finish", "Tranches ready to release", "Progress reports to review",
                "Letters and mails given up"} & set(expert)
    researcher = tiles(client, "researcher")
    assert not {"Reviews to score", "Proposals waiting for the panel's recommendation",
                "Expert reviews past their deadline"} & set(researcher)


def test_the_home_page_costs_the_same_queries_however_much_waits(seeded, client, django_assert_max_num_queries):
    client.force_login(User.objects.get(username="admin"))  # every figure at once
    with django_assert_max_num_queries(40) as first:
        assert client.get(reverse("home")).status_code == 200
    for title in demo.STORY_TITLES[:3]:  # more proposals in every state: the figures grow, the queries do not
        Proposal.objects.filter(title=title).update(title=f"{title}·")
    demo.seed_demo_story()
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(reverse("home")).status_code == 200


def test_no_demo_role_is_shown_a_link_it_may_not_open(seeded, client):
    """The chair's "open the project" and the technology manager's "view the proposal" were links to a 403:
    every link a page shows its viewer opens (the crawler follows links only; the menu is tested apart)."""
    from tests.test_post_twice import Crawl, top_pages  # noqa: PLC0415

    starts = set(top_pages())
    refused = []
    for user in User.objects.filter(username__in=[name for name, *_rest in demo.DEMO_USERS]).order_by("pk"):
        client.force_login(user)
        crawl = Crawl(client)
        crawl.walk(*starts)
        refused += [(user.username, path, status) for method, path, status in crawl.answers
                    if status == 403 and path not in starts]
    assert refused == []


def test_a_stale_start_incubation_link_says_it_is_done_and_leads_on(seeded, client):
    funded = story(demo.STORY_FUNDED)  # incubation started long ago
    client.force_login(User.objects.get(username="incubator"))
    client.cookies["django_language"] = "en"
    User.objects.filter(username="incubator").update(language="en")
    html = client.get(reverse("workflows:start_incubation", args=[funded.pk])).content.decode()
    assert "Incubation of this proposal has already started." in html
    assert reverse("incubation:project", args=[funded.project.pk]) in html and reverse("home") in html
    waiting = story(demo.STORY_FUNDING)  # not funded yet: nothing to start, a way back
    html = client.get(reverse("workflows:start_incubation", args=[waiting.pk])).content.decode()
    assert "This proposal is not waiting for incubation to start" in html and reverse("home") in html
