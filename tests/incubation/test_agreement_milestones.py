"""Accepting milestones and recording KPI values during incubation (incubation manager)."""

from decimal import Decimal

import pytest
from django.utils import translation

from core.errors import InvalidInput
from incubation.enums import MilestoneStatus
from incubation.models import Kpi, Milestone
from incubation.services import record_progress
from proposals.models import AuditEntry
from tests.incubation.agreement_support import audit_actions, login, messages_of, progressed, signed, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(client):
    world, project, agreement = signed()
    login(client, world.incubator)
    milestone = Milestone.objects.filter(project=project).order_by("due_date").first()
    return world, project, milestone


def accept_post(milestone, note="交付物齐全", confirmed=False):
    data = {f"accept-{milestone.pk}-note": note}
    if confirmed:
        data[f"accept-{milestone.pk}-deliverables_confirmed"] = "on"
    return data


def test_manager_accepts_a_done_milestone_with_a_note_audited(client, running):
    world, project, milestone = running
    progressed(milestone, MilestoneStatus.DONE, by=world.incubator)

    response = client.post(url("milestone_accept", project, milestone.pk), accept_post(milestone))

    milestone.refresh_from_db()
    assert response.status_code == 302
    assert (milestone.status, milestone.accepted_by, milestone.accepted_at is not None) == (
        MilestoneStatus.ACCEPTED, world.incubator, True)
    audit = AuditEntry.objects.get(proposal=project.proposal, action="milestone.accepted")
    assert (audit.from_state, audit.to_state, audit.note, audit.data["milestone"]) == (
        MilestoneStatus.DONE, MilestoneStatus.ACCEPTED, "交付物齐全", milestone.pk)


def test_milestone_in_progress_needs_the_deliverables_confirmed(client, running):
    world, project, milestone = running
    progressed(milestone, MilestoneStatus.IN_PROGRESS, by=world.incubator)

    refused = client.post(url("milestone_accept", project, milestone.pk), accept_post(milestone))
    milestone.refresh_from_db()
    assert (refused.status_code, milestone.status, milestone.accepted_at) == (400, MilestoneStatus.IN_PROGRESS, None)
    assert messages_of(refused) == ["The milestone is still in progress: confirm that you checked its deliverables."]
    assert audit_actions(project, "milestone.") == []

    accepted = client.post(url("milestone_accept", project, milestone.pk), accept_post(milestone, confirmed=True))
    milestone.refresh_from_db()
    assert (accepted.status_code, milestone.status) == (302, MilestoneStatus.ACCEPTED)
    assert AuditEntry.objects.get(action="milestone.accepted").data["deliverables_confirmed"] is True


def test_planned_or_already_accepted_milestones_cannot_be_accepted(client, running):
    world, project, milestone = running

    planned = client.post(url("milestone_accept", project, milestone.pk), accept_post(milestone, confirmed=True))
    progressed(milestone, MilestoneStatus.DONE, by=world.incubator)
    client.post(url("milestone_accept", project, milestone.pk), accept_post(milestone), follow=True)
    again = client.post(url("milestone_accept", project, milestone.pk), accept_post(milestone))

    assert (planned.status_code, again.status_code) == (409, 409)
    assert messages_of(planned) == ["Only a milestone that is done or in progress can be accepted."]
    assert messages_of(again) == ["This milestone was already accepted."]
    assert audit_actions(project, "milestone.") == ["milestone.accepted"]


def test_milestone_of_another_project_is_not_found(client, running):
    world, project, milestone = running
    _w, other, _a = signed()
    foreign = Milestone.objects.filter(project=other).first()
    progressed(foreign, MilestoneStatus.DONE, by=world.incubator)

    response = client.post(url("milestone_accept", project, foreign.pk), accept_post(foreign))

    foreign.refresh_from_db()
    assert (response.status_code, foreign.status) == (404, MilestoneStatus.DONE)


def test_manager_records_kpi_actual_values(client, running):
    world, project, milestone = running
    patents = Kpi.objects.create(project=project, name="发明专利申请", unit="件", target=Decimal("2"))
    revenue = Kpi.objects.create(project=project, name="销售收入", unit="万元", target=Decimal("100"))

    page = client.get(url("agreement", project))
    response = client.post(url("kpi_actuals", project), {f"actuals-kpi_{patents.pk}": "3",
                                                         f"actuals-kpi_{revenue.pk}": ""})

    assert page.context["kpi_actuals_form"] is not None
    assert response.status_code == 302
    patents.refresh_from_db()
    revenue.refresh_from_db()
    assert (patents.actual, patents.met, revenue.actual) == (Decimal("3.00"), True, None)
    audit = AuditEntry.objects.get(proposal=project.proposal, action="kpi.actuals_recorded")
    assert audit.data == {"changes": {str(patents.pk): [None, "3.00"]}}


def test_progress_notes_cannot_accept_a_milestone_behind_the_acceptance_step(running):

    world, project, milestone = running

    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        record_progress(project=project, author=world.incubator, note="已完成", milestone=milestone,
                        milestone_status=MilestoneStatus.ACCEPTED)

    milestone.refresh_from_db()
    assert str(refused.value) == "Accept a milestone on the agreement page, where its acceptance is recorded."
    assert (milestone.status, milestone.accepted_at) == (MilestoneStatus.PLANNED, None)
