"""Shared set-up for the scoring and rubric tests (engineer C)."""

from decimal import Decimal

from django.http import HttpRequest
from django.test import Client

from accounts.enums import Role
from proposals.models import AuditEntry
from reviews.models import Review, Score
from tests.factories import CallFactory, OrganisationFactory, UserFactory
from tests.helpers import World

PASSWORD = "pw-secret-123"

# identity of the applicant, each string distinct and in no other part of the page
APPLICANT_NAME = "申请人欧阳明"
APPLICANT_ORG = "星河光电科技有限公司"
INSTITUTION = "北辰理工大学"
TEAM = "赵六一，课题组长；钱七二，博士后"
EXPERT_NAMES = ["甲评审", "乙评审", "丙评审"]


def signed_in(user):
    client = Client()
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return client


def scoring_world(*, experts=3, na_second=True, **call_settings) -> World:
    """A World whose call has the given review settings; its second criterion allows N/A."""
    world = World(experts=experts, call=CallFactory(**call_settings))
    if na_second:
        world.criteria[1].na_allowed = True
        world.criteria[1].save(update_fields=["na_allowed"])
    for expert, name in zip(world.experts, EXPERT_NAMES):
        expert.full_name = name
        expert.save(update_fields=["full_name"])
    return world


def identified_applicant():
    return UserFactory(role=Role.RESEARCHER, full_name=APPLICANT_NAME, organisation=OrganisationFactory(name=APPLICANT_ORG))


def assigned_proposal(world):
    """A proposal with the identifying fields filled, assigned to the world's experts."""
    proposal = world.assigned(applicant=identified_applicant(), institution=INSTITUTION, team=TEAM)
    return proposal, list(proposal.reviews.order_by("pk"))


def snapshot(review):
    """Everything a save could change, to prove a refused save changed nothing."""
    review = Review.objects.get(pk=review.pk)
    return {
        "review": (review.status, review.opinion, review.panel_note, review.recommendation, review.confidence,
                   review.veto, review.veto_reason, review.submitted_at),
        "scores": sorted(Score.objects.filter(review=review).values_list("criterion_id", "value", "not_applicable")),
        "audit": AuditEntry.objects.count(),
    }


D = Decimal
