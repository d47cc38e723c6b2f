"""Concurrency guarantees, on PostgreSQL only (SQLite ignores SELECT … FOR UPDATE)."""

from decimal import Decimal

from viewflow.workflow.models import Task

from core.errors import InvalidInput
from funding.models import LedgerEntry
from funding.selectors import fund_balance
from proposals.enums import ProposalStatus as S
from tests.concurrency import POSTGRES_ONLY, race
from tests.factories import FundFactory
from tests.helpers import World
from workflows import services
from workflows.flows import ProposalFlow

pytestmark = POSTGRES_ONLY


def test_two_fund_managers_racing_for_a_nearly_exhausted_fund_one_wins():
    fund = FundFactory(size=Decimal("300000.00"))
    world = World()
    world.call.fund = fund
    world.call.save()
    a = world.in_funding(requested_amount=Decimal("200000.00"))
    b = world.in_funding(requested_amount=Decimal("200000.00"))
    managers = [world.fund_manager, world.fund_manager.__class__.objects.get(pk=world.fund_manager.pk)]

    results = race([
        lambda: services.decide_funding(proposal=a, manager=managers[0], approve=True, amount=Decimal("200000.00")),
        lambda: services.decide_funding(proposal=b, manager=managers[1], approve=True, amount=Decimal("200000.00")),
    ])

    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["error", "ok"]
    [error] = [r[1] for r in results if r[0] == "error"]
    assert isinstance(error, InvalidInput)
    assert "100,000.00" in str(error)  # the uncommitted balance, in whatever language is active
    a.refresh_from_db()
    b.refresh_from_db()
    assert sorted([a.status, b.status]) == sorted([S.FUNDED, S.FUNDING])
    assert LedgerEntry.objects.filter(fund=fund).count() == 1
    assert fund_balance(fund)["available"] == Decimal("100000.00")


def test_experts_finishing_at_the_same_moment_join_exactly_once():
    world = World(experts=5)
    proposal = world.assigned()
    results = race([lambda r=r: world.score(r) for r in world.reviews])
    assert [r[0] for r in results] == ["ok"] * 5
    proposal.refresh_from_db()
    assert proposal.status == S.PANEL


    assert Task.objects.filter(process_id=proposal.process.pk, flow_task=ProposalFlow.join_reviews).count() == 1
    assert Task.objects.filter(process_id=proposal.process.pk, flow_task=ProposalFlow.panel).count() == 1
