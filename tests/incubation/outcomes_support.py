"""Shared arrangements for the outcomes, conversion and commission tests (real services throughout)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.enums import Role
from funding.models import CommissionRule
from incubation.enums import TrancheGate
from incubation.models import Tranche
from incubation.services.commissions import assign_tech_manager
from incubation.services.money import release_tranche
from tests.factories import UserFactory
from tests.helpers import World

TODAY = timezone.localdate
VALID_CREDIT_CODE = "91350100M000100Y43"


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def big_world():
    """A World whose call and fund accept a 1,000,000 proposal decided by one fund manager."""
    world = World()
    world.call.max_request = Decimal("2000000.00")
    world.call.save()
    world.call.fund.four_eyes_threshold = Decimal("2000000.00")
    world.call.fund.save()
    return world


def single_tranche(project):
    """Draft schedule edited to one 100 % tranche on signature (as a manager may before issuing)."""
    agreement = project.agreement
    Tranche.objects.filter(agreement=agreement).delete()
    Tranche.objects.create(agreement=agreement, order=1, percent=Decimal("100"), amount=agreement.amount,
                           gate=TrancheGate.SIGNATURE)


def invest_first(world, *, amount=Decimal("200000.00"), pay=True, all_at_signature=False, deadline=None,
                 action="write_off", concession=Decimal("20"), rate=None, requested=None):
    """An invest-first project, signed, with its signature tranche paid (unless pay=False)."""
    kwargs = {"requested_amount": requested} if requested is not None else {}
    project = world.incubating(amount=amount, instrument="invest_first", **kwargs)
    if all_at_signature:
        single_tranche(project)
    world.signed(project, conversion_deadline=deadline or days(365), deadline_action=action,
                 concession_pct=concession, buyback_rate_pct=rate)
    if pay:
        pay_signature_tranche(world, project)
    project.refresh_from_db()
    return project


def pay_signature_tranche(world, project):
    tranche = Tranche.objects.get(agreement__project=project, gate=TrancheGate.SIGNATURE)
    release_tranche(tranche=tranche, actor=world.fund_manager, reference="银行凭证-001")
    return tranche


def tech_managers(world, project, *stages):
    """One technology manager per stage given, assigned by the incubation manager."""
    managers = []
    for stage in stages:
        manager = UserFactory(role=Role.TECHNOLOGY_MANAGER)
        assign_tech_manager(project=project, manager=manager, stage=stage, actor=world.incubator)
        managers.append(manager)
    return managers


def rule(fund, **fields):
    fields.setdefault("name", f"{fields['kind']} rule")
    return CommissionRule.objects.create(fund=fund, **fields)


def round_data(**overrides):
    data = {"name": "天使轮", "closed_on": days(-1), "amount": Decimal("5000000.00"), "investors": "某创投基金",
            "pre_money_valuation": Decimal("20000000.00"), "is_market_round": True}
    data.update(overrides)
    return data


def contract_data(**overrides):
    data = {"kind": "licence", "counterparty": "某科技有限公司", "amount": Decimal("1500000.00"), "signed_on": days(-10),
            "registration_number": "2026110000000123", "registered_on": days(-5)}
    data.update(overrides)
    return data
