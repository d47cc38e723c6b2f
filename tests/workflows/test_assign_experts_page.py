"""The per-proposal assignment page: the expert pool with type, fields, match, load and conflicts."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from reviews.enums import ConflictSource, ExpertType
from reviews.models import Conflict, ExpertUnavailability, Review
from reviews.services.auto_assign import propose_assignment
from tests.factories import CallFactory, ExpertProfileFactory, UserFactory
from tests.reviews.assignment_support import AI, GRAPHENE, AssignmentWorld, make_expert
from tests.reviews.pool_support import signed_in

pytestmark = pytest.mark.django_db


def _url(proposal, **query):
    url = reverse("workflows:assign_experts", args=[proposal.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _rows(html):
    body = html.split("<table class=\"pool\">", 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr class=\"[^\"]*\">(.*?)</tr>", body, flags=re.S)


def test_first_load_shows_no_required_error():
    world = AssignmentWorld()
    proposal = world.waiting(GRAPHENE)
    response = signed_in(world.officer).get(_url(proposal))
    assert response.status_code == 200
    assert not response.context["form"].is_bound
    assert "errors" not in response.content.decode().split('id="pool-heading"', 1)[1].split("</table>")[0]


def test_the_pool_shows_type_fields_match_and_load_best_match_first():
    world = AssignmentWorld()
    proposal = world.waiting(GRAPHENE)
    world.waiting(AI)
    response = signed_in(world.officer).get(_url(proposal))
    pool = response.context["pool"]
    assert pool[0].expert == world.graphene  # best match first
    assert [c.affinity for c in pool if c.affinity is not None] == sorted(
        (c.affinity for c in pool if c.affinity is not None), reverse=True)
    html = response.content.decode()
    assert "材料科学" in html and str(ExpertType.INVESTOR.label) in html
    assert f"{pool[0].affinity}" in html and "0 / 5" in html


def test_the_match_is_the_affinity_the_automatic_assignment_stores():
    world = AssignmentWorld()
    proposal = world.waiting(GRAPHENE)
    world.waiting(AI)
    run = propose_assignment(call=world.call, experts_per_proposal=2, requested_by=world.officer)
    stored = {c.expert_id: c.affinity for c in run.candidates.filter(proposal=proposal)}
    shown = {c.expert.pk: c.affinity for c in signed_in(world.officer).get(_url(proposal)).context["pool"]}
    assert stored and all(shown[e] == a for e, a in stored.items())


def test_a_conflicted_expert_is_shown_disabled_with_the_reason_and_cannot_be_posted():
    world = AssignmentWorld()
    proposal = world.waiting(GRAPHENE)
    Conflict.objects.create(proposal=proposal, expert=world.graphene, source=ConflictSource.MANUAL,
                            reason="同一课题组", recorded_by=world.officer)
    client = signed_in(world.officer)
    html = client.get(_url(proposal)).content.decode()
    row = next(r for r in _rows(html) if "石墨烯专家" in r)
    assert f'value="{world.graphene.pk}"' in row and "disabled" in row and "同一课题组" in row
    response = client.post(_url(proposal), {"action": "assign", "experts": [world.graphene.pk]})
    assert response.status_code == 400
    assert not Review.objects.filter(proposal=proposal, expert=world.graphene).exists()


def test_filters_by_type_field_and_load_server_side():
    world = AssignmentWorld()
    proposal = world.waiting(GRAPHENE)
    client = signed_in(world.officer)
    investors = client.get(_url(proposal, expert_type=ExpertType.INVESTOR)).context["pool"]
    assert {c.expert for c in investors} == {world.investor_a, world.investor_b}
    assert [c.expert for c in client.get(_url(proposal, field="电化学")).context["pool"]] == [world.battery]
    busy = make_expert(name="满载专家", max_load=1)
    other = world.waiting(AI)
    Review.objects.create(proposal=other, expert=busy, assigned_by=world.officer, deadline=other.submitted_at)
    full = [c.expert for c in client.get(_url(proposal, load="full")).context["pool"]]
    room = [c.expert for c in client.get(_url(proposal, load="room")).context["pool"]]
    assert full == [busy] and busy not in room and world.graphene in room
    bad = client.get(_url(proposal, load="nonsense"))  # a bad filter is ignored, never a 500
    assert bad.status_code == 200 and len(bad.context["pool"]) == 6


def test_assigning_keeps_the_filter_and_creates_the_reviews():
    world = AssignmentWorld()
    proposal = world.waiting(GRAPHENE)
    client = signed_in(world.officer)
    response = client.post(_url(proposal, expert_type="academic"), {"action": "assign", "experts": [world.graphene.pk, world.battery.pk]})
    assert response.status_code == 302 and response.url.endswith("?expert_type=academic")
    assert set(proposal.reviews.values_list("expert", flat=True)) == {world.graphene.pk, world.battery.pk}


def test_a_post_without_a_choice_keeps_the_page_with_the_error():
    world = AssignmentWorld()
    proposal = world.waiting(GRAPHENE)
    response = signed_in(world.officer).post(_url(proposal), {"action": "assign"})
    assert response.status_code == 400
    assert 'id="experts-errors"' in response.content.decode()


def test_query_count_does_not_grow_with_the_pool(django_assert_max_num_queries):
    world = AssignmentWorld()
    proposal = world.waiting(GRAPHENE)
    client = signed_in(world.officer)
    client.get(_url(proposal))  # warm caches (session, content types)
    with django_assert_max_num_queries(40) as small:
        client.get(_url(proposal))
    for i in range(15):
        ExpertProfileFactory(user__full_name=f"专家{i}", fields_zh="材料", max_load=3)
    Conflict.objects.create(proposal=proposal, expert=world.ai, source=ConflictSource.MANUAL, reason="x")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(_url(proposal))
    assert len(response.context["pool"]) == 20


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.EXPERT, Role.PANEL_CHAIR, Role.FUND_MANAGER,
                                  Role.INCUBATION_MANAGER, Role.TECHNOLOGY_MANAGER])
def test_other_roles_are_refused(role):
    world = AssignmentWorld()
    proposal = world.waiting(GRAPHENE)
    assert signed_in(UserFactory(role=role)).get(_url(proposal)).status_code == 403


def test_the_automatic_plan_links_each_proposal_to_its_hand_assignment_page():
    world = AssignmentWorld()
    proposal = world.waiting(GRAPHENE)
    run = propose_assignment(call=world.call, experts_per_proposal=2, requested_by=world.officer)
    html = signed_in(world.officer).get(reverse("assignment:run", args=[run.pk])).content.decode()
    assert f'href="{_url(proposal)}"' in html


def test_a_draft_call_is_not_offered_for_automatic_assignment():
    world = AssignmentWorld()
    draft = CallFactory(draft=True, title_zh="草稿申报指南")
    calls = signed_in(world.officer).get(reverse("assignment:calls")).context["calls"]
    assert world.call in calls and draft not in calls


def test_an_unavailable_expert_is_flagged_and_has_no_match_as_the_solver_leaves_them_out():
    world = AssignmentWorld()
    proposal = world.waiting(GRAPHENE)
    today = timezone.localdate()
    ExpertUnavailability.objects.create(profile=world.graphene.expert_profile, starts_on=today,
                                        ends_on=today + dt.timedelta(days=30))
    pool = signed_in(world.officer).get(_url(proposal)).context["pool"]
    away = next(c for c in pool if c.expert == world.graphene)
    assert away.unavailable and away.affinity is None and away.selectable
