"""An expert declares a conflict of interest after submitting: the review stays stored but stops counting."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from proposals.models import AuditEntry
from reviews.enums import ConflictSource, ReviewStatus
from reviews.models import Conflict
from reviews.services.conflicts import declare_conflict
from reviews.services.results import proposal_results
from tests.factories import UserFactory
from tests.helpers import World
from tests.reviews.pool_support import SignalLog, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored():
    """A proposal in review; experts 0 and 1 have submitted, expert 2 has not."""
    world = World()
    proposal = world.assigned()
    reviews = {r.expert_id: r for r in proposal.reviews.all()}
    first, second, third = (reviews[e.pk] for e in world.experts)
    world.score(first)
    world.score(second)
    for r in (first, second, third):
        r.refresh_from_db()
    return world, proposal, first, second, third


def test_declaring_on_a_submitted_review_records_the_conflict_and_keeps_the_review(scored):
    world, proposal, first, _second, _third = scored
    with SignalLog() as log:
        conflict = declare_conflict(review=first, expert=first.expert, reason="  发现申请人是我的前学生  ")
    first.refresh_from_db()
    assert (conflict.source, conflict.reason, conflict.recorded_by, conflict.expert) == (
        ConflictSource.DECLARED, "发现申请人是我的前学生", first.expert, first.expert)
    assert first.status == ReviewStatus.SUBMITTED
    assert first.scores.count() == 2
    assert log.conflicts == [conflict]
    audit = AuditEntry.objects.get(action="conflict.declared")
    assert (audit.proposal, audit.actor, audit.note, audit.data["review"]) == (
        proposal, first.expert, "发现申请人是我的前学生", first.pk)


def test_a_declared_review_no_longer_counts_in_the_results(scored):
    _world, proposal, first, second, _third = scored
    assert sorted(r.review_id for r in proposal_results(proposal).reviews) == sorted([first.pk, second.pk])
    declare_conflict(review=first, expert=first.expert, reason="合作者")
    assert [r.review_id for r in proposal_results(proposal).reviews] == [second.pk]


@pytest.mark.parametrize("case", ["open_review", "someone_elses", "blank_reason", "twice"])
def test_refused_declarations_change_nothing(scored, case):
    _world, _proposal, first, second, third = scored
    review, expert, reason, error = {
        "open_review": (third, third.expert, "合作者", IllegalTransition),
        "someone_elses": (first, second.expert, "合作者", NotPermitted),
        "blank_reason": (first, first.expert, "   ", InvalidInput),
        "twice": (first, first.expert, "再次", IllegalTransition),
    }[case]
    if case == "twice":
        declare_conflict(review=first, expert=first.expert, reason="合作者")
    before = (Conflict.objects.count(), AuditEntry.objects.count())
    with pytest.raises(error):
        declare_conflict(review=review, expert=expert, reason=reason)
    assert (Conflict.objects.count(), AuditEntry.objects.count()) == before


def test_the_refusal_messages_are_translated(scored):
    _world, _proposal, first, _second, third = scored
    with translation.override("en"):
        with pytest.raises(InvalidInput) as blank:
            declare_conflict(review=first, expert=first.expert, reason="")
        with pytest.raises(IllegalTransition) as open_review:
            declare_conflict(review=third, expert=third.expert, reason="合作者")
    assert str(blank.value) == "Give the reason for the conflict of interest."
    assert str(open_review.value) == "Only a submitted review can be withdrawn this way; decline an open review instead."


# the page


def test_the_expert_declares_over_the_page_and_loses_access_to_the_proposal(scored):
    _world, _proposal, first, _second, _third = scored
    client = signed_in(first.expert)
    url = reverse("pool:declare_conflict", args=[first.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert first.proposal.title in page.content.decode()
    response = client.post(url, {"reason": "申请团队成员是我的合作者"})
    assert response.status_code == 302 and response["Location"] == reverse("reviews:mine")
    assert Conflict.objects.get().reason == "申请团队成员是我的合作者"
    assert client.get(url).status_code == 403
    assert client.get(reverse("workflows:review", args=[first.pk])).status_code == 403


def test_a_blank_reason_over_the_page_is_refused_with_a_message_and_nothing_changes(scored):
    _world, _proposal, first, _second, _third = scored
    first.expert.language = "en"
    first.expert.save(update_fields=["language"])
    client = signed_in(first.expert)
    response = client.post(reverse("pool:declare_conflict", args=[first.pk]), {"reason": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Conflict.objects.count() == 0


def test_an_open_review_gets_a_409_and_the_hint_to_decline(scored):
    _world, _proposal, _first, _second, third = scored
    client = signed_in(third.expert)
    page = client.get(reverse("pool:declare_conflict", args=[third.pk]))
    assert page.status_code == 200
    assert 'name="reason"' not in page.content.decode()
    response = client.post(reverse("pool:declare_conflict", args=[third.pk]), {"reason": "合作者"})
    assert response.status_code == 409
    assert Conflict.objects.count() == 0


@pytest.mark.parametrize("role", ["other_expert", "program_officer", "panel_chair", "researcher", "owner"])
def test_only_the_reviews_own_expert_may_open_the_declaration_page(scored, role):
    world, proposal, first, second, _third = scored
    user = {"other_expert": second.expert, "program_officer": world.officer,
            "panel_chair": UserFactory(role=Role.PANEL_CHAIR), "researcher": UserFactory(role=Role.RESEARCHER),
            "owner": proposal.applicant}[role]
    client = signed_in(user)
    url = reverse("pool:declare_conflict", args=[first.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "合作者"}).status_code == 403
    assert Conflict.objects.count() == 0


def test_anonymous_visitors_are_sent_to_the_login_page(scored, client):
    _world, _proposal, first, _second, _third = scored
    response = client.get(reverse("pool:declare_conflict", args=[first.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
