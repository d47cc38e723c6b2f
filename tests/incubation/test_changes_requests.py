"""Change requests: budget shifts between categories and the project's one extension, decided by another
incubation manager."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.enums import Role
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from incubation.enums import ChangeKind, ChangeStatus
from incubation.models import Agreement, BudgetLine, ChangeRequest, Project
from incubation.services.changes import add_months, decide_change, request_change, withdraw_change
from tests.factories import UserFactory
from tests.incubation.lifecycle_support import LifecycleWorld, audit_rows, client_for, team_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
WORLD = LifecycleWorld


def budget(project):
    return dict(BudgetLine.objects.filter(agreement__project=project).values_list("category", "amount"))


def shift(project, actor, amount="50000.00", source="equipment", target="personnel"):
    return request_change(project=project, actor=actor, kind=ChangeKind.BUDGET_SHIFT, reason="增加劳务人员",
                          from_category=source, to_category=target, amount=Decimal(amount))


def extend(project, actor, new_end):
    return request_change(project=project, actor=actor, kind=ChangeKind.EXTENSION, reason="中试设备到货延迟",
                          new_end_date=new_end)


# budget shifts

def test_approved_budget_shift_moves_the_money_and_keeps_the_total(world, project, django_capture_on_commit_callbacks):
    team = team_of(project)
    team.language = "en"
    team.save(update_fields=["language"])
    change = shift(project, team)

    with django_capture_on_commit_callbacks(execute=True):
        decide_change(change=change, actor=world.incubator, approve=True, note="同意")

    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    assert budget(project) == {"equipment": Decimal("150000.00"), "personnel": Decimal("50000.00")}
    assert sum(budget(project).values()) == Decimal("200000.00")
    assert audit_rows(project, "change.") == [("change.requested", "", "pending"),
                                              ("change.approved", "pending", "approved")]
    assert [m.to for m in mail.outbox] == [[team.email]]
    assert mail.outbox[0].subject == f"[pocflow] Change request for {project.proposal.reference} approved"


def test_shift_into_an_existing_line_adds_to_it(world, project):
    shift(project, world.incubator, amount="50000")
    decide_change(change=ChangeRequest.objects.get(), actor=world.other_incubator, approve=True)

    decide_change(change=shift(project, world.incubator, amount="20000", source="personnel", target="equipment"),
                  actor=world.other_incubator, approve=True)

    assert budget(project) == {"equipment": Decimal("170000.00"), "personnel": Decimal("30000.00")}


def test_budget_shift_above_the_source_line_is_refused_and_nothing_changes(world, project):
    client = client_for(team_of(project))

    response = client.post(reverse("incubation:change_new", args=[project.pk]), {
        "change-kind": "budget_shift", "change-from_category": "equipment", "change-to_category": "personnel",
        "change-amount": "200000.01", "change-reason": "增加劳务人员"})

    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]] == [
        "The budget line “Equipment (设备费)” holds only 200,000.00; 200,000.01 cannot be moved."]
    assert response.context["form"]["reason"].value() == "增加劳务人员"
    assert (ChangeRequest.objects.count(), budget(project)) == (0, {"equipment": Decimal("200000.00")})


def test_approval_rechecks_the_source_line(world, project):
    first = shift(project, team_of(project), amount="150000")
    second = shift(project, team_of(project), amount="100000")
    decide_change(change=first, actor=world.incubator, approve=True)

    with pytest.raises(InvalidInput):
        decide_change(change=second, actor=world.incubator, approve=True)

    second.refresh_from_db()
    assert second.status == ChangeStatus.PENDING
    assert budget(project) == {"equipment": Decimal("50000.00"), "personnel": Decimal("150000.00")}


def test_shift_from_a_category_to_itself_is_refused(world, project):
    with pytest.raises(InvalidInput) as refused:
        shift(project, team_of(project), target="equipment")
    assert str(refused.value) == "The money must move to a different budget category."


# extensions

def test_approved_extension_moves_both_end_dates_and_a_second_extension_is_refused(world, project):
    old_end = project.ends_on
    new_end = old_end + dt.timedelta(days=90)
    change = extend(project, team_of(project), new_end)

    decide_change(change=change, actor=world.incubator, approve=True)

    project.refresh_from_db()
    assert (project.ends_on, project.extended, Agreement.objects.get(project=project).ends_on) == (new_end, True, new_end)
    with pytest.raises(IllegalTransition) as refused:
        extend(project, team_of(project), new_end + dt.timedelta(days=30))
    assert str(refused.value) == "This project has already been extended once; only one extension is allowed."
    assert ChangeRequest.objects.count() == 1


def test_second_extension_refused_over_http_with_the_message(world, project):
    decide_change(change=extend(project, world.incubator, project.ends_on + dt.timedelta(days=30)),
                  actor=world.other_incubator, approve=True)
    project.refresh_from_db()

    response = client_for(team_of(project)).post(reverse("incubation:change_new", args=[project.pk]), {
        "change-kind": "extension", "change-new_end_date": (project.ends_on + dt.timedelta(days=30)).isoformat(),
        "change-reason": "再次延期"})

    assert response.status_code == 409
    assert [str(m) for m in response.context["messages"]] == [
        "This project has already been extended once; only one extension is allowed."]
    assert ChangeRequest.objects.count() == 1


def test_extension_is_limited_to_twelve_months_and_must_move_the_end_later(world, project):
    limit = add_months(project.ends_on, 12)

    with pytest.raises(InvalidInput) as too_far:
        extend(project, team_of(project), limit + dt.timedelta(days=1))
    with pytest.raises(InvalidInput) as earlier:
        extend(project, team_of(project), project.ends_on)
    extend(project, team_of(project), limit)

    assert str(too_far.value) == (f"An extension may add at most 12 months: the latest possible end date is "
                                  f"{limit.isoformat()}.")
    assert str(earlier.value).startswith("The new end date must be after the current end date")
    assert ChangeRequest.objects.count() == 1


def test_only_one_extension_may_wait_for_a_decision(world, project):
    extend(project, team_of(project), project.ends_on + dt.timedelta(days=30))

    with pytest.raises(IllegalTransition):
        extend(project, world.incubator, project.ends_on + dt.timedelta(days=60))
    assert ChangeRequest.objects.count() == 1


def test_a_refused_extension_does_not_use_up_the_one_extension(world, project):
    change = extend(project, team_of(project), project.ends_on + dt.timedelta(days=30))
    decide_change(change=change, actor=world.incubator, approve=False, note="理由不充分")

    again = extend(project, team_of(project), project.ends_on + dt.timedelta(days=30))

    project.refresh_from_db()
    assert (again.status, project.extended) == (ChangeStatus.PENDING, False)


# deciding

def test_manager_cannot_approve_their_own_request(world, project):
    change = shift(project, world.incubator)

    response = client_for(world.incubator).post(reverse("incubation:change_decide", args=[change.pk]),
                                                {"decision-decision": "approve"})

    change.refresh_from_db()
    assert response.status_code == 403
    assert [str(m) for m in response.context["messages"]] == [
        "You filed this request yourself: another incubation manager must decide it."]
    assert (change.status, budget(project)) == (ChangeStatus.PENDING, {"equipment": Decimal("200000.00")})
    with pytest.raises(NotPermitted):
        decide_change(change=change, actor=world.incubator, approve=False, note="不同意")


def test_refusal_needs_a_note_and_changes_no_budget(world, project):
    change = shift(project, team_of(project))

    with pytest.raises(InvalidInput):
        decide_change(change=change, actor=world.incubator, approve=False, note=" ")
    decide_change(change=change, actor=world.incubator, approve=False, note="预算调整理由不足")

    change.refresh_from_db()
    assert (change.status, change.decision_note) == (ChangeStatus.REFUSED, "预算调整理由不足")
    assert budget(project) == {"equipment": Decimal("200000.00")}
    with pytest.raises(IllegalTransition):
        decide_change(change=change, actor=world.incubator, approve=True)


def test_manager_decides_over_http(world, project):
    change = shift(project, team_of(project))

    response = client_for(world.incubator).post(reverse("incubation:change_decide", args=[change.pk]),
                                                {"decision-decision": "approve", "decision-note": ""})

    change.refresh_from_db()
    assert (response.status_code, change.status, change.decided_by) == (302, ChangeStatus.APPROVED, world.incubator)


def test_author_withdraws_a_pending_request_and_others_cannot(world, project):
    change = shift(project, team_of(project))

    with pytest.raises(NotPermitted):
        withdraw_change(change=change, actor=world.incubator)
    response = client_for(team_of(project)).post(reverse("incubation:change_withdraw", args=[change.pk]))

    assert response.status_code == 302
    assert list(ChangeRequest.objects.values_list("pk", "status")) == [(change.pk, ChangeStatus.WITHDRAWN)]
    assert audit_rows(project, "change.") == [("change.requested", "", "pending"),
                                              ("change.withdrawn", "pending", "withdrawn")]


def test_no_change_requests_before_signature_or_on_a_closed_project(world):
    project = world.incubating()

    with pytest.raises(IllegalTransition):
        shift(project, team_of(project))
    assert ChangeRequest.objects.count() == 0


# permissions

@pytest.mark.parametrize("role", [Role.EXPERT, Role.RESEARCHER, Role.FUND_MANAGER])
def test_outsiders_cannot_request_changes(world, project, role):
    client = client_for(UserFactory(role=role))

    page = client.get(reverse("incubation:change_new", args=[project.pk]))
    response = client.post(reverse("incubation:change_new", args=[project.pk]), {
        "change-kind": "extension", "change-new_end_date": (project.ends_on + dt.timedelta(days=30)).isoformat(),
        "change-reason": "延期"})

    assert (page.status_code, response.status_code, ChangeRequest.objects.count()) == (403, 403, 0)


@pytest.mark.parametrize("who", ["team", Role.EXPERT, Role.FUND_MANAGER])
def test_only_incubation_managers_decide(world, project, who):
    change = extend(project, world.incubator, project.ends_on + dt.timedelta(days=30))
    user = team_of(project) if who == "team" else UserFactory(role=who)

    response = client_for(user).post(reverse("incubation:change_decide", args=[change.pk]),
                                     {"decision-decision": "approve"})

    change.refresh_from_db()
    assert (response.status_code, change.status, Project.objects.get(pk=project.pk).extended) == (
        403, ChangeStatus.PENDING, False)


def test_the_team_sees_its_request_and_the_manager_the_decide_link_on_the_project_page(world, project):
    change = shift(project, team_of(project))
    url = reverse("incubation:project", args=[project.pk])

    team_page = client_for(team_of(project)).get(url)
    manager_page = client_for(world.incubator).get(url)

    assert team_page.context["lifecycle"]["pending_changes"] == [change]
    decide_link = f'<a class="button secondary" href="{reverse("incubation:change", args=[change.pk])}">Decide</a>'
    assert decide_link not in team_page.content.decode()
    assert decide_link in manager_page.content.decode()
