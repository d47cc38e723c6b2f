"""Concurrent market rounds convert once; concurrent commission payments never overdraw (PostgreSQL only)."""

from decimal import Decimal

from incubation.models import FinancingRound, Settlement
from incubation.services.commissions import commission_balance, record_commission_payment
from incubation.services.outcomes import record_contract, record_financing_round
from tests.concurrency import POSTGRES_ONLY, race
from tests.helpers import World
from tests.incubation.outcomes_support import contract_data, invest_first, round_data, rule, tech_managers

pytestmark = POSTGRES_ONLY


def test_concurrent_market_rounds_convert_exactly_once():
    world = World()
    project = invest_first(world)

    results = race([lambda i=i: record_financing_round(project=project, actor=world.incubator,
                                                       **round_data(name=f"第{i}轮")) for i in range(5)])

    assert [r[0] for r in results] == ["ok"] * 5, [r[1] for r in results if r[0] == "error"]
    assert sum(1 for r in results if r[1][1] is not None) == 1
    assert (FinancingRound.objects.filter(project=project).count(), Settlement.objects.filter(project=project).count()) \
        == (5, 1)


def test_concurrent_payments_never_exceed_the_payable_balance():
    world = World()
    project = world.incubating()
    fund = world.call.fund
    rule(fund, kind="flat", rate_pct=Decimal("1"), basis="contracts")
    [manager] = tech_managers(world, project, "transfer")
    record_contract(project=project, actor=world.incubator, **contract_data(amount=Decimal("100000.00")))  # 1,000.00

    results = race([lambda i=i: record_commission_payment(manager=manager, fund=fund, amount=Decimal("300.00"),
                                                          reference=f"P{i}", actor=world.fund_manager)
                    for i in range(6)])

    assert sum(1 for r in results if r[0] == "ok") == 3
    assert commission_balance(manager=manager, fund=fund) == {
        "accrued": Decimal("1000.00"), "paid": Decimal("900.00"), "payable": Decimal("100.00")}
