"""The transactional outbox: what a decision owes is recorded with it, delivered after commit, retried
with backoff, delivered once, given up visibly, and retried by staff. Runs on SQLite and PostgreSQL."""

import signal
import socket
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import message_id
from core import outbox
from core.models import Delivery
from core.tasks import deliver_owed
from decisions.enums import DocumentKind
from decisions.models import Document
from decisions.services import letters
from decisions.services.owed import LETTER
from pocflow.celery import app
from proposals.enums import ProposalStatus as S
from tests.brokers import broker
from tests.factories import UserFactory
from workflows.tasks import sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

AMOUNT = Decimal("150000.00")


class RenderCrash(RuntimeError):
    pass


def fund_it(world, proposal, client=None):
    """The fund manager approves on the funding page (a real request): the proposal becomes funded."""
    client = client or _client_for(world.fund_manager)
    return client.post(reverse("workflows:funding", args=[proposal.pk]),
                       {"decision": "approve", "instrument": "grant", "amount": str(AMOUNT), "reasons": ""})


def _client_for(user):
    from django.test import Client  # noqa: PLC0415 — a second client per user

    client = Client()
    client.force_login(user)
    return client


def letters_of(proposal):
    return Document.objects.filter(proposal=proposal, kind=DocumentKind.APPROVAL_LETTER)


def letter_mails(proposal):
    """Mails sent to the applicant that announce a letter (known by the Message-ID of their owed row)."""
    ids = {message_id(key) for key in Delivery.objects.filter(key__startswith="mail:letter-ready:")
           .values_list("key", flat=True)}
    return [m for m in mail.outbox if m.to == [proposal.applicant.email] and m.extra_headers.get("Message-ID") in ids]


@pytest.fixture
def in_funding(world):
    world.call.notice_days = 0
    world.call.save()
    proposal = world.in_funding(requested_amount=AMOUNT)
    User.objects.update(language="en")  # pages follow their user's language; these tests read English
    return proposal


def test_the_letter_is_owed_in_the_decisions_transaction_and_delivered_after_commit(
        world, in_funding, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = fund_it(world, in_funding)
    assert response.status_code == 302
    owed = Delivery.objects.get(kind=LETTER, subject=f"proposal:{in_funding.pk}")
    assert owed.is_pending and owed.attempts == 0
    assert not letters_of(in_funding).exists()  # nothing rendered inside the request's transaction

    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    owed.refresh_from_db()
    assert owed.done_at is not None and owed.attempts == 1 and owed.last_error == ""
    assert letters_of(in_funding).count() == 1
    [sent] = letter_mails(in_funding)
    mail_row = Delivery.objects.get(kind="mail.user", key__startswith="mail:letter-ready:")
    assert mail_row.done_at is not None
    assert sent.extra_headers["Message-ID"] == message_id(mail_row.key)


def test_a_change_that_rolls_back_owes_nothing(in_funding):
    with pytest.raises(RenderCrash), transaction.atomic():
        letters.owe_letter(proposal_id=in_funding.pk, kind=DocumentKind.APPROVAL_LETTER)
        raise RenderCrash()
    assert not Delivery.objects.filter(kind=LETTER).exists()


def test_the_same_key_is_owed_once(in_funding, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = letters.owe_letter(proposal_id=in_funding.pk, kind=DocumentKind.APPROVAL_LETTER)
        second = letters.owe_letter(proposal_id=in_funding.pk, kind=DocumentKind.APPROVAL_LETTER)
    assert first.pk == second.pk
    assert Delivery.objects.filter(kind=LETTER).count() == 1
    assert len(callbacks) == 1  # dispatched once


def test_a_render_that_crashes_is_retried_after_its_backoff_and_delivered_exactly_once(
        world, in_funding, client, django_capture_on_commit_callbacks):
    real_render = letters.render_pdf

    def crash_once(**kwargs):
        if render.call_count == 1:
            raise RenderCrash("font cache gone")
        return real_render(**kwargs)

    with mock.patch.object(letters, "render_pdf", side_effect=crash_once) as render:
        with django_capture_on_commit_callbacks(execute=True):
            response = fund_it(world, in_funding)
        assert response.status_code == 302  # the decision stands; its letter is owed
        owed = Delivery.objects.get(kind=LETTER)
        assert (owed.attempts, owed.done_at, owed.failed_at) == (1, None, None)
        assert "RenderCrash: font cache gone" in owed.last_error
        assert owed.next_attempt_at > timezone.now() + timedelta(seconds=20)
        assert not letters_of(in_funding).exists() and not letter_mails(in_funding)

        # the applicant sees that the letter is on its way
        client.force_login(in_funding.applicant)
        page = client.get(reverse("proposals:detail", args=[in_funding.pk]))
        assert "is being prepared" in page.content.decode()

        with django_capture_on_commit_callbacks(execute=True):
            assert sweep()["deliveries"] == 0  # not due yet
            assert sweep(now=owed.next_attempt_at + timedelta(seconds=1))["deliveries"] == 1
        assert render.call_count == 2

    owed.refresh_from_db()
    assert owed.done_at is not None and owed.attempts == 2
    assert letters_of(in_funding).count() == 1
    assert len(letter_mails(in_funding)) == 1
    # delivering again (a re-delivered message, a late sweep) changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.deliver(owed.pk) is True
        sweep(now=timezone.now() + timedelta(days=1))
    assert letters_of(in_funding).count() == 1 and len(letter_mails(in_funding)) == 1
    page = client.get(reverse("proposals:detail", args=[in_funding.pk]))
    assert "is being prepared" not in page.content.decode()


@override_settings(OUTBOX_MAX_ATTEMPTS=3)
def test_a_render_that_keeps_failing_is_given_up_shown_to_staff_and_retried_by_them(
        world, in_funding, client, django_capture_on_commit_callbacks):
    with mock.patch.object(letters, "render_pdf", side_effect=RenderCrash("template missing")):
        with django_capture_on_commit_callbacks(execute=True):
            fund_it(world, in_funding)
        owed = Delivery.objects.get(kind=LETTER)
        for _attempt in range(4):
            with django_capture_on_commit_callbacks(execute=True):
                sweep(now=timezone.now() + timedelta(days=1))
        owed.refresh_from_db()
    assert owed.attempts == 3 and owed.failed_at is not None and owed.done_at is None
    assert not letters_of(in_funding).exists()

    researcher = in_funding.applicant
    client.force_login(researcher)
    assert client.get(reverse("workflows:deliveries")).status_code == 403
    assert client.post(reverse("workflows:retry_failed_deliveries")).status_code == 403
    assert "is being prepared" in client.get(reverse("proposals:detail", args=[in_funding.pk])).content.decode()

    client.force_login(world.officer)
    page = client.get(reverse("workflows:deliveries") + "?show=failed").content.decode()
    assert "Decision letter" in page and "RenderCrash: template missing" in page and f"Proposal no. {in_funding.pk}" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workflows:retry_failed_deliveries"))
    assert response.status_code == 302
    owed.refresh_from_db()
    assert owed.done_at is not None and owed.failed_at is None
    assert letters_of(in_funding).count() == 1 and len(letter_mails(in_funding)) == 1


def test_with_the_broker_unreachable_the_decision_succeeds_and_its_letter_waits_for_the_sweep(
        world, in_funding, django_capture_on_commit_callbacks):
    with broker("redis://127.0.0.1:9/0"), django_capture_on_commit_callbacks(execute=True):  # nobody on port 9
        response = fund_it(world, in_funding)
    assert response.status_code == 302 and response.url == reverse("proposals:detail", args=[in_funding.pk])
    in_funding.refresh_from_db()
    assert in_funding.status == S.FUNDED
    owed = Delivery.objects.get(kind=LETTER)
    assert owed.is_pending and owed.attempts == 0 and not letters_of(in_funding).exists()

    with django_capture_on_commit_callbacks(execute=True):  # the broker is back (inline here)
        assert sweep(now=owed.next_attempt_at)["deliveries"] >= 1  # the letter and mails owed earlier
    owed.refresh_from_db()
    assert owed.done_at is not None and letters_of(in_funding).count() == 1


def test_staff_reissue_a_letter_as_a_new_version_and_the_old_one_stays(
        world, in_funding, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fund_it(world, in_funding)
    [first] = letters_of(in_funding)
    url = reverse("decisions:reissue_letter", args=[in_funding.pk, DocumentKind.APPROVAL_LETTER])

    for outsider in (in_funding.applicant, world.fund_manager, world.experts[0]):
        client.force_login(outsider)
        assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(world.officer)
    response = client.post(url, {"reason": ""})
    assert response.status_code == 302 and letters_of(in_funding).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "The applicant's copy was damaged."})
    assert response.status_code == 302

    second = letters_of(in_funding).get(version=2)
    assert second.supersedes == first and second.sha256 != first.sha256
    assert Document.objects.filter(pk=first.pk).exists()
    assert in_funding.audit_entries.filter(action="document.reissue_requested",
                                           note="The applicant's copy was damaged.").exists()
    assert len(letter_mails(in_funding)) == 2
    page = client.get(reverse("proposals:detail", args=[in_funding.pk])).content.decode()
    assert "replaced by version 2" in page

    # the applicant downloads both; the newer one names the version
    client.force_login(in_funding.applicant)
    response = client.get(reverse("decisions:download", args=[second.pk]))
    assert response.status_code == 200 and "-v2.pdf" in response["Content-Disposition"]


def test_a_second_reissue_while_one_is_being_prepared_is_refused(world, in_funding, client,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fund_it(world, in_funding)
    officer = world.officer
    with django_capture_on_commit_callbacks(execute=False):  # version 2 owed, not yet delivered
        letters.reissue_letter(proposal=in_funding, kind=DocumentKind.APPROVAL_LETTER, actor=officer, reason="a")
    with pytest.raises(letters.ReissuePending):
        letters.reissue_letter(proposal=in_funding, kind=DocumentKind.APPROVAL_LETTER, actor=officer, reason="b")
    with pytest.raises(letters.ReissueNotPossible):
        letters.reissue_letter(proposal=in_funding, kind=DocumentKind.REJECTION_LETTER, actor=officer, reason="c")


def test_the_deliveries_page_keeps_its_query_count_flat(client, django_assert_max_num_queries, in_funding):
    officer = UserFactory(role="program_officer", language="en")
    now = timezone.now()
    Delivery.objects.bulk_create([Delivery(kind=LETTER, key=f"k{i}", subject=f"proposal:{i}", next_attempt_at=now,
                                           attempts=i % 4, last_error="E" * 300) for i in range(120)])
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("workflows:deliveries"))
    assert response.status_code == 200 and response.content.decode().count("Retry now") == 50


def test_the_delivery_task_is_acknowledged_late_and_requeued_when_its_worker_dies():
    assert deliver_owed.acks_late is True and deliver_owed.reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_transport_options["visibility_timeout"] <= 600


def test_a_broker_that_accepts_but_never_answers_does_not_hang_the_request(
        world, in_funding, django_capture_on_commit_callbacks):
    hanging = socket.socket()
    hanging.bind(("127.0.0.1", 0))
    hanging.listen(8)  # the kernel accepts connections; nobody ever reads or answers
    outcome = {}

    def hung(signum, frame):
        raise TimeoutError("the request hung on the broker")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)  # a hang fails the test instead of stalling the run
    try:
        with broker(f"redis://127.0.0.1:{hanging.getsockname()[1]}/0"), \
                django_capture_on_commit_callbacks(execute=True):
            outcome["response"] = fund_it(world, in_funding)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        hanging.close()
    assert outcome["response"].status_code == 302
    owed = Delivery.objects.get(kind=LETTER)
    assert owed.is_pending and not letters_of(in_funding).exists()
