"""Who may read the agreement page, edit it, upload the signed copy, accept milestones and release money."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from funding.enums import Stage
from incubation.models import Agreement, Milestone, TechManagerAssignment
from tests.factories import UserFactory
from tests.forms.samples import PDF, upload
from tests.incubation.agreement_support import (
    audit_actions,
    budget_data,
    budget_state,
    incubating,
    login,
    milestone_state,
    releases,
    team,
    tranche_data,
    tranche_state,
    url,
)

pytestmark = pytest.mark.django_db

EDITS = ["agreement_terms", "agreement_milestones", "agreement_budget", "agreement_tranches", "agreement_issue",
         "kpi_actuals"]


def edit_posts(client, project):
    """One POST to every editing endpoint, with data that would be accepted from the manager."""
    milestone = Milestone.objects.filter(project=project).first()
    statuses = [client.post(url(name, project), budget_data({"equipment": "200000"}) if name == "agreement_budget"
                            else tranche_data([(60, "signature"), (40, "midterm")]) if name == "agreement_tranches"
                            else {}).status_code for name in EDITS]
    statuses.append(client.post(url("milestone_accept", project, milestone.pk), {}).status_code)
    return statuses


def state(project, agreement):
    agreement = Agreement.objects.get(pk=agreement.pk)
    return (agreement.status, budget_state(agreement), tranche_state(agreement), milestone_state(project),
            audit_actions(project, "agreement."), audit_actions(project, "milestone."))


@pytest.mark.parametrize("role", [Role.FUND_MANAGER, Role.PROGRAM_OFFICER, Role.RESEARCHER, Role.EXPERT,
                                  Role.TECHNOLOGY_MANAGER])
def test_only_the_incubation_manager_edits_the_agreement(client, role):
    world, project, agreement = incubating()
    before = state(project, agreement)
    login(client, UserFactory(role=role))

    statuses = edit_posts(client, project)

    assert statuses == [403] * (len(EDITS) + 1)
    assert state(project, agreement) == before


def test_the_team_reads_and_uploads_but_does_not_edit(client):
    world, project, agreement = incubating()
    login(client, world.incubator)
    client.post(url("agreement_budget", project), budget_data({"equipment": "200000"}), follow=True)
    client.post(url("agreement_issue", project), follow=True)
    before = state(project, agreement)
    login(client, team(project))

    page = client.get(url("agreement", project))
    edits = edit_posts(client, project)

    assert page.status_code == 200
    assert (page.context["can_edit"], page.context["can_upload"], page.context["can_release"]) == (False, True, False)
    assert edits == [403] * (len(EDITS) + 1)
    assert state(project, agreement) == before
    uploaded = client.post(url("agreement_upload_signed", project),
                           {"signed-file": upload("signed.pdf", PDF), "signed-signed_on": agreement.starts_on.isoformat()})
    assert (uploaded.status_code, Agreement.objects.get(pk=agreement.pk).status) == (302, "signed")


@pytest.mark.parametrize("role", [Role.INCUBATION_MANAGER, Role.FUND_MANAGER, Role.PROGRAM_OFFICER, Role.ADMINISTRATOR])
def test_staff_who_follow_projects_read_the_agreement(client, role):
    world, project, agreement = incubating()
    login(client, UserFactory(role=role))

    assert client.get(url("agreement", project)).status_code == 200


def test_assigned_technology_manager_reads_the_agreement_but_others_do_not(client):
    world, project, agreement = incubating()
    assigned, other = UserFactory(role=Role.TECHNOLOGY_MANAGER), UserFactory(role=Role.TECHNOLOGY_MANAGER)
    TechManagerAssignment.objects.create(project=project, manager=assigned, stage=Stage.INCUBATION,
                                         assigned_by=world.incubator)

    login(client, assigned)
    seen = client.get(url("agreement", project)).status_code
    login(client, other)
    refused = client.get(url("agreement", project)).status_code

    assert (seen, refused) == (200, 403)


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.EXPERT])
def test_researchers_outside_the_team_and_experts_cannot_read_or_upload(client, role):
    world, project, agreement = incubating()
    login(client, UserFactory(role=role))

    statuses = [client.get(url("agreement", project)).status_code,
                client.post(url("agreement_upload_signed", project),
                            {"signed-file": upload("signed.pdf", PDF), "signed-signed_on": "2026-01-01"}).status_code]

    assert statuses == [403, 403]


@pytest.mark.parametrize("role", [Role.INCUBATION_MANAGER, Role.PROGRAM_OFFICER, Role.RESEARCHER, Role.EXPERT, "team"])
def test_only_fund_managers_release_tranches_or_see_the_queue(client, role):
    world, project, agreement = incubating()
    agreement = world.signed(project)
    tranche = agreement.tranches.get(order=1)
    login(client, team(project) if role == "team" else UserFactory(role=role))

    statuses = [client.post(reverse("incubation:release_tranche", args=[tranche.pk]),
                            {f"release-{tranche.pk}-reference": "BANK-1"}).status_code,
                client.get(reverse("incubation:disbursements")).status_code]

    assert statuses == [403, 403]
    assert releases(project) == []
    tranche.refresh_from_db()
    assert tranche.status == "planned"
