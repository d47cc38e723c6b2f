"""The fund managers' invest-first list and settlement page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.enums import Role
from incubation.enums import SettlementKind
from incubation.models import Settlement
from incubation.services.outcomes import record_financing_round
from proposals.models import AuditEntry
from tests.factories import UserFactory
from tests.incubation.outcomes_support import days, invest_first, round_data

pytestmark = pytest.mark.django_db

# session, user, the user's groups (role check), the projects with agreement, settlement and paid amount
CONVERSIONS_QUERIES = 4


@pytest.mark.parametrize("count", [1, 3])
def test_conversions_list_query_count_does_not_grow(client, world, django_assert_num_queries, count):
    projects = [invest_first(world, deadline=days(-1 if i % 2 else 30)) for i in range(count)]
    record_financing_round(project=projects[0], actor=world.incubator, **round_data())
    world.incubating()  # a grant project is not listed
    client.force_login(world.fund_manager)

    with django_assert_num_queries(CONVERSIONS_QUERIES):
        response = client.get(reverse("incubation:conversions"))

    assert len(response.context["rows"]) == count
    expected = ["converted", "open", "overdue"] if count == 3 else ["converted"]
    assert sorted(row["state"] for row in response.context["rows"]) == expected


def test_conversions_list_shows_stake_state_and_the_overdue_ones(client, world):
    converted = invest_first(world, concession=Decimal("0"), deadline=days(30))
    overdue = invest_first(world, deadline=days(-2))
    waiting = invest_first(world, deadline=days(60), pay=False)
    record_financing_round(project=converted, actor=world.incubator, **round_data())
    client.force_login(world.fund_manager)

    response = client.get(reverse("incubation:conversions"))

    states = {row["project"].pk: (row["state"], row["paid"]) for row in response.context["rows"]}
    assert states == {converted.pk: ("converted", Decimal("120000.00")), overdue.pk: ("overdue", Decimal("120000.00")),
                      waiting.pk: ("open", Decimal("0.00"))}
    assert [row["project"].pk for row in response.context["overdue"]] == [overdue.pk]
    html = response.content.decode()
    assert "0.477707" in html
    assert f'href="{reverse("incubation:settle", args=[overdue.pk])}"' in html


@pytest.mark.parametrize("role", [Role.INCUBATION_MANAGER, Role.RESEARCHER, Role.EXPERT, Role.TECHNOLOGY_MANAGER,
                                  Role.PROGRAM_OFFICER])
def test_only_fund_managers_open_the_conversion_pages(client, world, role):
    project = invest_first(world, deadline=days(-2))
    client.force_login(UserFactory(role=role))

    assert client.get(reverse("incubation:conversions")).status_code == 403
    assert client.get(reverse("incubation:settle", args=[project.pk])).status_code == 403
    assert client.post(reverse("incubation:settle", args=[project.pk]), {"action": "write_off"}).status_code == 403
    assert Settlement.objects.count() == 0


def test_fund_manager_writes_off_overdue_money_over_http(client, world):
    project = invest_first(world, deadline=days(-2), action="write_off")
    client.force_login(world.fund_manager)

    page = client.get(reverse("incubation:settle", args=[project.pk]))
    response = client.post(reverse("incubation:settle", args=[project.pk]), {"action": "write_off", "reason": ""})

    assert page.status_code == 200 and 'name="action"' in page.content.decode()
    assert response.status_code == 302
    settlement = Settlement.objects.get()
    assert (settlement.kind, settlement.amount, settlement.decided_by) == (
        SettlementKind.WRITTEN_OFF, Decimal("120000.00"), world.fund_manager)
    assert AuditEntry.objects.filter(proposal=project.proposal, action="settlement.written_off").count() == 1


def test_settling_before_the_deadline_over_http_is_refused(client, world):
    project = invest_first(world, deadline=days(10))
    client.force_login(world.fund_manager)

    response = client.post(reverse("incubation:settle", args=[project.pk]), {"action": "write_off"})

    assert response.status_code == 409
    assert Settlement.objects.count() == 0


def test_the_other_action_without_reason_over_http_is_refused(client, world):
    project = invest_first(world, deadline=days(-2), action="write_off")
    client.force_login(world.fund_manager)

    response = client.post(reverse("incubation:settle", args=[project.pk]), {"action": "buy_back", "reason": ""})

    assert response.status_code == 400
    assert response.context["form"].data["action"] == "buy_back"
    assert Settlement.objects.count() == 0


def test_a_grant_project_has_no_settlement_page(client, world):
    project = world.incubating()
    client.force_login(world.fund_manager)

    assert client.get(reverse("incubation:settle", args=[project.pk])).status_code == 404
