"""Commission rules pages, the commission ledger and the technology manager's own page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.enums import Role
from funding.enums import CommissionEntryKind
from funding.models import CommissionEntry, CommissionRule
from funding.services.commission_formulas import FORMULA_NAMES, describe
from incubation.services.commissions import assign_tech_manager, record_commission_payment
from incubation.services.outcomes import record_contract
from tests.factories import FundFactory, UserFactory
from tests.incubation.outcomes_support import contract_data, rule, tech_managers

pytestmark = pytest.mark.django_db

# session, user, groups, the (manager, fund) balances, their users, their funds, the entries,
# then the payment form's two choice lists
LEDGER_QUERIES = 9
# session, user, groups, balances per fund, their funds, assignments with projects, totals, entries
# (the menu asks the named predicates: no permission lookups)
TECH_HOME_QUERIES = 8


def rule_post(**fields):
    data = {"rule-name": "阶梯佣金", "rule-kind": "tiered", "rule-basis": "both",
            "tier-TOTAL_FORMS": "4", "tier-INITIAL_FORMS": "0", "tier-MIN_NUM_FORMS": "0", "tier-MAX_NUM_FORMS": "12"}
    data.update(fields)
    return data


# rules


def test_fund_manager_creates_a_tiered_rule_through_the_tier_rows(client, world, fund):
    client.force_login(world.fund_manager)

    response = client.post(reverse("funding:commissions", args=[fund.pk]), rule_post(**{
        "tier-0-up_to": "1000000", "tier-0-rate_pct": "5", "tier-1-rate_pct": "3"}))

    assert response.status_code == 302
    created = CommissionRule.objects.get()
    assert (created.fund, created.kind, created.tiers) == (fund, "tiered", [
        {"up_to": "1000000", "rate_pct": "5"}, {"up_to": None, "rate_pct": "3"}])
    page = client.get(reverse("funding:commissions", args=[fund.pk]))
    assert page.status_code == 200
    assert [r.formula for r in page.context["rules"]] == [describe(created)]


@pytest.mark.parametrize("fields", [
    {"tier-0-up_to": "1000000", "tier-0-rate_pct": "5", "tier-1-up_to": "500000", "tier-1-rate_pct": "3",
     "tier-2-rate_pct": "1"},                                                            # not ascending
    {"tier-0-up_to": "1000000", "tier-0-rate_pct": "5"},                                 # last not open-ended
    {"rule-kind": "staged", "rule-rate_pct": "10", "rule-share_scouting": "50", "rule-share_transfer": "40"},
    {"rule-kind": "flat"},                                                               # no rate
    {"rule-kind": "flat", "rule-rate_pct": "-1"},
])
def test_incomplete_rules_are_refused_with_the_form_kept(client, world, fund, fields):
    client.force_login(world.fund_manager)

    response = client.post(reverse("funding:commissions", args=[fund.pk]), rule_post(**fields))

    assert response.status_code == 400
    assert response.context["form"].data["rule-name"] == "阶梯佣金"
    assert CommissionRule.objects.count() == 0


def test_fund_manager_edits_and_deactivates_a_rule(client, world, fund):
    used = rule(fund, kind="flat", rate_pct=Decimal("5"), basis="contracts")
    client.force_login(world.fund_manager)

    page = client.get(reverse("funding:commission_rule", args=[fund.pk, used.pk]))
    edited = client.post(reverse("funding:commission_rule", args=[fund.pk, used.pk]), rule_post(**{
        "rule-name": "分阶段", "rule-kind": "staged", "rule-rate_pct": "8", "rule-share_scouting": "20",
        "rule-share_incubation": "30", "rule-share_transfer": "50", "rule-active": "on"}))
    deactivated = client.post(reverse("funding:deactivate_commission_rule", args=[fund.pk, used.pk]))

    assert (page.status_code, edited.status_code, deactivated.status_code) == (200, 302, 302)
    used.refresh_from_db()
    assert (used.kind, used.rate_pct, used.stages, used.active) == (
        "staged", Decimal("8.000"), {"scouting": "20", "incubation": "30", "transfer": "50"}, False)


def test_a_rule_of_another_fund_is_not_found(client, world, fund):
    used = rule(FundFactory(), kind="flat", rate_pct=Decimal("5"))
    client.force_login(world.fund_manager)

    assert client.get(reverse("funding:commission_rule", args=[fund.pk, used.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.INCUBATION_MANAGER, Role.TECHNOLOGY_MANAGER, Role.RESEARCHER, Role.EXPERT])
def test_only_fund_managers_manage_rules(client, world, fund, role):
    used = rule(fund, kind="flat", rate_pct=Decimal("5"))
    client.force_login(UserFactory(role=role))

    assert client.get(reverse("funding:commissions", args=[fund.pk])).status_code == 403
    assert client.post(reverse("funding:commissions", args=[fund.pk]), rule_post(**{
        "rule-kind": "flat", "rule-rate_pct": "5"})).status_code == 403
    assert client.post(reverse("funding:commission_rule", args=[fund.pk, used.pk]), rule_post()).status_code == 403
    assert client.post(reverse("funding:deactivate_commission_rule", args=[fund.pk, used.pk])).status_code == 403
    used.refresh_from_db()
    assert (CommissionRule.objects.count(), used.active) == (1, True)


# the ledger


def accrue(world, fund, managers=2):
    """A project with `managers` technology managers and a 1,500,000 contract at 5 %: 75,000 split."""
    project = world.incubating()
    if not CommissionRule.objects.filter(fund=fund).exists():
        rule(fund, kind="flat", rate_pct=Decimal("5"), basis="contracts")
    assigned = tech_managers(world, project, *["transfer"] * managers)
    record_contract(project=project, actor=world.incubator,
                    **contract_data(registration_number=f"R-{project.pk}"))
    return project, assigned


@pytest.mark.parametrize("count", [1, 3])
def test_ledger_query_count_does_not_grow(client, world, fund, django_assert_num_queries, count):
    accrue(world, fund, managers=count)
    client.force_login(world.fund_manager)

    with django_assert_num_queries(LEDGER_QUERIES):
        response = client.get(reverse("funding:commission_ledger"))

    assert len(response.context["rows"]) == count
    assert len(response.context["entries"]) == count


def test_ledger_shows_accrued_paid_and_payable_per_manager(client, world, fund):
    _project, (first, second) = accrue(world, fund)
    record_commission_payment(manager=first, fund=fund, amount=Decimal("30000.00"), reference="P1",
                              actor=world.fund_manager)
    client.force_login(world.fund_manager)

    response = client.get(reverse("funding:commission_ledger"))

    rows = {row["manager"]: (row["accrued"], row["paid"], row["payable"]) for row in response.context["rows"]}
    assert rows == {first: (Decimal("37500.00"), Decimal("30000.00"), Decimal("7500.00")),
                    second: (Decimal("37500.00"), Decimal("0.00"), Decimal("37500.00"))}
    html = response.content.decode()
    assert "flat rule" in html and str(FORMULA_NAMES["commission-v1"]) in html
    assert "commission-v1" not in html  # the formulas' edition is named in words, not by its code


def test_payment_over_http_is_recorded_once_per_form(client, world, fund):
    _project, (first, _second) = accrue(world, fund)
    client.force_login(world.fund_manager)
    token = client.get(reverse("funding:commission_ledger")).context["form"].initial["token"]
    data = {"manager": first.pk, "fund": fund.pk, "amount": "10000.00", "reference": "银行回单-9", "token": token}

    one = client.post(reverse("funding:pay_commission"), data)
    two = client.post(reverse("funding:pay_commission"), data)

    assert (one.status_code, two.status_code) == (302, 302)
    assert list(CommissionEntry.objects.filter(kind=CommissionEntryKind.PAYMENT).values_list("amount", "reference")) \
        == [(Decimal("10000.00"), "银行回单-9")]


def test_payment_above_the_payable_balance_over_http_changes_nothing(client, world, fund):
    _project, (first, _second) = accrue(world, fund)
    client.force_login(world.fund_manager)

    response = client.post(reverse("funding:pay_commission"), {
        "manager": first.pk, "fund": fund.pk, "amount": "37500.01", "reference": "R"})
    no_reference = client.post(reverse("funding:pay_commission"), {
        "manager": first.pk, "fund": fund.pk, "amount": "1.00", "reference": ""})

    assert (response.status_code, no_reference.status_code) == (400, 400)
    assert response.context["form"].data["amount"] == "37500.01"
    assert CommissionEntry.objects.filter(kind=CommissionEntryKind.PAYMENT).count() == 0


@pytest.mark.parametrize("role", [Role.INCUBATION_MANAGER, Role.TECHNOLOGY_MANAGER, Role.RESEARCHER, Role.EXPERT])
def test_only_fund_managers_see_the_ledger_and_pay(client, world, fund, role):
    _project, (first, _second) = accrue(world, fund)
    client.force_login(first if role == Role.TECHNOLOGY_MANAGER else UserFactory(role=role))

    assert client.get(reverse("funding:commission_ledger")).status_code == 403
    assert client.post(reverse("funding:pay_commission"), {
        "manager": first.pk, "fund": fund.pk, "amount": "1.00", "reference": "R"}).status_code == 403
    assert CommissionEntry.objects.filter(kind=CommissionEntryKind.PAYMENT).count() == 0


# the technology manager's own page


@pytest.mark.parametrize("count", [1, 3])
def test_tech_home_query_count_does_not_grow(client, world, fund, django_assert_num_queries, count):
    manager = UserFactory(role=Role.TECHNOLOGY_MANAGER)
    rule(fund, kind="flat", rate_pct=Decimal("5"), basis="contracts")
    for i in range(count):
        project = world.incubating()
        assign_tech_manager(project=project, manager=manager, stage="transfer", actor=world.incubator)
        record_contract(project=project, actor=world.incubator, **contract_data(registration_number=f"R-{i}"))
    client.force_login(manager)

    with django_assert_num_queries(TECH_HOME_QUERIES):
        response = client.get(reverse("incubation:tech_home"))

    assert (len(response.context["assignments"]), len(response.context["entries"])) == (count, count)


def test_tech_home_shows_only_the_managers_own_projects_and_commissions(client, world, fund):
    project, (mine, _theirs) = accrue(world, fund)
    other_project, _ = accrue(world, fund, managers=1)
    record_commission_payment(manager=mine, fund=fund, amount=Decimal("7500.00"), reference="P1",
                              actor=world.fund_manager)
    client.force_login(mine)

    response = client.get(reverse("incubation:tech_home"))

    assert [a.project for a in response.context["assignments"]] == [project]
    assert response.context["totals"] == {"accrued": Decimal("37500.00"), "paid": Decimal("7500.00"),
                                          "payable": Decimal("30000.00")}
    assert {e.manager for e in response.context["entries"]} == {mine}
    assert f'href="{reverse("incubation:project", args=[other_project.pk])}"' not in response.content.decode()
    assert client.get(reverse("incubation:project", args=[other_project.pk])).status_code == 403
    assert client.get(reverse("incubation:project", args=[project.pk])).status_code == 200


@pytest.mark.parametrize("role", [Role.FUND_MANAGER, Role.INCUBATION_MANAGER, Role.RESEARCHER, Role.EXPERT])
def test_tech_home_is_for_technology_managers_only(client, role):
    client.force_login(UserFactory(role=role))

    assert client.get(reverse("incubation:tech_home")).status_code == 403
