"""先投后股: conversion at the first market round, and write-off / buy-back after the deadline."""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext

from core.errors import IllegalTransition, InvalidInput, NotPermitted
from funding.selectors import proposal_position
from incubation.enums import SettlementKind
from incubation.models import FinancingRound, Settlement
from incubation.services.conversion import (
    CONVERSION_METHOD,
    buyback_amount,
    conversion_stake,
    settle_investment,
)
from incubation.services.outcomes import record_financing_round
from incubation.signals import settlement_recorded
from proposals.models import AuditEntry
from tests.helpers import World
from tests.incubation.outcomes_support import big_world, days, invest_first, round_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def sent():
    """The settlement_recorded signals sent during the test."""
    received = []

    def receiver(sender, settlement, actor, **kwargs):
        received.append((settlement.pk, settlement.kind, actor))

    settlement_recorded.connect(receiver, weak=False)
    yield received
    settlement_recorded.disconnect(receiver)


# the formulas


def test_conversion_stake_worked_example():
    # 1,000,000 / (20,000,000 + 5,000,000 + 1,000,000) × (1 − 0.20) × 100 = 3.0769230… %
    stake = conversion_stake(converted=Decimal("1000000.00"), pre_money=Decimal("20000000.00"),
                             round_amount=Decimal("5000000.00"), concession_pct=Decimal("20"))

    assert stake == Decimal("3.076923")


def test_conversion_stake_without_concession():
    # 120,000 / 25,120,000 × 100 = 0.4777070… %
    assert conversion_stake(converted=Decimal("120000.00"), pre_money=Decimal("20000000.00"),
                            round_amount=Decimal("5000000.00"), concession_pct=Decimal("0")) == Decimal("0.477707")


def test_buyback_is_simple_interest_on_the_years_since_signature():
    # 120,000 × (1 + 8 % × 730 / 365) = 139,200.00
    assert buyback_amount(paid=Decimal("120000.00"), rate_pct=Decimal("8"), since=days(0), on=days(730)) == Decimal(
        "139200.00")
    # 73 days are a fifth of a year: 365,000 × (1 + 10 % × 0.2) = 372,300.00
    assert buyback_amount(paid=Decimal("365000.00"), rate_pct=Decimal("10"), since=days(0), on=days(73)) == Decimal(
        "372300.00")
    assert buyback_amount(paid=Decimal("100.00"), rate_pct=None, since=days(0), on=days(400)) == Decimal("100.00")


# conversion at the first market round


def test_first_market_round_converts_the_paid_money_worked_example(sent):
    world = big_world()
    project = invest_first(world, amount=Decimal("1000000.00"), requested=Decimal("1000000.00"),
                           all_at_signature=True, concession=Decimal("20"))
    assert proposal_position(proposal=project.proposal)["paid"] == Decimal("1000000.00")

    financing_round, settlement = record_financing_round(project=project, actor=world.incubator, **round_data())

    settlement = Settlement.objects.get(pk=settlement.pk)
    assert (settlement.kind, settlement.amount, settlement.stake_pct, settlement.financing_round) == (
        SettlementKind.CONVERTED, Decimal("1000000.00"), Decimal("3.076923"), financing_round)
    assert (settlement.pre_money_valuation, settlement.round_amount, settlement.concession_pct, settlement.method) == (
        Decimal("20000000.00"), Decimal("5000000.00"), Decimal("20.00"), CONVERSION_METHOD)
    [entry] = AuditEntry.objects.filter(proposal=project.proposal, action="settlement.converted")
    assert (entry.data["stake_pct"], entry.data["converted"], entry.actor) == ("3.076923", "1000000.00", world.incubator)
    assert sent == [(settlement.pk, SettlementKind.CONVERTED, world.incubator)]


def test_only_the_money_actually_paid_converts():
    world = World()
    project = invest_first(world, concession=Decimal("0"))  # 60 % of 200,000 paid at signature

    _round, settlement = record_financing_round(project=project, actor=world.incubator, **round_data())

    assert (settlement.amount, settlement.stake_pct) == (Decimal("120000.00"), Decimal("0.477707"))


def test_market_round_without_valuation_is_refused_and_nothing_is_saved(sent):
    world = World()
    project = invest_first(world)

    with pytest.raises(InvalidInput, match="a conversion needs the round's valuation"):
        record_financing_round(project=project, actor=world.incubator, **round_data(pre_money_valuation=None))

    assert (FinancingRound.objects.count(), Settlement.objects.count(), sent) == (0, 0, [])
    assert not AuditEntry.objects.filter(proposal=project.proposal, action__startswith="outcome.").exists()


def test_the_message_is_translated_for_chinese_users():
    world = World()
    project = invest_first(world)

    with translation.override("zh-hans"), pytest.raises(InvalidInput) as exc:
        record_financing_round(project=project, actor=world.incubator, **round_data(pre_money_valuation=None))

    with translation.override("zh-hans"):
        expected = gettext("This round converts the invest-first (先投后股) money, and a conversion needs the round's "
                           "valuation: enter the pre-money valuation.")
    assert str(exc.value) == expected


def test_round_before_any_payment_is_refused_and_nothing_is_saved():
    world = World()
    project = invest_first(world, pay=False)

    with pytest.raises(InvalidInput, match="No invest-first"):
        record_financing_round(project=project, actor=world.incubator, **round_data())

    assert (FinancingRound.objects.count(), Settlement.objects.count()) == (0, 0)


def test_a_round_that_is_not_a_market_round_does_not_convert():
    world = World()
    project = invest_first(world)

    _round, settlement = record_financing_round(project=project, actor=world.incubator,
                                                **round_data(is_market_round=False, pre_money_valuation=None))

    assert (settlement, Settlement.objects.count(), FinancingRound.objects.count()) == (None, 0, 1)


def test_second_market_round_does_not_convert_again(sent):
    world = World()
    project = invest_first(world)
    record_financing_round(project=project, actor=world.incubator, **round_data())

    _round, settlement = record_financing_round(project=project, actor=world.incubator,
                                                **round_data(name="A轮", pre_money_valuation=None,
                                                             amount=Decimal("30000000.00")))

    assert settlement is None
    assert (Settlement.objects.count(), FinancingRound.objects.count(), len(sent)) == (1, 2, 1)


def test_a_round_after_the_conversion_deadline_does_not_convert():
    world = World()
    project = invest_first(world, deadline=days(-3))

    _round, settlement = record_financing_round(project=project, actor=world.incubator, **round_data(closed_on=days(-1)))

    assert (settlement, Settlement.objects.count()) == (None, 0)


def test_a_grant_project_never_converts():
    world = World()
    project = world.incubating()

    _round, settlement = record_financing_round(project=project, actor=world.incubator, **round_data())

    assert (settlement, Settlement.objects.count()) == (None, 0)


# settlement after the deadline


def test_settling_before_the_deadline_is_refused():
    world = World()
    project = invest_first(world, deadline=days(30))

    with pytest.raises(IllegalTransition, match="has not passed yet"):
        settle_investment(project=project, actor=world.fund_manager, action="write_off", on=days(30))

    assert Settlement.objects.count() == 0


def test_write_off_after_the_deadline_records_the_loss(sent):
    world = World()
    project = invest_first(world, deadline=days(30), action="write_off")

    settlement = settle_investment(project=project, actor=world.fund_manager, action="write_off", on=days(31))

    assert (settlement.kind, settlement.amount, settlement.buyback_amount) == (
        SettlementKind.WRITTEN_OFF, Decimal("120000.00"), None)
    [entry] = AuditEntry.objects.filter(proposal=project.proposal, action="settlement.written_off")
    assert (entry.data["loss"], entry.actor) == ("120000.00", world.fund_manager)
    assert sent == [(settlement.pk, SettlementKind.WRITTEN_OFF, world.fund_manager)]


def test_buy_back_after_the_deadline_adds_simple_interest():
    world = World()
    project = invest_first(world, deadline=days(365), action="buy_back", rate=Decimal("8"))

    settlement = settle_investment(project=project, actor=world.fund_manager, action="buy_back", on=days(730))

    assert (settlement.kind, settlement.amount, settlement.buyback_amount) == (
        SettlementKind.BOUGHT_BACK, Decimal("120000.00"), Decimal("139200.00"))
    [entry] = AuditEntry.objects.filter(proposal=project.proposal, action="settlement.bought_back")
    assert entry.data["buyback_amount"] == "139200.00"


def test_the_other_action_needs_a_reason():
    world = World()
    project = invest_first(world, deadline=days(30), action="write_off")

    with pytest.raises(InvalidInput, match="give the reason"):
        settle_investment(project=project, actor=world.fund_manager, action="buy_back", on=days(31))
    assert Settlement.objects.count() == 0

    settlement = settle_investment(project=project, actor=world.fund_manager, action="buy_back",
                                   reason="团队主动回购", on=days(31))
    # no rate agreed: bought back at cost
    assert (settlement.kind, settlement.buyback_amount, settlement.note) == (
        SettlementKind.BOUGHT_BACK, Decimal("120000.00"), "团队主动回购")


def test_settled_money_cannot_be_settled_again_nor_convert_later():
    world = World()
    project = invest_first(world, deadline=days(30))
    settle_investment(project=project, actor=world.fund_manager, action="write_off", on=days(31))

    with pytest.raises(IllegalTransition, match="already been settled"):
        settle_investment(project=project, actor=world.fund_manager, action="write_off", on=days(32))
    _round, settlement = record_financing_round(project=project, actor=world.incubator, **round_data())

    assert (settlement, Settlement.objects.count()) == (None, 1)


def test_converted_money_cannot_be_written_off():
    world = World()
    project = invest_first(world, deadline=days(30))
    record_financing_round(project=project, actor=world.incubator, **round_data())

    with pytest.raises(IllegalTransition, match="already been settled"):
        settle_investment(project=project, actor=world.fund_manager, action="write_off", on=days(31))


def test_only_fund_managers_settle():
    world = World()
    project = invest_first(world, deadline=days(30))

    with pytest.raises(NotPermitted):
        settle_investment(project=project, actor=world.incubator, action="write_off", on=days(31))

    assert Settlement.objects.count() == 0


def test_a_grant_project_has_nothing_to_settle():
    world = World()
    project = world.incubating()

    with pytest.raises(IllegalTransition, match="not funded as invest first"):
        settle_investment(project=project, actor=world.fund_manager, action="write_off", on=days(400))
