"""The outcomes page, its forms, the project card, the settlement pages and who may open them."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from incubation.enums import SettlementKind
from incubation.models import Company, FinancingRound, Patent, Settlement, TechContract, TechManagerAssignment
from incubation.services import close_project
from incubation.services.outcomes import record_contract, record_financing_round, record_patent
from proposals.models import AuditEntry
from tests.factories import UserFactory
from tests.incubation.outcomes_support import (
    VALID_CREDIT_CODE,
    contract_data,
    days,
    invest_first,
    round_data,
    tech_managers,
)

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"incubation:{name}", args=args)


def form(prefix, **fields):
    return {f"{prefix}-{key}": value for key, value in fields.items()}


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# the page and who sees it


def test_incubation_manager_sees_the_page_with_the_forms(client, world, project):
    client.force_login(world.incubator)

    response = client.get(url("outcomes", project.pk))

    assert response.status_code == 200
    assert (response.context["can_record"], response.context["can_assign"]) == (True, True)
    html = response.content.decode()
    assert f'action="{url("record_contract", project.pk)}"' in html
    assert f'action="{url("assign_tech_manager", project.pk)}"' in html


def test_the_team_sees_the_outcomes_but_records_nothing(client, world, project):
    record_contract(project=project, actor=world.incubator, **contract_data())
    client.force_login(project.proposal.applicant)

    response = client.get(url("outcomes", project.pk))
    posted = client.post(url("record_contract", project.pk), form("contract", **contract_data(registration_number="X")))

    assert (response.status_code, response.context["can_record"]) == (200, False)
    assert "2026110000000123" in response.content.decode()
    assert f'action="{url("record_contract", project.pk)}"' not in response.content.decode()
    assert posted.status_code == 403
    assert TechContract.objects.count() == 1


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.EXPERT, Role.TECHNOLOGY_MANAGER])
def test_strangers_cannot_open_the_outcomes_page(client, project, role):
    client.force_login(UserFactory(role=role))

    assert client.get(url("outcomes", project.pk)).status_code == 403
    assert client.get(url("project", project.pk)).status_code == 403


def test_an_assigned_technology_manager_sees_and_records_but_not_another_project(client, world, project):
    other = world.incubating()
    [manager] = tech_managers(world, project, "transfer")
    client.force_login(manager)

    own = client.get(url("outcomes", project.pk))
    posted = client.post(url("record_patent", project.pk), form(
        "patent", title="一种方法", kind="invention", number="CN202610000002.1", filed_on=days(-3).isoformat()))

    assert (own.status_code, own.context["can_record"], own.context["can_assign"]) == (200, True, False)
    assert posted.status_code == 302
    assert Patent.objects.get().recorded_by == manager
    assert client.get(url("outcomes", other.pk)).status_code == 403
    assert client.get(url("project", other.pk)).status_code == 403
    assert client.post(url("record_patent", other.pk), form(
        "patent", title="x", kind="invention", number="CN3", filed_on=days(-3).isoformat())).status_code == 403
    assert Patent.objects.count() == 1


def test_fund_manager_sees_but_cannot_record(client, world, project):
    client.force_login(world.fund_manager)

    response = client.get(url("outcomes", project.pk))
    posted = client.post(url("record_company", project.pk), form(
        "company", name="公司", founded_on=days(-3).isoformat(), registered_capital="100"))

    assert (response.status_code, response.context["can_record"]) == (200, False)
    assert posted.status_code == 403
    assert Company.objects.count() == 0


# recording over HTTP


def test_each_form_records_its_outcome(client, world, project):
    client.force_login(world.incubator)
    year = days(0).year - 1

    responses = [
        client.post(url("record_company", project.pk), form(
            "company", name="钙钛矿科技有限公司", founded_on=days(-30).isoformat(), registered_capital="1000000",
            credit_code=VALID_CREDIT_CODE)),
        client.post(url("record_round", project.pk), form(
            "round", name="天使轮", closed_on=days(-2).isoformat(), amount="3000000", investors="某基金",
            pre_money_valuation="12000000", is_market_round="on")),
        client.post(url("record_patent", project.pk), form(
            "patent", title="一种方法", kind="invention", number="CN1", filed_on=days(-40).isoformat())),
        client.post(url("record_contract", project.pk), form("contract", **contract_data())),
        client.post(url("record_figure", project.pk), form("figure", year=year, revenue="500000", jobs="12")),
    ]
    patent = Patent.objects.get()
    granted = client.post(url("grant_patent", project.pk, patent.pk), {"grant-granted_on": days(-1).isoformat()})

    assert [r.status_code for r in responses + [granted]] == [302] * 6
    assert (Company.objects.get().credit_code, FinancingRound.objects.get().amount,
            TechContract.objects.get().amount) == (VALID_CREDIT_CODE, Decimal("3000000.00"), Decimal("1500000.00"))
    patent.refresh_from_db()
    assert patent.status == "granted"
    assert project.annual_figures.get().jobs == 12
    assert AuditEntry.objects.filter(proposal=project.proposal, action__startswith="outcome.").count() == 6


def test_duplicate_registration_number_over_http_keeps_the_form_and_saves_nothing(client, world, project):
    record_contract(project=project, actor=world.incubator, **contract_data())
    client.force_login(world.incubator)

    response = client.post(url("record_contract", project.pk), form("contract", **contract_data(counterparty="另一家")))

    assert response.status_code == 400
    assert response.context["forms"]["contract"].data["contract-counterparty"] == "另一家"
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "The registration number %(number)s is already recorded; each registered contract is recorded once.") % {
            "number": "2026110000000123"}
    assert messages_of(response) == [expected]
    assert TechContract.objects.count() == 1


def test_registration_before_signing_over_http_is_a_form_error(client, world, project):
    client.force_login(world.incubator)

    response = client.post(url("record_contract", project.pk), form(
        "contract", **contract_data(signed_on=days(-2).isoformat(), registered_on=days(-3).isoformat())))

    assert response.status_code == 400
    assert "registered_on" in response.context["forms"]["contract"].errors
    assert TechContract.objects.count() == 0


def test_negative_amount_over_http_is_a_form_error(client, world, project):
    client.force_login(world.incubator)

    response = client.post(url("record_round", project.pk), form(
        "round", name="A", closed_on=days(-2).isoformat(), amount="-5", investors="x", is_market_round="on"))

    assert response.status_code == 400
    assert "amount" in response.context["forms"]["round"].errors
    assert FinancingRound.objects.count() == 0


def test_conversion_without_valuation_over_http_is_refused_in_the_users_language(client, world):
    project = invest_first(world)
    client.force_login(world.incubator)

    response = client.post(url("record_round", project.pk), form(
        "round", name="天使轮", closed_on=days(-2).isoformat(), amount="3000000", investors="某基金",
        is_market_round="on"))

    assert response.status_code == 400
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "This round converts the invest-first (先投后股) money, and a conversion needs the round's valuation: "
            "enter the pre-money valuation.")
    assert messages_of(response) == [expected]
    assert (FinancingRound.objects.count(), Settlement.objects.count()) == (0, 0)


def test_converting_round_over_http_reports_the_stake(client, world):
    project = invest_first(world, concession=Decimal("0"))
    client.force_login(world.incubator)

    response = client.post(url("record_round", project.pk), form(
        "round", name="天使轮", closed_on=days(-2).isoformat(), amount="5000000", investors="某基金",
        pre_money_valuation="20000000", is_market_round="on"), follow=True)

    assert Settlement.objects.get().stake_pct == Decimal("0.477707")
    assert "0.477707" in response.content.decode()


def test_recording_on_a_terminated_project_is_a_conflict(client, world, project):
    close_project(project=project, actor=world.incubator, outcome="terminated", note="中止")
    client.force_login(world.incubator)

    response = client.post(url("record_contract", project.pk), form("contract", **contract_data()))
    page = client.get(url("outcomes", project.pk))

    assert response.status_code == 409
    assert TechContract.objects.count() == 0
    assert page.context["can_record"] is False


# technology manager assignment over HTTP


def test_incubation_manager_assigns_and_removes_over_http(client, world, project):
    manager = UserFactory(role=Role.TECHNOLOGY_MANAGER)
    client.force_login(world.incubator)

    assigned = client.post(url("assign_tech_manager", project.pk), form("assign", manager=manager.pk, stage="scouting"))
    assignment = TechManagerAssignment.objects.get()
    removed = client.post(url("remove_tech_manager", project.pk, assignment.pk))

    assert (assigned.status_code, removed.status_code) == (302, 302)
    assert TechManagerAssignment.objects.count() == 0
    assert list(AuditEntry.objects.filter(proposal=project.proposal, action__startswith="tech_manager.")
                .values_list("action", flat=True)) == ["tech_manager.assigned", "tech_manager.removed"]


@pytest.mark.parametrize("role", [Role.FUND_MANAGER, Role.TECHNOLOGY_MANAGER, Role.RESEARCHER])
def test_others_cannot_assign_or_remove(client, world, project, role):
    [assigned] = tech_managers(world, project, "transfer")
    user = assigned if role == Role.TECHNOLOGY_MANAGER else UserFactory(role=role)
    client.force_login(user)

    add = client.post(url("assign_tech_manager", project.pk),
                      form("assign", manager=UserFactory(role=Role.TECHNOLOGY_MANAGER).pk, stage="scouting"))
    remove = client.post(url("remove_tech_manager", project.pk, TechManagerAssignment.objects.get().pk))

    assert (add.status_code, remove.status_code) == (403, 403)
    assert TechManagerAssignment.objects.count() == 1


def test_assigning_a_non_technology_manager_is_a_form_error(client, world, project):
    client.force_login(world.incubator)

    response = client.post(url("assign_tech_manager", project.pk),
                           form("assign", manager=UserFactory(role=Role.RESEARCHER).pk, stage="scouting"))

    assert response.status_code == 400
    assert TechManagerAssignment.objects.count() == 0


# the card on the project page


def test_project_page_card_shows_the_outcomes(client, world):
    project = invest_first(world, concession=Decimal("0"))
    [manager] = tech_managers(world, project, "transfer")
    record_financing_round(project=project, actor=world.incubator, **round_data())
    record_contract(project=project, actor=world.incubator, **contract_data())
    record_patent(project=project, actor=world.incubator, title="专利", kind="invention", number="CN1",
                  filed_on=days(-3), granted_on=days(-1))
    client.force_login(world.incubator)

    response = client.get(url("project", project.pk))

    html = response.content.decode()
    totals = response.context["outcomes_totals"]
    assert (totals["financing_total"], totals["contract_total"], totals["patents_filed"], totals["patents_granted"]) == (
        Decimal("5000000.00"), Decimal("1500000.00"), 1, 1)
    assert response.context["outcomes_settlement"].kind == SettlementKind.CONVERTED
    assert 'id="outcomes-card"' in html and "0.477707" in html and manager.display_name in html
    assert f'href="{url("outcomes", project.pk)}"' in html


@pytest.mark.parametrize("name", ["record_company", "record_round", "record_patent", "record_contract", "record_figure",
                                  "grant_patent"])
@pytest.mark.parametrize("who", ["team", "expert", "fund_manager"])
def test_every_recording_view_refuses_who_may_not_record(client, world, project, name, who):
    patent = record_patent(project=project, actor=world.incubator, title="专利", kind="invention", number="CN1",
                           filed_on=days(-3))
    user = {"team": project.proposal.applicant, "expert": UserFactory(role=Role.EXPERT),
            "fund_manager": world.fund_manager}[who]
    client.force_login(user)
    args = (project.pk, patent.pk) if name == "grant_patent" else (project.pk,)

    response = client.post(url(name, *args), {})

    assert response.status_code == 403
    assert not AuditEntry.objects.filter(proposal=project.proposal, action__startswith="outcome.") \
        .exclude(action="outcome.patent").exists()
