"""The overdue-review page (extend or replace) and the replacement suggestion, over HTTP."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.status import STATUS

from accounts.enums import Role
from proposals.models import AuditEntry
from reviews.enums import ReviewStatus
from tests.e2e.html import page_form
from tests.factories import UserFactory
from tests.helpers import World
from tests.reviews.deadline_support import pass_deadline, review_task, solver_world, tasks
from workflows import services
from workflows.flows import ProposalFlow
from workflows.tasks import sweep

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    assert client.login(request=HttpRequest(), username=user.username, password="pw-secret-123")
    return client


def english(user):
    user.language = "en"
    user.save()
    return user


def overdue(review):
    pass_deadline(review)
    sweep()
    review.refresh_from_db()
    return review


def local(moment, call):
    return timezone.localtime(moment, ZoneInfo(call.time_zone))


@pytest.fixture
def scene():
    """A solver-assigned proposal whose investor expert is overdue."""
    world, proposal, experts = solver_world()
    english(world.officer)
    late = overdue(proposal.reviews.get(expert=experts["investor"]))
    return world, proposal, experts, late


def test_the_overdue_page_offers_the_solvers_alternate_of_the_same_type_first(scene):
    world, proposal, experts, late = scene
    page = signed_in(world.officer).get(reverse("workflows:escalate", args=[late.pk]))
    html = page.content.decode()
    form = page_form(page, has="expert")
    assert page.status_code == 200
    assert f"<dd>{experts['investor'].display_name}</dd>" in html
    # the academic alternate ranks higher, but the replaced expert is an investor
    assert form.options["expert"][0] == str(experts["investor_alternate"].pk)
    assert form.data()["expert"] == str(experts["investor_alternate"].pk)
    assert "医药投资人 · Investor · 医药投资人研究所 — suggested alternate" in html
    assert sorted(form.options["expert"]) == sorted(str(experts[n].pk) for n in ("academic_alternate", "investor_alternate"))


def test_staff_extend_an_overdue_review_in_the_calls_time_zone(scene):
    world, proposal, experts, late = scene
    client = signed_in(world.officer)
    url = reverse("workflows:escalate", args=[late.pk])
    wanted = (local(timezone.now(), proposal.call) + dt.timedelta(days=4)).replace(second=0, microsecond=0)
    response = client.post(url, page_form(client.get(url), has="deadline").data(
        deadline=wanted.strftime("%Y-%m-%dT%H:%M"), reason="专家申请延期三天"))
    late.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("workflows:assign_experts", args=[proposal.pk])
    assert (late.deadline, late.extensions, late.escalated_at) == (wanted, 1, None)
    [task] = tasks(proposal, ProposalFlow.review, statuses=[STATUS.ASSIGNED])[-1:]
    assert (task.owner_id, task.data) == (experts["investor"].pk, {"review_id": late.pk})


def test_a_deadline_in_the_past_is_refused_with_a_message_and_changes_nothing(scene):
    world, proposal, experts, late = scene
    client = signed_in(world.officer)
    url = reverse("workflows:escalate", args=[late.pk])
    past = local(timezone.now() - dt.timedelta(hours=2), proposal.call)
    response = client.post(url, page_form(client.get(url), has="deadline").data(
        deadline=past.strftime("%Y-%m-%dT%H:%M"), reason="延期"))
    late.refresh_from_db()
    assert response.status_code == 400
    assert "Choose a new deadline in the future." in response.content.decode()
    assert (late.extensions, late.escalated_at is not None) == (0, True)
    assert len(tasks(proposal, ProposalFlow.escalate)) == 1
    assert AuditEntry.objects.filter(proposal=proposal, action="review.extended").count() == 0


def test_a_missing_reason_is_refused_and_changes_nothing(scene):
    world, proposal, experts, late = scene
    client = signed_in(world.officer)
    url = reverse("workflows:escalate", args=[late.pk])
    response = client.post(url, page_form(client.get(url), has="deadline").data(
        deadline=(local(timezone.now(), proposal.call) + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"), reason=""))
    late.refresh_from_db()
    assert response.status_code == 400
    assert "Check the form: nothing was changed." in response.content.decode()
    assert late.extensions == 0


def test_staff_replace_an_overdue_expert_with_the_suggested_alternate(scene):
    world, proposal, experts, late = scene
    client = signed_in(world.officer)
    url = reverse("workflows:escalate", args=[late.pk])
    response = client.post(url, page_form(client.get(url), has="expert").data())
    late.refresh_from_db()
    assert response.status_code == 302
    assert (late.status, late.replaced_by.expert_id) == (ReviewStatus.CANCELED, experts["investor_alternate"].pk)
    [task] = [t for t in tasks(proposal, ProposalFlow.review) if t.owner_id == experts["investor_alternate"].pk]
    assert task.data == {"review_id": late.replaced_by_id}
    # decided: the page no longer offers either action
    page = client.get(url)
    html = page.content.decode()
    assert "There is no open decision about this review's deadline." in html
    assert f"<dt>Replaced by</dt><dd>{experts['investor_alternate'].display_name}</dd>" in html
    assert 'name="action"' not in html


def test_the_overdue_task_is_in_the_officers_queue_and_claiming_it_opens_the_page(scene):
    world, proposal, experts, late = scene
    client = signed_in(world.officer)
    [task] = tasks(proposal, ProposalFlow.escalate)
    home = client.get(reverse("home"))
    assert f'action="{reverse("workflows:claim", args=[task.pk])}"' in home.content.decode()
    response = client.post(reverse("workflows:claim", args=[task.pk]))
    assert response.status_code == 302
    assert response.url == reverse("workflows:escalate", args=[late.pk])
    staff_list = client.get(reverse("workflows:assign_experts", args=[proposal.pk]))
    assert f'href="{reverse("workflows:escalate", args=[late.pk])}"' in staff_list.content.decode()


@pytest.mark.parametrize("role", ["researcher", "overdue_expert", "other_expert", "panel_chair", "fund_manager"])
def test_the_overdue_page_is_refused_to_everyone_but_program_officers(scene, role):
    world, proposal, experts, late = scene
    user = {"researcher": proposal.applicant, "overdue_expert": experts["investor"], "other_expert": experts["academic"],
            "panel_chair": UserFactory(role=Role.PANEL_CHAIR), "fund_manager": world.fund_manager}[role]
    client = signed_in(user)
    url = reverse("workflows:escalate", args=[late.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"action": "replace", "expert": experts["investor_alternate"].pk})
    late.refresh_from_db()
    assert response.status_code == 403
    assert (late.status, late.replaced_by_id) == (ReviewStatus.ASSIGNED, None)


def test_anonymous_visitors_are_sent_to_the_login_page(scene):
    world, proposal, experts, late = scene
    url = reverse("workflows:escalate", args=[late.pk])
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_a_declined_expert_is_replaced_from_the_solvers_alternates_of_the_same_type():
    world, proposal, experts = solver_world()
    declined = proposal.reviews.get(expert=experts["investor"])
    services.decline_review(review=declined, expert=declined.expert, reason="同单位")
    client = signed_in(world.officer)
    url = reverse("workflows:assign_experts", args=[proposal.pk])
    page = client.get(url)
    form = page_form(page, has="review")
    assert form.options["expert"][0] == str(experts["investor_alternate"].pk)
    assert form.data()["expert"] == str(experts["investor_alternate"].pk)
    response = client.post(url, form.data())
    declined.refresh_from_db()
    assert response.status_code == 302
    assert declined.replaced_by.expert_id == experts["investor_alternate"].pk


def test_without_an_applied_assignment_run_the_replacement_list_is_every_eligible_expert():
    world = World(experts=3)
    spare = world.experts.pop()
    proposal = world.assigned()
    declined = world.reviews[0]
    services.decline_review(review=declined, expert=declined.expert, reason="同单位")
    page = signed_in(world.officer).get(reverse("workflows:assign_experts", args=[proposal.pk]))
    form = page_form(page, has="review")
    assert form.options["expert"] == [str(spare.pk)]
    assert "suggested alternate" not in page.content.decode()
    assert review_task(world.reviews[1]).status == STATUS.ASSIGNED
