"""The expert's own page (/expert/): tasks by deadline, drafts, submitted reviews, declared conflicts."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.enums import Role
from reviews.models import Review
from reviews.services.assignment import record_conflict
from tests.factories import CallFactory, ConflictFactory, UserFactory
from tests.helpers import World
from tests.reviews.scoring_support import assigned_proposal, scoring_world, signed_in
from workflows import services

pytestmark = pytest.mark.django_db

MINE = "/expert/"


def rows(html, heading):
    """The body rows of the table under the <h2> `heading`, as lists of cell texts (tags stripped)."""
    section = html.split(f"<h2>{heading}</h2>", 1)[1].split("</section>", 1)[0]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", cell).split() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def english_page(user):
    client = signed_in(user)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        response = client.get(MINE)
    assert response.status_code == 200
    return response.content.decode()


def test_open_tasks_are_sorted_by_deadline_in_the_calls_time_zone_and_marked_overdue_or_due_soon():
    world = World(experts=1, call=CallFactory(time_zone="Asia/Tokyo"))
    expert = world.experts[0]
    now = timezone.now()
    deadlines = [now + dt.timedelta(days=10), now - dt.timedelta(hours=1), now + dt.timedelta(days=1)]
    made = []
    for deadline in deadlines:
        proposal = world.assigned()
        Review.objects.filter(proposal=proposal).update(deadline=deadline)
        made.append(proposal)
    html = english_page(expert)

    def row(proposal, deadline, *marks):
        local = timezone.localtime(deadline, ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%d %H:%M")
        return [f"{proposal.reference} {proposal.title}".split(), world.call.title_en.split(),
                local.split() + ["Japan", "Standard", "Time,", "UTC+9", *marks]]

    assert rows(html, "To score") == [
        row(made[1], deadlines[1], "Overdue"), row(made[2], deadlines[2], "Due", "soon"), row(made[0], deadlines[0])]


def test_the_deadline_is_converted_to_the_calls_time_zone():
    world = World(experts=1, call=CallFactory(time_zone="America/New_York"))
    proposal = world.assigned()
    Review.objects.filter(proposal=proposal).update(deadline=dt.datetime(2030, 1, 15, 12, 0, tzinfo=dt.UTC))
    html = english_page(world.experts[0])
    assert rows(html, "To score")[0][2] == ["2030-01-15", "07:00", "US", "Eastern", "Time,", "UTC-5"]


def test_drafts_submitted_reviews_and_declared_conflicts_each_have_their_section():
    world = scoring_world(experts=1)
    draft_p, [draft] = assigned_proposal(world)
    services.save_review_draft(review=draft, expert=draft.expert, scores={}, opinion="草稿")
    done_p, [done] = assigned_proposal(world)
    world.score(done)
    declined_p, [declined] = assigned_proposal(world)
    services.decline_review(review=declined, expert=declined.expert, reason="曾为申报人的博士生")
    html = english_page(world.experts[0])
    draft_url, done_url = reverse("workflows:review", args=[draft.pk]), reverse("workflows:review", args=[done.pk])
    conflict_url = reverse("pool:declare_conflict", args=[done.pk])
    assert rows(html, "To score") == [[["Nothing", "to", "score."]]]
    assert [r[0] for r in rows(html, "Drafts")] == [f"{draft_p.reference} {draft_p.title}".split()]
    assert f'<a href="{draft_url}">{draft_p.reference} {draft_p.title}</a>' in html
    assert [(r[0], r[3]) for r in rows(html, "Submitted reviews")] == [
        (f"{done_p.reference} {done_p.title}".split(), ["View", "my", "review", "·", "Declare", "a", "conflict", "of", "interest"])]
    assert f'<a href="{done_url}">View my review</a> · <a href="{conflict_url}">Declare a conflict of interest</a>' in html
    # the declared conflict names the proposal by reference only; its title and review page are gone
    assert [r[:2] for r in rows(html, "My declared conflicts of interest")] == [[[declined_p.reference], ["曾为申报人的博士生"]]]
    assert declined_p.title not in html
    assert reverse("workflows:review", args=[declined.pk]) not in html
    assert f'<a href="{reverse("pool:me")}">My expert profile</a>' in html


def test_conflicts_found_by_staff_or_automatically_are_not_listed_as_the_experts_own_declarations():
    world = scoring_world(experts=1)
    proposal, [review] = assigned_proposal(world)

    record_conflict(proposal=proposal, expert=review.expert, reason="工作人员记录：同单位", recorded_by=world.officer)
    html = english_page(world.experts[0])
    assert rows(html, "My declared conflicts of interest") == [[["None."]]]
    assert proposal.title not in html


def test_a_submitted_review_later_declared_a_conflict_leaves_the_submitted_list():
    world = scoring_world(experts=1)
    proposal, [review] = assigned_proposal(world)
    world.score(review)

    ConflictFactory(proposal=proposal, expert=review.expert, reason="事后发现合作", recorded_by=review.expert)
    html = english_page(world.experts[0])
    assert rows(html, "Submitted reviews") == [[["No", "submitted", "reviews."]]]
    assert [r[:2] for r in rows(html, "My declared conflicts of interest")] == [[[proposal.reference], ["事后发现合作"]]]


# who may open it


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.PROGRAM_OFFICER, Role.PANEL_CHAIR, Role.FUND_MANAGER,
                                  Role.INCUBATION_MANAGER])
def test_only_experts_may_open_the_expert_page(role):
    assert signed_in(UserFactory(role=role)).get(MINE).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in_from_the_expert_page():
    response = Client().get(MINE)
    assert (response.status_code, response.url) == (302, f"{reverse('login')}?next={MINE}")


def test_an_expert_sees_only_their_own_reviews():
    world = scoring_world(experts=2)
    proposal, reviews = assigned_proposal(world)
    other_url = reverse("workflows:review", args=[reviews[1].pk])
    html = english_page(world.experts[0])
    assert other_url not in html
    assert [r[0] for r in rows(html, "To score")] == [f"{proposal.reference} {proposal.title}".split()]


# query counts


def _expert_with_reviews(n):
    """One expert with n open reviews, n drafts, n submitted reviews and n declared conflicts."""
    world = scoring_world(experts=1)
    for _ in range(n):
        assigned_proposal(world)
        _, [draft] = assigned_proposal(world)
        services.save_review_draft(review=draft, expert=draft.expert, scores={}, opinion="草稿")
        _, [done] = assigned_proposal(world)
        world.score(done)
        _, [declined] = assigned_proposal(world)
        services.decline_review(review=declined, expert=declined.expert, reason="回避")
    return world.experts[0]


@pytest.mark.parametrize("n", [1, 3])
def test_the_expert_page_runs_the_same_queries_for_one_or_three_of_everything(n, django_assert_num_queries):
    expert = _expert_with_reviews(n)
    client = signed_in(expert)
    client.get(MINE)  # warm per-process caches out of the count
    with django_assert_num_queries(EXPERT_PAGE_QUERIES):
        html = client.get(MINE).content.decode()
    assert html.count("/expert/reviews/") == 3 * n  # n tasks, n drafts, n submitted (the declined are gone)


EXPERT_PAGE_QUERIES = 5  # session, user, roles, reviews, conflicts (the menu asks the named predicates)
