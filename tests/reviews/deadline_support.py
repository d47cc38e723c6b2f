"""Helpers for the deadline, escalation and notice tests: move the clock of one review, find tasks."""

import datetime as dt

from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from reviews.enums import ExpertType
from reviews.models import CompositionRule
from reviews.services.auto_assign import propose_assignment
from tests.helpers import World
from tests.reviews.assignment_support import GRAPHENE, make_expert
from workflows.assignment import apply_assignment_run
from workflows.flows import ProposalFlow

OPEN = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]


def tasks(proposal, node, statuses=OPEN):
    return list(Task.objects.filter(process_id=proposal.process.pk, flow_task=node, status__in=statuses).order_by("pk"))


def review_task(review):
    return Task.objects.filter(flow_task=ProposalFlow.review, data__review_id=review.pk).order_by("-pk").first()


def timer_of(task):
    return Task.objects.get(flow_task=ProposalFlow.review__timeout, previous=task)


def pass_deadline(review, minutes=1):
    """Time travel: the review's deadline and its task's armed timer lie `minutes` in the past."""
    past = timezone.now() - dt.timedelta(minutes=minutes)
    type(review).objects.filter(pk=review.pk).update(deadline=past)
    Task.objects.filter(flow_task=ProposalFlow.review__timeout, previous=review_task(review),
                        status=STATUS.SCHEDULED).update(scheduled=past)
    review.refresh_from_db()


def solver_world():
    """A screened graphene proposal assigned by the solver (k=2, at least one investor) from four profiled
    experts, so the run keeps the other two as alternates: an academic that fits well and an investor
    that fits badly. Returns (world, proposal, experts by name)."""

    world = World(experts=0)
    CompositionRule.objects.create(call=world.call, expert_type=ExpertType.INVESTOR, min_count=1)
    experts = {
        "academic": make_expert(name="传感器学者", keywords_zh="柔性传感器, 可穿戴, 石墨烯"),
        "academic_alternate": make_expert(name="石墨烯学者", keywords_zh="石墨烯, 二维材料"),
        "investor": make_expert(name="材料投资人", expert_type=ExpertType.INVESTOR, keywords_zh="石墨烯, 新材料, 柔性传感器"),
        "investor_alternate": make_expert(name="医药投资人", expert_type=ExpertType.INVESTOR, keywords_zh="创新药, 医疗器械"),
    }
    world.experts = list(experts.values())
    proposal = world.screened(**GRAPHENE)
    run = propose_assignment(call=world.call, experts_per_proposal=2, requested_by=world.officer)
    apply_assignment_run(run=run, user=world.officer)
    proposal.refresh_from_db()
    return world, proposal, experts
