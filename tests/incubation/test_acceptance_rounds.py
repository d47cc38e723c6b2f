"""Final acceptance (验收) in rounds: pass, pass after rectification, needs re-review and fail, each with its
consequence on the retained tranche."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from core.errors import IllegalTransition, InvalidInput
from incubation.enums import AcceptanceOutcome as A, ProjectStatus, TrancheGate, TrancheStatus
from incubation.models import Acceptance, Kpi, Tranche
from incubation.selectors.agreement import gate_status
from incubation.services.acceptance import flag_overdue_rectifications, record_acceptance
from incubation.services.midterm import record_midterm_check
from incubation.signals import acceptance_recorded
from tests.factories import UserFactory
from tests.incubation.lifecycle_support import LifecycleWorld, audit_rows, client_for, returns_of, team_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
WORLD = LifecycleWorld


@pytest.fixture
def project(project, world):
    """The shared signed project, past its mid-term check."""
    world.release(project)
    record_midterm_check(project=project, actor=world.incubator, outcome="continue", findings="进展正常")
    world.release(project, gate=TrancheGate.MIDTERM, reference="BANK-002")
    project.refresh_from_db()
    return project  # 180,000 paid; the retained 20,000 is planned


def retained(project):
    return Tranche.objects.select_related("agreement__project").get(agreement__project=project,
                                                                    gate=TrancheGate.ACCEPTANCE)


def accept(world, project, outcome, findings="验收材料齐全", deadline=None):
    return record_acceptance(project=project, actor=world.incubator, outcome=outcome, findings=findings,
                             rectification_deadline=deadline)


@pytest.fixture
def signals():
    received = []

    def receiver(sender, acceptance, actor, **kwargs):
        received.append((acceptance.round, acceptance.outcome, actor))

    acceptance_recorded.connect(receiver)
    yield received
    acceptance_recorded.disconnect(receiver)


def test_pass_graduates_and_the_fund_manager_can_release_the_retained_tranche(world, project, signals):
    assert gate_status(retained(project)) == (False, "Final acceptance has not been passed yet.")

    accept(world, project, A.PASS)
    tranche = world.release(project, gate=TrancheGate.ACCEPTANCE, reference="BANK-003")

    project.refresh_from_db()
    assert (project.status, tranche.status, tranche.amount) == (ProjectStatus.GRADUATED, TrancheStatus.RELEASED,
                                                                 Decimal("20000.00"))
    assert signals == [(1, A.PASS, world.incubator)]
    assert audit_rows(project, "acceptance.") == [("acceptance.pass", "active", "graduated")]


def test_rectify_holds_the_tranche_and_a_pass_after_rectification_graduates(world, project, signals):
    due = timezone.localdate() + dt.timedelta(days=30)

    accept(world, project, A.RECTIFY, findings="财务凭证不全", deadline=due)
    project.refresh_from_db()
    held = gate_status(retained(project))[0]
    status_then = (project.status, project.rectification_due)
    second = accept(world, project, A.PASS, findings="整改完成")

    project.refresh_from_db()
    assert (held, status_then) == (False, (ProjectStatus.RECTIFICATION, due))
    assert (second.round, project.status, project.rectification_due) == (2, ProjectStatus.GRADUATED, None)
    assert gate_status(retained(project)) == (True, "")
    assert signals == [(1, A.RECTIFY, world.incubator), (2, A.PASS, world.incubator)]
    assert audit_rows(project, "acceptance.") == [("acceptance.rectify", "active", "rectification"),
                                                  ("acceptance.pass", "rectification", "graduated")]


@pytest.mark.parametrize("deadline", [None, dt.date(2020, 1, 1), "today"])
def test_rectify_without_a_future_deadline_is_refused_and_changes_nothing(world, project, deadline):
    deadline = timezone.localdate() if deadline == "today" else deadline

    with pytest.raises(InvalidInput) as refused:
        accept(world, project, A.RECTIFY, deadline=deadline)

    project.refresh_from_db()
    assert str(refused.value) in ("Set the deadline for the rectification.",
                                  "The rectification deadline must be in the future.")
    assert (project.status, Acceptance.objects.count()) == (ProjectStatus.ACTIVE, 0)


def test_rectify_with_a_past_deadline_over_http_says_why(world, project):
    response = client_for(world.incubator).post(reverse("incubation:acceptance", args=[project.pk]), {
        "acceptance-outcome": "rectify", "acceptance-findings": "财务凭证不全",
        "acceptance-rectification_deadline": "2020-01-01"})

    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]] == ["The rectification deadline must be in the future."]
    assert Acceptance.objects.count() == 0


def test_rereview_keeps_the_project_active_and_the_tranche_held(world, project):
    accept(world, project, A.REREVIEW, findings="专家意见分歧，需复议")

    project.refresh_from_db()
    assert (project.status, gate_status(retained(project))[0], retained(project).status) == (
        ProjectStatus.ACTIVE, False, TrancheStatus.PLANNED)
    second = accept(world, project, A.PASS, findings="复议通过")
    assert (second.round, gate_status(retained(project))[0]) == (2, True)


def test_fail_terminates_and_returns_the_retained_tranche_to_the_fund(world, project):
    available_before = world.available()

    accept(world, project, A.FAIL, findings="核心指标未达成")

    project.refresh_from_db()
    assert (project.status, project.closing_note) == (ProjectStatus.TERMINATED, "核心指标未达成")
    assert retained(project).status == TrancheStatus.CANCELLED
    assert gate_status(retained(project))[0] is False
    assert returns_of(project) == [Decimal("20000.00")]
    assert world.available() == available_before + Decimal("20000.00")
    assert audit_rows(project, "acceptance.") == [("acceptance.fail", "active", "terminated")]


def test_during_rectification_only_pass_or_fail_may_follow(world, project):
    accept(world, project, A.RECTIFY, deadline=timezone.localdate() + dt.timedelta(days=10))

    with pytest.raises(IllegalTransition):
        accept(world, project, A.REREVIEW)
    assert Acceptance.objects.count() == 1


def test_a_closed_project_gets_no_further_round(world, project):
    accept(world, project, A.PASS)

    with pytest.raises(IllegalTransition) as refused:
        accept(world, project, A.FAIL)
    assert str(refused.value) == "The project is closed."


def test_no_acceptance_before_the_agreement_is_signed(world):
    unsigned = world.incubating()

    with pytest.raises(IllegalTransition):
        accept(world, unsigned, A.PASS)
    assert Acceptance.objects.count() == 0


def test_findings_are_required(world, project):
    with pytest.raises(InvalidInput):
        accept(world, project, A.PASS, findings="  ")
    project.refresh_from_db()
    assert (project.status, Acceptance.objects.count()) == (ProjectStatus.ACTIVE, 0)


# the sweep's reminder

def test_the_manager_is_mailed_once_when_the_rectification_deadline_has_passed(
        world, project, django_capture_on_commit_callbacks):
    world.incubator.language = "en"
    world.incubator.save(update_fields=["language"])
    due = timezone.localdate() + dt.timedelta(days=10)
    accept(world, project, A.RECTIFY, deadline=due)

    with django_capture_on_commit_callbacks(execute=True):
        counts = [flag_overdue_rectifications(due), flag_overdue_rectifications(due + dt.timedelta(days=1)),
                  flag_overdue_rectifications(due + dt.timedelta(days=2))]

    assert counts == [0, 1, 0]
    assert [m.to for m in mail.outbox] == [[world.incubator.email]]
    assert mail.outbox[0].subject == f"[pocflow] Rectification deadline passed: {project.proposal.reference}"


# pages

def test_acceptance_page_shows_kpis_target_and_actual_and_milestones(world, project):
    Kpi.objects.create(project=project, name="样机良率", unit="%", target=Decimal("95"), actual=Decimal("96.5"))

    response = client_for(world.incubator).get(reverse("incubation:acceptance", args=[project.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<td class="num">95 %</td>' in html and '<td class="num">96.5 %</td>' in html
    assert "样机完成" in html and "中试验证" in html


def test_manager_records_a_pass_over_http(world, project):
    response = client_for(world.incubator).post(reverse("incubation:acceptance", args=[project.pk]), {
        "acceptance-outcome": "pass", "acceptance-findings": "全部指标达成"})

    project.refresh_from_db()
    assert (response.status_code, project.status) == (302, ProjectStatus.GRADUATED)


@pytest.mark.parametrize("who", ["team", Role.EXPERT, Role.RESEARCHER, Role.FUND_MANAGER])
def test_only_incubation_managers_record_acceptance(world, project, who):
    user = team_of(project) if who == "team" else UserFactory(role=who)
    client = client_for(user)

    page = client.get(reverse("incubation:acceptance", args=[project.pk]))
    response = client.post(reverse("incubation:acceptance", args=[project.pk]), {
        "acceptance-outcome": "pass", "acceptance-findings": "通过"})

    project.refresh_from_db()
    assert (page.status_code, response.status_code, project.status, Acceptance.objects.count()) == (
        403, 403, ProjectStatus.ACTIVE, 0)


def test_the_team_is_mailed_each_rounds_result_with_the_rectification_deadline(
        world, project, django_capture_on_commit_callbacks):
    team = team_of(project)
    team.language = "en"
    team.save(update_fields=["language"])
    due = timezone.localdate() + dt.timedelta(days=30)

    with django_capture_on_commit_callbacks(execute=True):
        accept(world, project, A.RECTIFY, findings="财务决算需补充审计报告", deadline=due)
        accept(world, project, A.PASS, findings="整改完成")

    results = [m for m in mail.outbox if m.subject.startswith("[pocflow] Acceptance of")]
    assert [(m.to, m.subject) for m in results] == [
        ([team.email], f"[pocflow] Acceptance of {project.proposal.reference}, round 1"),
        ([team.email], f"[pocflow] Acceptance of {project.proposal.reference}, round 2")]
    assert f"by {due.isoformat()}" in results[0].body and "财务决算需补充审计报告" in results[0].body
    assert "passed its final acceptance" in results[1].body
    # the passing round also issues the certificate, announced separately
    assert len(mail.outbox) == 3
