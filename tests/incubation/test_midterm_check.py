"""The mid-term check: continue / adjust open the mid-term tranche; stop ends the project and returns the
unpaid remainder to the fund."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.enums import Role
from core.errors import IllegalTransition, InvalidInput
from funding.models import LedgerEntry
from incubation.enums import MidtermOutcome, ProjectStatus, TrancheGate, TrancheStatus
from incubation.models import MidtermCheck, Tranche
from incubation.selectors.agreement import gate_status
from incubation.services.midterm import record_midterm_check
from tests.factories import UserFactory
from tests.incubation.lifecycle_support import LifecycleWorld, audit_rows, client_for, returns_of, team_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
WORLD = LifecycleWorld


def midterm_tranche(project):
    return Tranche.objects.select_related("agreement__project").get(agreement__project=project,
                                                                    gate=TrancheGate.MIDTERM)


def check(world, project, outcome, findings="样机性能达标", adjustments="", actor=None):
    return record_midterm_check(project=project, actor=actor or world.incubator, outcome=outcome, findings=findings,
                                adjustments=adjustments)


@pytest.mark.parametrize("outcome", [MidtermOutcome.CONTINUE, MidtermOutcome.ADJUST])
def test_continue_or_adjust_meets_the_midterm_gate_and_the_tranche_can_be_released(world, project, outcome):
    assert gate_status(midterm_tranche(project)) == (False, "The mid-term check has not been passed yet.")

    check(world, project, outcome, adjustments="补充中试计划")
    tranche = world.release(project, gate=TrancheGate.MIDTERM, reference="BANK-MID")

    project.refresh_from_db()
    assert gate_status(midterm_tranche(project)) == (True, "")
    assert (tranche.status, tranche.amount, project.status) == (TrancheStatus.RELEASED, Decimal("60000.00"),
                                                                ProjectStatus.ACTIVE)
    assert audit_rows(project, "midterm.") == [("midterm.recorded", "", outcome)]


def test_stop_returns_exactly_the_unpaid_remainder_and_terminates_the_project(world, project):
    world.release(project)  # 60 % on signing: 120,000 paid
    available_before = world.available()

    check(world, project, MidtermOutcome.STOP, findings="技术路线不可行，终止项目")

    project.refresh_from_db()
    assert returns_of(project) == [Decimal("80000.00")]
    assert world.available() == available_before + Decimal("80000.00")
    assert list(Tranche.objects.filter(agreement__project=project).order_by("order").values_list("status", flat=True)) \
        == [TrancheStatus.RELEASED, TrancheStatus.CANCELLED, TrancheStatus.CANCELLED]
    assert (project.status, project.closing_note) == (ProjectStatus.TERMINATED, "技术路线不可行，终止项目")
    assert gate_status(midterm_tranche(project))[0] is False
    assert audit_rows(project, "project.terminated") == [("project.terminated", "active", "terminated")]
    assert [a for a, _f, _t in audit_rows(project)][-4:] == ["midterm.recorded", "project.terminated",
                                                             "funding.returned", "project.unpaid_returned"]


def test_stop_without_findings_changes_nothing(world, project):
    world.release(project)
    available_before = world.available()

    response = client_for(world.incubator).post(reverse("incubation:midterm", args=[project.pk]),
                                                {"midterm-outcome": "stop", "midterm-findings": "   "})

    project.refresh_from_db()
    assert response.status_code == 400
    assert (project.status, MidtermCheck.objects.count(), returns_of(project), world.available()) == (
        ProjectStatus.ACTIVE, 0, [], available_before)
    assert [t.status for t in Tranche.objects.filter(agreement__project=project, status=TrancheStatus.CANCELLED)] == []


def test_adjust_requires_the_adjustments(world, project):
    with pytest.raises(InvalidInput) as refused:
        check(world, project, MidtermOutcome.ADJUST, adjustments=" ")
    assert str(refused.value) == "List the adjustments the team must make."
    assert MidtermCheck.objects.count() == 0


def test_a_second_check_is_refused_after_continue(world, project):
    check(world, project, MidtermOutcome.CONTINUE)

    with pytest.raises(IllegalTransition) as refused:
        check(world, project, MidtermOutcome.STOP, findings="改变主意")

    project.refresh_from_db()
    assert str(refused.value).startswith("The mid-term check has already been recorded (Continue).")
    assert (MidtermCheck.objects.count(), project.status) == (1, ProjectStatus.ACTIVE)


def test_after_adjust_a_follow_up_check_decides_and_the_latest_counts(world, project):
    check(world, project, MidtermOutcome.ADJUST, adjustments="更换供应商")

    check(world, project, MidtermOutcome.STOP, findings="调整后仍未达标")

    project.refresh_from_db()
    assert list(MidtermCheck.objects.order_by("pk").values_list("outcome", flat=True)) == ["adjust", "stop"]
    assert gate_status(midterm_tranche(project))[0] is False
    assert project.status == ProjectStatus.TERMINATED
    assert returns_of(project) == [Decimal("200000.00")]


def test_no_midterm_check_before_the_agreement_is_signed(world):
    project = world.incubating()

    with pytest.raises(IllegalTransition) as refused:
        check(world, project, MidtermOutcome.CONTINUE)
    assert str(refused.value) == "The mid-term check comes after the agreement (任务书) is signed."
    assert MidtermCheck.objects.count() == 0


def test_manager_records_the_check_over_http(world, project):
    client = client_for(world.incubator)
    page = client.get(reverse("incubation:midterm", args=[project.pk]))

    response = client.post(reverse("incubation:midterm", args=[project.pk]),
                           {"midterm-outcome": "continue", "midterm-findings": "进展符合任务书"})

    assert page.status_code == 200
    assert response.status_code == 302
    assert MidtermCheck.objects.get().outcome == MidtermOutcome.CONTINUE
    card = client.get(reverse("incubation:project", args=[project.pk])).context["lifecycle"]
    assert (card["midterm"].outcome, card["can_midterm"]) == (MidtermOutcome.CONTINUE, False)


@pytest.mark.parametrize("who", ["team", Role.EXPERT, Role.RESEARCHER, Role.FUND_MANAGER])
def test_only_incubation_managers_record_the_midterm_check(world, project, who):
    user = team_of(project) if who == "team" else UserFactory(role=who)
    client = client_for(user)

    page = client.get(reverse("incubation:midterm", args=[project.pk]))
    response = client.post(reverse("incubation:midterm", args=[project.pk]),
                           {"midterm-outcome": "stop", "midterm-findings": "终止"})

    project.refresh_from_db()
    assert (page.status_code, response.status_code) == (403, 403)
    assert (project.status, MidtermCheck.objects.count(), LedgerEntry.objects.filter(kind="return").count()) == (
        ProjectStatus.ACTIVE, 0, 0)


def test_the_team_is_mailed_the_result_in_its_language(world, project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        check(world, project, MidtermOutcome.STOP, findings="关键指标未达到预期")

    team = team_of(project)
    assert [m.to for m in mail.outbox] == [[team.email]]
    assert mail.outbox[0].subject == f"[pocflow] {project.proposal.reference} 中期检查结果"
    assert "关键指标未达到预期" in mail.outbox[0].body and "退回基金" in mail.outbox[0].body
