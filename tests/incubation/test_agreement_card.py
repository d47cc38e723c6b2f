"""The agreement card on the project page: status, terms, tranches paid and unpaid, in few queries."""

from decimal import Decimal

import pytest
from django.test import RequestFactory

from incubation.models import Project
from incubation.selectors.projects import project_with_details
from incubation.services.money import release_tranche
from incubation.views.agreement import card_context
from tests.factories import ProposalFactory
from tests.incubation.agreement_support import days, login, signed, url

pytestmark = pytest.mark.django_db


def test_card_shows_status_terms_and_paid_and_unpaid_amounts(client):
    world, project, agreement = signed("invest_first", conversion_deadline=days(3 * 365), deadline_action="write_off",
                                       concession_pct=Decimal("20"))
    release_tranche(tranche=agreement.tranches.get(order=1), actor=world.fund_manager, reference="V-1")
    login(client, world.fund_manager)

    response = client.get(url("project", project))

    card = response.context["agreement_card"]
    assert (card["agreement"].pk, card["tranches_released"], card["tranches_total"], card["paid"], card["unpaid"]) == (
        agreement.pk, 1, 3, Decimal("120000.00"), Decimal("80000.00"))
    html = response.content.decode()
    assert "Converts at the first market round with a 20 % concession" in html
    assert "120,000.00 CNY" in html and "80,000.00 CNY" in html
    assert f'href="{url("agreement", project)}"' in html


def test_card_reads_in_three_queries(django_assert_num_queries):
    world, project, agreement = signed()
    project = project_with_details().get(pk=project.pk)  # as the project page loads it
    request = RequestFactory().get("/")
    request.user = world.incubator
    world.incubator.has_perm("incubation.release_tranche", project)  # warm the role cache

    with django_assert_num_queries(3):
        context = card_context(request, project)

    assert context["agreement_card"]["tranches_total"] == 3


def test_project_without_agreement_shows_an_empty_card(client):
    project = Project.objects.create(proposal=ProposalFactory())
    world_user = signed()[0].incubator
    login(client, world_user)

    response = client.get(url("project", project))

    assert response.status_code == 200
    assert response.context["agreement_card"] is None
    assert "This project has no agreement." in response.content.decode()
