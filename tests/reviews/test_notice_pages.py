"""Public notice pages: anyone reads and objects; program officers publish, see contacts and resolve."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from proposals.enums import ProposalStatus as S
from reviews.enums import ObjectionStatus
from reviews.models import Objection, PublicNotice
from tests.e2e.html import page_form
from tests.factories import UserFactory
from tests.helpers import World
from tests.reviews.notice_support import end_period, lodge_confirmed

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
OBJECTION = {"name": "王五", "email": "wangwu@example.org", "organisation": "某研究院", "phone": "13800000000",
             "reasons": "该项目与已结题项目内容重复。"}


def signed_in(user, language="en"):
    user.language = language
    user.save()
    client = Client()
    assert client.login(request=HttpRequest(), username=user.username, password="pw-secret-123")
    return client


@pytest.fixture
def published():
    world = World(experts=1)
    proposal = world.approved()
    notice = world.publish(title_en="Public notice of approved proposals")
    return world, proposal, notice


def test_anyone_can_read_the_notices_and_their_lists_without_an_account(published):
    world, proposal, notice = published
    client = Client()
    listing = client.get(reverse("notices:list"), **EN)
    page = client.get(reverse("notices:detail", args=[notice.pk]), **EN)
    html = page.content.decode()
    start = timezone.localtime(notice.starts_at, ZoneInfo("Asia/Shanghai"))
    end = timezone.localtime(notice.ends_at, ZoneInfo("Asia/Shanghai"))
    assert listing.status_code == page.status_code == 200
    link = f'<a href="{reverse("notices:detail", args=[notice.pk])}">Public notice of approved proposals</a>'
    assert link in listing.content.decode()
    assert (f"<td>{proposal.reference}</td><td>{proposal.title}</td><td>{proposal.institution}</td>"
            f"<td>{proposal.applicant.display_name}</td>") in html
    assert f"Objections from {start:%Y-%m-%d %H:%M} until {end:%Y-%m-%d %H:%M} (China Standard Time, UTC+8)" in html
    assert page_form(page, has="reasons").action == ""


def test_the_public_notices_link_is_in_the_navigation_for_visitors_and_users(published):
    world, proposal, notice = published
    link = f'<a href="{reverse("notices:list")}">Public notices</a>'
    assert link in Client().get(reverse("login"), **EN).content.decode()
    assert link in signed_in(proposal.applicant).get(reverse("home")).content.decode()


def test_an_anonymous_visitor_lodges_an_objection_and_contact_details_stay_private(published):
    world, proposal, notice = published
    client = Client()
    url = reverse("notices:detail", args=[notice.pk])
    form = page_form(client.get(url, **EN), has="reasons")
    entry = notice.entries.get()
    response = client.post(url, form.data(entry=str(entry.pk), **OBJECTION), **EN)
    assert response.status_code == 302
    assert response.url == url
    objection = Objection.objects.get()
    assert (objection.entry_id, objection.email, objection.status) == (entry.pk, "wangwu@example.org", ObjectionStatus.PENDING)
    after = client.get(url, **EN).content.decode()
    assert "we sent a confirmation link to your e-mail address" in after
    assert "wangwu@example.org" not in after and "13800000000" not in after


def test_an_objection_without_reasons_is_refused_and_nothing_is_written(published):
    world, proposal, notice = published
    client = Client()
    url = reverse("notices:detail", args=[notice.pk])
    form = page_form(client.get(url, **EN), has="reasons")
    response = client.post(url, form.data(**{**OBJECTION, "reasons": ""}), **EN)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Check the form: your objection was not recorded." in html
    assert 'value="wangwu@example.org"' in html  # what was typed is kept
    assert Objection.objects.count() == 0


def test_after_the_period_the_page_says_it_is_closed_and_a_late_objection_is_refused(published):
    world, proposal, notice = published
    client = Client()
    url = reverse("notices:detail", args=[notice.pk])
    form = page_form(client.get(url, **EN), has="reasons")  # the form a visitor still has open
    end_period(notice)
    page = client.get(url, **EN)
    assert "This notice is closed for objections." in page.content.decode()
    assert 'name="reasons"' not in page.content.decode()
    response = client.post(url, form.data(entry=str(notice.entries.get().pk), **OBJECTION), **EN)
    assert response.status_code == 400
    assert "objections are no longer accepted." in response.content.decode()
    assert Objection.objects.count() == 0


def test_an_officer_publishes_a_notice_from_a_prefilled_bilingual_form():
    world = World(experts=1)
    proposal = world.approved()
    client = signed_in(world.officer)
    listing = client.get(reverse("notices:list"))
    url = reverse("notices:publish", args=[world.call.pk])
    assert f'href="{url}"' in listing.content.decode()
    page = client.get(url)
    form = page_form(page, has="title_zh")
    assert form.data()["title_zh"] == f"关于{world.call.title_zh}拟立项项目的公示"
    assert form.data()["title_en"] == f"Public notice of the proposals to be approved: {world.call.title_en}"
    assert form.data()["days"] == "7"
    response = client.post(url, form.data(days="5"))
    notice = PublicNotice.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("notices:manage", args=[notice.pk])
    assert (notice.ends_at - notice.starts_at, list(notice.entries.values_list("proposal_id", flat=True))) == (
        dt.timedelta(days=5), [proposal.pk])


def test_publishing_with_nothing_waiting_shows_the_reason_and_writes_nothing():
    world = World(experts=1)
    world.in_panel()
    client = signed_in(world.officer)
    url = reverse("notices:publish", args=[world.call.pk])
    response = client.post(url, page_form(client.get(url), has="title_zh").data())
    assert response.status_code == 400
    assert "No approved proposal of this call is waiting for a public notice." in response.content.decode()
    assert PublicNotice.objects.count() == 0


def test_the_officer_sees_contacts_and_upholds_an_objection_which_reopens_the_panel(published):
    world, proposal, notice = published
    lodge_confirmed(notice=notice, entry=notice.entries.get(), **OBJECTION)
    client = signed_in(world.officer)
    manage = client.get(reverse("notices:manage", args=[notice.pk]))
    html = manage.content.decode()
    objection = Objection.objects.get()
    assert "<dd>wangwu@example.org</dd>" in html and "<dd>13800000000</dd>" in html
    resolve_url = reverse("notices:resolve", args=[objection.pk])
    form = page_form(manage, action=resolve_url)
    response = client.post(resolve_url, form.data(**{f"objection-{objection.pk}-decision": "uphold",
                                                     f"objection-{objection.pk}-resolution": "异议成立，提交复议。"}))
    proposal.refresh_from_db()
    objection.refresh_from_db()
    assert response.status_code == 302
    assert (objection.status, proposal.status) == (ObjectionStatus.UPHELD, S.PANEL)


def test_a_resolution_without_text_is_refused_and_changes_nothing(published):
    world, proposal, notice = published
    objection = lodge_confirmed(notice=notice, entry=notice.entries.get(), **OBJECTION)
    client = signed_in(world.officer)
    resolve_url = reverse("notices:resolve", args=[objection.pk])
    form = page_form(client.get(reverse("notices:manage", args=[notice.pk])), action=resolve_url)
    response = client.post(resolve_url, form.data(**{f"objection-{objection.pk}-decision": "uphold"}))
    objection.refresh_from_db()
    proposal.refresh_from_db()
    assert response.status_code == 400
    assert "Choose a decision and write the resolution." in response.content.decode()
    assert (objection.status, proposal.status) == (ObjectionStatus.OPEN, S.APPROVED)


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.EXPERT, Role.PANEL_CHAIR, Role.FUND_MANAGER, Role.INCUBATION_MANAGER])
def test_staff_pages_are_refused_to_everyone_but_program_officers(published, role):
    world, proposal, notice = published
    objection = lodge_confirmed(notice=notice, entry=notice.entries.get(), **OBJECTION)
    client = signed_in(UserFactory(role=role))
    assert client.get(reverse("notices:publish", args=[world.call.pk])).status_code == 403
    assert client.post(reverse("notices:publish", args=[world.call.pk]), {"title_zh": "公示", "days": "7"}).status_code == 403
    manage = client.get(reverse("notices:manage", args=[notice.pk]))
    assert manage.status_code == 403
    assert "wangwu@example.org" not in manage.content.decode()
    response = client.post(reverse("notices:resolve", args=[objection.pk]),
                           {f"objection-{objection.pk}-decision": "uphold", f"objection-{objection.pk}-resolution": "成立"})
    assert response.status_code == 403
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.OPEN
    assert PublicNotice.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in_for_staff_pages(published):
    world, proposal, notice = published
    url = reverse("notices:manage", args=[notice.pk])
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def measure(client, url):
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "officer"])
def test_the_public_list_runs_as_many_queries_for_three_notices_as_for_one(who):
    world = World(experts=1)
    client = Client() if who == "anonymous" else signed_in(world.officer)
    notices = []

    def add_one():
        world.approved()
        notices.append(world.publish(title_zh=f"公示{len(notices) + 1}号"))

    add_one()
    one, html = measure(client, reverse("notices:list"))
    assert "公示1号" in html
    add_one()
    add_one()
    three, html = measure(client, reverse("notices:list"))
    assert [n.title_zh for n in notices if n.title_zh not in html] == []
    assert three == one


def test_a_notice_page_runs_as_many_queries_for_three_entries_as_for_one():
    world = World(experts=1)
    first = world.approved()
    one_notice = world.publish()
    one, html = measure(Client(), reverse("notices:detail", args=[one_notice.pk]))
    assert first.title in html
    approved = [world.approved() for _ in range(3)]
    three_notice = world.publish()
    three, html = measure(Client(), reverse("notices:detail", args=[three_notice.pk]))
    assert [p.title for p in approved if p.title not in html] == []
    assert three == one
