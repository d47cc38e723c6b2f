"""Technology managers: assignment, commission accrual for each rule kind, idempotency, payments."""

from decimal import Decimal

import pytest

from accounts.enums import Role
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from funding.enums import CommissionEntryKind
from funding.models import CommissionEntry, CommissionRule
from funding.services.commission_formulas import FORMULA_VERSION
from incubation.models import TechManagerAssignment
from incubation.services import close_project
from incubation.services.commissions import (
    accrue_commissions,
    assign_tech_manager,
    commission_balance,
    deactivate_commission_rule,
    record_commission_payment,
    remove_tech_manager,
    save_commission_rule,
)
from incubation.services.outcomes import record_contract, record_financing_round
from proposals.models import AuditEntry
from tests.factories import UserFactory
from tests.incubation.outcomes_support import contract_data, round_data, rule, tech_managers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TIERS = [{"up_to": "1000000", "rate_pct": "5"}, {"up_to": None, "rate_pct": "3"}]


def accruals(**filters):
    return list(CommissionEntry.objects.filter(kind=CommissionEntryKind.ACCRUAL, **filters)
                .order_by("pk").values_list("manager", "stage", "amount"))


# assignments


def test_incubation_manager_assigns_a_technology_manager_audited(world, project):
    manager = UserFactory(role=Role.TECHNOLOGY_MANAGER)

    assignment = assign_tech_manager(project=project, manager=manager, stage="transfer", actor=world.incubator)

    assert (assignment.manager, assignment.stage, assignment.assigned_by) == (manager, "transfer", world.incubator)
    [entry] = AuditEntry.objects.filter(proposal=project.proposal, action="tech_manager.assigned")
    assert entry.data == {"assignment": assignment.pk, "manager": manager.pk, "stage": "transfer"}


def test_only_users_with_the_role_can_be_assigned(world, project):
    with pytest.raises(InvalidInput, match="technology manager"):
        assign_tech_manager(project=project, manager=UserFactory(role=Role.RESEARCHER), stage="transfer",
                            actor=world.incubator)

    assert TechManagerAssignment.objects.count() == 0


def test_the_same_assignment_twice_is_refused(world, project):
    [manager] = tech_managers(world, project, "transfer")

    with pytest.raises(InvalidInput, match="already assigned"):
        assign_tech_manager(project=project, manager=manager, stage="transfer", actor=world.incubator)

    assert TechManagerAssignment.objects.count() == 1


@pytest.mark.parametrize("role", [Role.FUND_MANAGER, Role.TECHNOLOGY_MANAGER, Role.RESEARCHER])
def test_only_incubation_managers_assign(world, project, role):
    with pytest.raises(NotPermitted):
        assign_tech_manager(project=project, manager=UserFactory(role=Role.TECHNOLOGY_MANAGER), stage="transfer",
                            actor=UserFactory(role=role))

    assert TechManagerAssignment.objects.count() == 0


def test_no_assignment_on_a_terminated_project(world, project):
    close_project(project=project, actor=world.incubator, outcome="terminated", note="中止")

    with pytest.raises(IllegalTransition):
        assign_tech_manager(project=project, manager=UserFactory(role=Role.TECHNOLOGY_MANAGER), stage="transfer",
                            actor=world.incubator)


def test_removing_an_assignment_keeps_the_commissions_already_accrued(world, project, fund):
    rule(fund, kind="flat", rate_pct=Decimal("5"), basis="contracts")
    first, second = tech_managers(world, project, "scouting", "transfer")
    record_contract(project=project, actor=world.incubator, **contract_data())

    remove_tech_manager(assignment=TechManagerAssignment.objects.get(manager=first), actor=world.incubator)
    record_contract(project=project, actor=world.incubator,
                    **contract_data(registration_number="2026110000000999", amount=Decimal("100000.00")))

    assert accruals(manager=first) == [(first.pk, "", Decimal("37500.00"))]
    assert accruals(manager=second) == [(second.pk, "", Decimal("37500.00")), (second.pk, "", Decimal("5000.00"))]
    assert AuditEntry.objects.filter(proposal=project.proposal, action="tech_manager.removed").count() == 1


# accrual, each kind with two managers


@pytest.mark.parametrize("fields, each", [
    ({"kind": "flat", "rate_pct": Decimal("5")}, "37500.00"),                      # 5 % of 1,500,000 = 75,000
    ({"kind": "tiered", "tiers": TIERS}, "32500.00"),                               # 50,000 + 15,000 = 65,000
    ({"kind": "base_excess", "base_amount": Decimal("20000"), "threshold": Decimal("1000000"),
      "excess_rate_pct": Decimal("2.5")}, "16250.00"),                              # 20,000 + 12,500 = 32,500
])
def test_non_staged_rules_split_equally_between_two_managers(world, project, fund, fields, each):
    used = rule(fund, basis="contracts", **fields)
    first, second = tech_managers(world, project, "scouting", "transfer")

    contract = record_contract(project=project, actor=world.incubator, **contract_data())

    assert accruals() == [(first.pk, "", Decimal(each)), (second.pk, "", Decimal(each))]
    entry = CommissionEntry.objects.filter(manager=first).get()
    assert (entry.rule, entry.source, entry.source_id, entry.basis_amount, entry.fund, entry.proposal) == (
        used, "contract", contract.pk, Decimal("1500000.00"), fund, project.proposal)
    assert (entry.rule_snapshot["kind"], entry.rule_snapshot["formula"]) == (fields["kind"], FORMULA_VERSION)
    assert entry.idempotency_key == f"contract:{contract.pk}:{used.pk}:{first.pk}:"
    assert AuditEntry.objects.filter(proposal=project.proposal, action="commission.accrued").count() == 1


def test_cent_remainder_goes_to_the_first_assigned(world, project, fund):
    rule(fund, kind="flat", rate_pct=Decimal("1"), basis="contracts")
    first, second = tech_managers(world, project, "transfer", "transfer")

    # 1 % of 1,001.00 = 10.01: 5.01 to the first assigned, 5.00 to the second
    record_contract(project=project, actor=world.incubator, **contract_data(amount=Decimal("1001.00")))

    assert accruals() == [(first.pk, "", Decimal("5.01")), (second.pk, "", Decimal("5.00"))]


def test_staged_rule_gives_each_stage_its_share_and_skips_stages_nobody_holds(world, project, fund):
    used = rule(fund, kind="staged", basis="both", rate_pct=Decimal("10"),
                stages={"scouting": "30", "incubation": "40", "transfer": "30"})
    scout, broker = tech_managers(world, project, "scouting", "transfer")

    record_contract(project=project, actor=world.incubator, **contract_data())

    # 10 % of 1,500,000 = 150,000: scouting 45,000, incubation 60,000 (nobody: not accrued), transfer 45,000
    assert accruals() == [(scout.pk, "scouting", Decimal("45000.00")), (broker.pk, "transfer", Decimal("45000.00"))]
    assert CommissionEntry.objects.filter(manager=scout).get().rule_snapshot["params"]["stages"] == used.stages


def test_staged_rule_splits_a_stage_equally_between_its_managers(world, project, fund):
    rule(fund, kind="staged", basis="both", rate_pct=Decimal("10"), stages={"transfer": "100"})
    first, second = tech_managers(world, project, "transfer", "transfer")

    record_financing_round(project=project, actor=world.incubator, **round_data(amount=Decimal("1000000.00")))

    assert accruals(source="financing") == [(first.pk, "transfer", Decimal("50000.00")),
                                            (second.pk, "transfer", Decimal("50000.00"))]


def test_rule_basis_decides_which_sources_accrue(world, project, fund):
    rule(fund, kind="flat", rate_pct=Decimal("5"), basis="contracts")
    tech_managers(world, project, "transfer")

    record_financing_round(project=project, actor=world.incubator, **round_data())

    assert accruals() == []


def test_financing_basis_accrues_on_rounds(world, project, fund):
    rule(fund, kind="flat", rate_pct=Decimal("1"), basis="financing")
    [manager] = tech_managers(world, project, "incubation")

    financing_round, _settlement = record_financing_round(project=project, actor=world.incubator, **round_data())
    record_contract(project=project, actor=world.incubator, **contract_data())

    assert accruals() == [(manager.pk, "", Decimal("50000.00"))]
    assert CommissionEntry.objects.get().source_id == financing_round.pk


def test_the_most_recent_active_rule_applies_and_inactive_rules_never(world, project, fund):
    rule(fund, kind="flat", rate_pct=Decimal("1"), basis="both", name="旧规则")
    newest = rule(fund, kind="flat", rate_pct=Decimal("2"), basis="contracts", name="新规则")
    rule(fund, kind="flat", rate_pct=Decimal("9"), basis="both", name="停用", active=False)
    [manager] = tech_managers(world, project, "transfer")

    record_contract(project=project, actor=world.incubator, **contract_data())

    assert accruals() == [(manager.pk, "", Decimal("30000.00"))]
    assert CommissionEntry.objects.get().rule == newest


def test_no_manager_or_no_rule_accrues_nothing(world, project, fund):
    record_contract(project=project, actor=world.incubator, **contract_data())          # no rule, no manager
    rule(fund, kind="flat", rate_pct=Decimal("5"), basis="contracts")
    record_contract(project=project, actor=world.incubator, **contract_data(registration_number="R-2"))  # no manager

    assert CommissionEntry.objects.count() == 0


def test_the_same_source_never_accrues_twice(world, project, fund):
    rule(fund, kind="flat", rate_pct=Decimal("5"), basis="contracts")
    tech_managers(world, project, "scouting", "transfer")
    contract = record_contract(project=project, actor=world.incubator, **contract_data())

    again = accrue_commissions(project=project, source="contract", source_id=contract.pk, basis_amount=contract.amount,
                               actor=world.incubator)

    assert (again, CommissionEntry.objects.count()) == ([], 2)
    assert AuditEntry.objects.filter(action="commission.accrued").count() == 1


def test_editing_a_rule_does_not_change_past_commissions(world, project, fund):
    used = rule(fund, kind="flat", rate_pct=Decimal("5"), basis="contracts")
    tech_managers(world, project, "transfer")
    record_contract(project=project, actor=world.incubator, **contract_data())

    save_commission_rule(fund=fund, actor=world.fund_manager, rule=used,
                         data={"name": "flat", "kind": "flat", "basis": "contracts", "rate_pct": Decimal("1")})

    entry = CommissionEntry.objects.get()
    assert (entry.amount, entry.rule_snapshot["params"]) == (Decimal("75000.00"), {"rate_pct": "5.000"})


# rules


def test_fund_manager_creates_a_tiered_rule_audited(world, fund):
    created = save_commission_rule(fund=fund, actor=world.fund_manager,
                                   data={"name": "阶梯", "kind": "tiered", "basis": "both", "tiers": TIERS,
                                         "rate_pct": Decimal("7")})

    created.refresh_from_db()
    assert (created.tiers, created.rate_pct, created.active) == (TIERS, None, True)
    assert AuditEntry.objects.filter(action="commission_rule.created").count() == 1


def test_an_incomplete_rule_is_refused_and_nothing_saved(world, fund):
    with pytest.raises(InvalidInput, match="ascending"):
        save_commission_rule(fund=fund, actor=world.fund_manager, data={
            "name": "错", "kind": "tiered", "basis": "both",
            "tiers": [{"up_to": "100", "rate_pct": "5"}, {"up_to": "50", "rate_pct": "3"}, {"up_to": None, "rate_pct": "1"}]})

    assert CommissionRule.objects.count() == 0


def test_deactivating_is_audited_and_only_by_fund_managers(world, fund):
    used = rule(fund, kind="flat", rate_pct=Decimal("5"), basis="contracts")

    with pytest.raises(NotPermitted):
        deactivate_commission_rule(rule=used, actor=world.incubator)
    deactivate_commission_rule(rule=used, actor=world.fund_manager)

    used.refresh_from_db()
    assert used.active is False
    assert AuditEntry.objects.filter(action="commission_rule.deactivated").count() == 1


# payments and the payable balance


@pytest.fixture
def accrued(world, project, fund):
    """Two managers with 37,500.00 each payable from the fund."""
    rule(fund, kind="flat", rate_pct=Decimal("5"), basis="contracts")
    managers = tech_managers(world, project, "scouting", "transfer")
    record_contract(project=project, actor=world.incubator, **contract_data())
    return managers


def test_payment_reduces_the_payable_balance(world, fund, accrued):
    first, second = accrued

    entry, created = record_commission_payment(manager=first, fund=fund, amount=Decimal("30000.00"),
                                               reference="付款凭证-7", actor=world.fund_manager)

    assert (created, entry.kind, entry.reference) == (True, CommissionEntryKind.PAYMENT, "付款凭证-7")
    assert commission_balance(manager=first, fund=fund) == {
        "accrued": Decimal("37500.00"), "paid": Decimal("30000.00"), "payable": Decimal("7500.00")}
    assert commission_balance(manager=second)["payable"] == Decimal("37500.00")
    [audit] = AuditEntry.objects.filter(action="commission.paid")
    assert audit.data["payable_before"] == "37500.00"


def test_paying_more_than_payable_is_refused(world, fund, accrued):
    first, _second = accrued
    record_commission_payment(manager=first, fund=fund, amount=Decimal("30000.00"), reference="P1",
                              actor=world.fund_manager)

    with pytest.raises(InvalidInput, match="7,500.00"):
        record_commission_payment(manager=first, fund=fund, amount=Decimal("7500.01"), reference="P2",
                                  actor=world.fund_manager)

    assert CommissionEntry.objects.filter(kind=CommissionEntryKind.PAYMENT).count() == 1


def test_payment_needs_a_reference_and_a_fund_manager(world, fund, accrued):
    first, _second = accrued

    with pytest.raises(InvalidInput, match="reference"):
        record_commission_payment(manager=first, fund=fund, amount=Decimal("1.00"), reference=" ",
                                  actor=world.fund_manager)
    with pytest.raises(NotPermitted):
        record_commission_payment(manager=first, fund=fund, amount=Decimal("1.00"), reference="P",
                                  actor=world.incubator)

    assert CommissionEntry.objects.filter(kind=CommissionEntryKind.PAYMENT).count() == 0


def test_the_same_payment_key_pays_once(world, fund, accrued):
    first, _second = accrued
    key = "commission-payment:" + "a" * 32

    one, created_one = record_commission_payment(manager=first, fund=fund, amount=Decimal("100.00"), reference="P",
                                                 actor=world.fund_manager, key=key)
    two, created_two = record_commission_payment(manager=first, fund=fund, amount=Decimal("100.00"), reference="P",
                                                 actor=world.fund_manager, key=key)

    assert (one, created_one, created_two) == (two, True, False)
    assert commission_balance(manager=first)["paid"] == Decimal("100.00")
