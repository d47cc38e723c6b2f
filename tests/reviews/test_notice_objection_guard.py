"""Objections against abuse: each names one proposal on the notice and holds back only that one; it
counts only once its sender confirmed the e-mailed link (which quotes nothing they typed); lodging is
rate limited per address, per notice and per e-mail address."""

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from core.errors import IllegalTransition, InvalidInput
from proposals.enums import ProposalStatus as S
from proposals.models import AuditEntry
from reviews.enums import NoticeStatus, ObjectionStatus
from reviews.models import Objection
from reviews.services.notice import (
    CONFIRM_SALT,
    close_due_notices,
    confirm_objection,
    lodge_objection,
    objection_token,
    resolve_objection,
)
from tests.e2e.html import page_form
from tests.helpers import World
from tests.reviews.notice_support import confirmed, end_period, legacy_objection, lodge_confirmed

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
REASONS = "点击领取奖品 http://spam.example/ 该项目与已结题项目重复"
OBJECTOR = {"name": "王五 <b>免费发票</b>", "email": "wangwu@example.org", "reasons": REASONS}


@pytest.fixture
def three():
    """A notice listing three proposals, A, B and C."""
    world = World(experts=1)
    a, b, c = world.approved(), world.approved(), world.approved()
    notice = world.publish(title_en="Public notice of approved proposals")
    return world, notice, {name: notice.entries.get(proposal=p) for name, p in zip("ABC", (a, b, c), strict=True)}


def statuses(entries):
    for entry in entries.values():
        entry.proposal.refresh_from_db()
    return {name: entry.proposal.status for name, entry in entries.items()}


def link_in(message):
    [path] = re.findall(r"https?://[^/\s]+(/notices/objections/confirm/[^\s]+/)", message.body)
    return path


def post_objection(client, notice, ip="203.0.113.5", **fields):
    url = reverse("notices:detail", args=[notice.pk])
    data = {"entry": str(notice.entries.first().pk), **OBJECTOR, **fields}
    return client.post(url, data, REMOTE_ADDR=ip, **EN)


# naming the proposal

def test_an_objection_that_names_no_proposal_is_refused_with_a_translated_message_and_nothing_is_stored(three):
    world, notice, entries = three
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        lodge_objection(notice=notice, **OBJECTOR)
    assert str(exc.value) == "Choose the proposal your objection concerns."
    with translation.override("zh-hans"), pytest.raises(InvalidInput):
        lodge_objection(notice=notice, **OBJECTOR)
    response = post_objection(Client(), notice, entry="")
    assert response.status_code == 400
    assert "Choose the proposal your objection concerns." in response.content.decode()
    assert 'value="wangwu@example.org"' in response.content.decode()  # what was typed is kept
    assert (Objection.objects.count(), AuditEntry.objects.filter(action="notice.objection_lodged").count(),
            len(mail.outbox)) == (0, 0, 0)


def test_a_posted_proposal_from_another_notice_or_taken_off_the_list_is_refused(three):
    world, notice, entries = three
    other = World(experts=1)
    other.approved()
    elsewhere = other.publish().entries.get()
    entries["C"].withdrawn_at = timezone.now()
    entries["C"].save(update_fields=["withdrawn_at"])
    for value in (str(elsewhere.pk), str(entries["C"].pk), "not-a-number"):
        response = post_objection(Client(), notice, entry=value)
        assert response.status_code == 400
        assert "Choose a proposal from this notice&#x27;s list." in response.content.decode()
    assert Objection.objects.count() == 0


def test_the_notice_page_offers_the_listed_proposals_and_preselects_the_row_the_visitor_came_from(three):
    world, notice, entries = three
    url = reverse("notices:detail", args=[notice.pk])
    page = Client().get(url, **EN)
    html = page.content.decode()
    assert f'href="?entry={entries["B"].pk}#objection"' in html
    assert page_form(page, has="reasons").data()["entry"] == ""
    chosen = Client().get(f"{url}?entry={entries['B'].pk}", **EN)
    assert page_form(chosen, has="reasons").data()["entry"] == str(entries["B"].pk)
    foreign = Client().get(f"{url}?entry=999999", **EN)
    assert page_form(foreign, has="reasons").data()["entry"] == ""


# holding back only the proposal named

def test_a_confirmed_objection_to_a_holds_a_back_while_b_and_c_proceed(three):
    world, notice, entries = three
    objection = lodge_confirmed(notice=notice, entry=entries["A"], **OBJECTOR)
    assert close_due_notices(now=notice.ends_at) == 2
    notice.refresh_from_db()
    assert statuses(entries) == {"A": S.APPROVED, "B": S.FUNDING, "C": S.FUNDING}
    assert notice.status == NoticeStatus.OPEN  # A still waits
    end_period(notice)
    resolve_objection(objection=objection, upheld=False, resolution="查无实据", resolved_by=world.officer)
    notice.refresh_from_db()
    assert statuses(entries)["A"] == S.FUNDING
    assert notice.status == NoticeStatus.CLOSED


def test_an_unconfirmed_objection_holds_nothing_back_and_expires_at_the_sweep(three):
    world, notice, entries = three
    objection = lodge_objection(notice=notice, entry=entries["A"], **OBJECTOR)
    assert close_due_notices(now=notice.ends_at) == 3
    objection.refresh_from_db()
    notice.refresh_from_db()
    assert statuses(entries) == {"A": S.FUNDING, "B": S.FUNDING, "C": S.FUNDING}
    assert (objection.status, notice.status) == (ObjectionStatus.EXPIRED, NoticeStatus.CLOSED)
    assert AuditEntry.objects.filter(action="notice.objection_expired", proposal=entries["A"].proposal).count() == 1


def test_a_pending_objection_expires_a_day_after_lodging_even_while_the_notice_is_open(three):
    world, notice, entries = three
    objection = lodge_objection(notice=notice, entry=entries["A"], **OBJECTOR)
    close_due_notices(now=objection.lodged_at + dt.timedelta(hours=23))
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING
    close_due_notices(now=objection.lodged_at + dt.timedelta(hours=24))
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.EXPIRED


# confirming the e-mail address

def test_the_confirmation_mail_quotes_nothing_the_sender_typed_and_its_link_confirms_once(three, django_capture_on_commit_callbacks):
    world, notice, entries = three
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        assert post_objection(client, notice, entry=str(entries["A"].pk)).status_code == 302
    [message] = mail.outbox
    assert message.to == ["wangwu@example.org"]
    assert message.subject == '[pocflow] Confirm your objection to "Public notice of approved proposals"'
    for typed in ("王五", "免费发票", "spam.example", "点击领取奖品", "已结题"):
        assert typed not in message.subject + message.body
    proposal = entries["A"].proposal
    assert f"{proposal.reference} {proposal.title}" in message.body
    objection = Objection.objects.get()
    assert objection.status == ObjectionStatus.PENDING
    link = link_in(message)
    page = client.get(link, **EN)  # opening the link (or a mail scanner opening it) confirms nothing
    assert page.status_code == 200
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, **EN)
    assert response.status_code == 302
    objection.refresh_from_db()
    assert (objection.status, objection.confirmed_at is not None) == (ObjectionStatus.OPEN, True)
    [receipt] = [m for m in mail.outbox if m.to == ["wangwu@example.org"] and m is not message]
    assert REASONS in receipt.body  # confirmed: now the receipt may quote the reasons
    assert len([m for m in mail.outbox if m.to == [world.officer.email]]) == 1
    again = client.post(link, **EN)
    assert again.status_code == 409
    assert "This objection has already been confirmed." in again.content.decode()
    assert len(mail.outbox) == 3
    assert AuditEntry.objects.filter(action="notice.objection_confirmed").count() == 1


def test_a_tampered_or_foreign_token_is_refused_and_confirms_nothing(three):
    world, notice, entries = three
    objection = lodge_objection(notice=notice, entry=entries["A"], **OBJECTOR)
    token = objection_token(objection)
    forged = signing.dumps({"objection": objection.pk, "email": "wangwu@example.org"}, salt="another.purpose")
    wrong_address = signing.dumps({"objection": objection.pk, "email": "mallory@example.org"}, salt=CONFIRM_SALT)
    with translation.override("en"):
        for bad in (token[:-2] + "xx", forged, wrong_address, "nonsense"):
            with pytest.raises(InvalidInput) as exc:
                confirm_objection(token=bad)
            assert str(exc.value) == "This confirmation link is not valid. Copy the whole link from the e-mail."
    response = Client().post(reverse("notices:confirm", args=["nonsense"]), **EN)
    assert response.status_code == 400
    assert "This confirmation link is not valid." in response.content.decode()
    assert "Confirm my objection" not in response.content.decode()
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING


def test_a_link_past_its_day_is_refused_and_the_objection_never_counts(three, monkeypatch):
    world, notice, entries = three
    objection = lodge_objection(notice=notice, entry=entries["A"], **OBJECTOR)
    token = objection_token(objection)
    later = signing.time.time() + 25 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        confirm_objection(token=token)
    assert str(exc.value) == "This confirmation link has expired; the objection was not counted."
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING
    assert close_due_notices(now=notice.ends_at) == 3


def test_a_link_followed_after_the_period_ended_is_refused(three):
    world, notice, entries = three
    objection = lodge_objection(notice=notice, entry=entries["A"], **OBJECTOR)
    end_period(notice)
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        confirm_objection(token=objection_token(objection))
    assert "objections are no longer accepted." in str(exc.value)
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING


def test_an_expired_objection_cannot_be_confirmed_and_a_confirmed_one_is_not_confirmed_again(three):
    world, notice, entries = three
    expired = lodge_objection(notice=notice, entry=entries["A"], **OBJECTOR)
    close_due_notices(now=expired.lodged_at + dt.timedelta(hours=24))
    with pytest.raises(InvalidInput):
        confirm_objection(token=objection_token(expired))
    done = lodge_confirmed(notice=notice, entry=entries["B"], **OBJECTOR)
    with pytest.raises(IllegalTransition):
        confirm_objection(token=objection_token(done))


# staff

def test_staff_handle_confirmed_objections_with_the_proposal_named_and_only_count_the_unconfirmed(three):
    world, notice, entries = three
    lodge_confirmed(notice=notice, entry=entries["B"], **{**OBJECTOR, "reasons": "与已结题项目重复"})
    lodge_objection(notice=notice, entry=entries["C"], **{**OBJECTOR, "reasons": "未确认的异议文本"})
    world.officer.language = "en"
    world.officer.save()
    client = Client()
    client.force_login(world.officer)
    html = client.get(reverse("notices:manage", args=[notice.pk])).content.decode()
    b = entries["B"].proposal
    assert f"<h3>{b.reference} {b.title} — Open</h3>" in html
    assert f"Objection to proposal {b.reference}: only this proposal waits for the resolution." in html
    assert "与已结题项目重复" in html
    assert "未确认的异议文本" not in html
    assert "Not shown: 1 awaiting their sender's e-mail confirmation, 0 expired unconfirmed." in html


def test_staff_see_a_legacy_objection_as_one_against_the_whole_list(three):
    world, notice, entries = three
    legacy_objection(notice, reasons="旧的整体异议")
    world.officer.language = "en"
    world.officer.save()
    client = Client()
    client.force_login(world.officer)
    html = client.get(reverse("notices:manage", args=[notice.pk])).content.decode()
    assert "<h3>The whole list — Open</h3>" in html
    assert "Lodged before objections had to name a proposal: it holds back the whole list." in html
    assert "旧的整体异议" in html


# the data migration

def test_the_migration_ties_a_legacy_objection_to_the_only_proposal_of_its_notice_and_leaves_longer_lists_whole():
    single = World(experts=1)
    single.approved()
    one_notice = single.publish()
    lone = legacy_objection(one_notice)
    many_notice, _ = _three_entries()
    whole = legacy_objection(many_notice)
    migration = importlib.import_module("reviews.migrations.0004_objection_names_proposal_and_confirmation")
    migration.tie_to_the_only_proposal(django_apps, None)
    lone.refresh_from_db()
    whole.refresh_from_db()
    assert (lone.entry_id, lone.status) == (one_notice.entries.get().pk, ObjectionStatus.OPEN)
    assert (whole.entry_id, whole.status) == (None, ObjectionStatus.OPEN)


def _three_entries():
    world = World(experts=1)
    for _ in range(3):
        world.approved()
    notice = world.publish()
    return notice, list(notice.entries.all())


# rate limits

@pytest.mark.parametrize("limit_name, vary", [
    ("objection_ip", lambda n: {"email": f"person{n}@example.org", "ip_suffix": "5"}),
    ("objection_notice", lambda n: {"email": f"person{n}@example.org", "ip_suffix": str(10 + n)}),
    ("objection_email", lambda n: {"email": "Victim@Example.org " if n % 2 else "victim@example.org",
                                   "ip_suffix": str(10 + n)}),
], ids=["per-address", "per-notice", "per-email"])
def test_over_a_limit_the_objection_is_refused_429_and_nothing_is_stored_or_sent(
        three, settings, django_capture_on_commit_callbacks, limit_name, vary):
    world, notice, entries = three
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "objection_ip": "100/h", "objection_notice": "100/h",
                            "objection_email": "100/h", limit_name: "2/h"}
    client = Client()
    codes = []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            fields = vary(n)
            response = post_objection(client, notice, ip=f"203.0.113.{fields['ip_suffix']}", email=fields["email"])
            codes.append(response.status_code)
    assert codes == [302, 302, 429]
    assert "Retry-After" in response
    assert Objection.objects.count() == 2
    assert len(mail.outbox) == 2


def test_the_per_notice_limit_leaves_other_notices_open(three, settings):
    world, notice, entries = three
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "objection_ip": "100/h", "objection_notice": "1/h"}
    other_notice, _ = _three_entries()
    assert post_objection(Client(), notice, ip="203.0.113.1", email="a@example.org").status_code == 302
    assert post_objection(Client(), notice, ip="203.0.113.2", email="b@example.org").status_code == 429
    assert post_objection(Client(), other_notice, ip="203.0.113.3", email="c@example.org").status_code == 302
    assert Objection.objects.filter(notice=other_notice).count() == 1


def test_a_malformed_objection_costs_the_sender_none_of_their_per_address_objections(three, settings):
    world, notice, entries = three
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "objection_email": "1/h"}
    assert post_objection(Client(), notice, reasons="").status_code == 400  # forgot the reasons
    assert post_objection(Client(), notice).status_code == 302
    assert Objection.objects.count() == 1


def test_lodging_mails_only_the_senders_link_and_staff_hear_only_of_confirmed_objections(three, django_capture_on_commit_callbacks):
    """Lodging sends one mail (the link to the sender); staff hear only of confirmed objections."""
    world, notice, entries = three
    with django_capture_on_commit_callbacks(execute=True):
        pending = [lodge_objection(notice=notice, entry=entries["A"], **{**OBJECTOR, "email": f"p{n}@example.org"})
                   for n in range(5)]
    assert len(mail.outbox) == 5
    assert all(m.to != [world.officer.email] for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed(pending[0])
    assert len([m for m in mail.outbox if m.to == [world.officer.email]]) == 1
