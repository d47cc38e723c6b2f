"""Issuing the agreement with its investment terms, uploading and downloading the signed copy."""

import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from core.errors import InvalidInput, NotPermitted
from incubation.enums import AgreementStatus
from incubation.models import Agreement
from incubation.services.agreement import issue_agreement
from incubation.signals import agreement_issued
from tests.factories import UserFactory
from tests.forms.samples import PDF, pdf_with, upload
from tests.incubation.agreement_support import (
    audit_actions,
    budget_data,
    days,
    incubating,
    login,
    messages_of,
    team,
    url,
)

pytestmark = pytest.mark.django_db


def issued(client=None):
    world, project, agreement = incubating()
    login(client, world.incubator)
    client.post(url("agreement_budget", project), budget_data({"equipment": "200000"}), follow=True)
    client.post(url("agreement_issue", project), follow=True)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ISSUED
    return world, project, agreement


def signed_post(name, content, day=None):
    return {"signed-file": upload(name, content), "signed-signed_on": (day or timezone.localdate()).isoformat()}


def test_issuing_sends_agreement_issued_once_with_the_agreement():
    world, project, agreement = incubating()
    received = []

    def receiver(sender, agreement, actor, **kwargs):
        received.append((agreement.pk, agreement.status, actor))

    agreement_issued.connect(receiver)
    try:
        world.signed(project)
    finally:
        agreement_issued.disconnect(receiver)

    assert received == [(agreement.pk, AgreementStatus.ISSUED, world.incubator)]


@pytest.mark.parametrize("name, content, message", [
    ("signed.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + PDF,
     "Programs and executable files are not accepted."),
    ("signed.pdf", pdf_with(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
     "This PDF contains scripts, launch actions or embedded files. Please upload a plain PDF export."),
])
def test_hostile_signed_copy_is_refused_and_nothing_changes(client, name, content, message):
    world, project, agreement = issued(client)

    response = client.post(url("agreement_upload_signed", project), signed_post(name, content))

    assert response.status_code == 400
    assert messages_of(response) == [message]
    agreement = Agreement.objects.get(pk=agreement.pk)
    assert (agreement.status, agreement.signed_file.name, agreement.signed_sha256, agreement.signed_on) == (
        AgreementStatus.ISSUED, "", "", None)
    assert "agreement.signed" not in audit_actions(project)


def test_signed_copy_from_the_team_signs_the_agreement_with_its_sha256(client):
    world, project, agreement = issued(client)
    login(client, team(project))

    response = client.post(url("agreement_upload_signed", project), signed_post("任务书-签字版.pdf", PDF))

    assert response.status_code == 302
    agreement = Agreement.objects.get(pk=agreement.pk)
    assert (agreement.status, agreement.signed_sha256, agreement.signed_on, agreement.signed_recorded_by) == (
        AgreementStatus.SIGNED, hashlib.sha256(PDF).hexdigest(), timezone.localdate(), team(project))
    assert audit_actions(project, "agreement.signed") == ["agreement.signed"]


def test_signature_date_in_the_future_is_refused(client):
    world, project, agreement = issued(client)

    response = client.post(url("agreement_upload_signed", project), signed_post("signed.pdf", PDF, day=days(3)))

    assert response.status_code == 400
    assert messages_of(response) == ["Enter the date of signature; it cannot be in the future."]
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.ISSUED


def test_signed_copy_is_downloaded_as_an_attachment_by_those_who_see_the_project(client):
    world, project, agreement = issued(client)
    client.post(url("agreement_upload_signed", project), signed_post("signed.pdf", PDF))
    login(client, team(project))

    response = client.get(url("agreement_signed_copy", project))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    login(client, UserFactory(role="researcher"))
    assert client.get(url("agreement_signed_copy", project)).status_code == 403


def test_no_signed_copy_yet_is_a_404(client):
    world, project, agreement = issued(client)

    assert client.get(url("agreement_signed_copy", project)).status_code == 404


def test_equity_stake_is_computed_on_issue():
    world, project, agreement = incubating("equity", amount=Decimal("1000000.00"))

    agreement = world.signed(project, pre_money_valuation=Decimal("9000000.00"))

    assert (agreement.status, agreement.stake_pct) == (AgreementStatus.SIGNED, Decimal("10.000000"))


def test_equity_without_valuation_cannot_be_issued():
    world, project, agreement = incubating("equity")

    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        world.signed(project)

    assert "Enter the pre-money valuation of the equity investment." in str(refused.value)
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.DRAFT


def test_invest_first_without_deadline_cannot_be_issued(client):
    world, project, agreement = incubating("invest_first")
    login(client, world.incubator)
    client.post(url("agreement_budget", project), budget_data({"equipment": "200000"}), follow=True)

    response = client.post(url("agreement_issue", project))

    assert response.status_code == 400
    assert messages_of(response) == [
        "The agreement is not complete: Set the conversion deadline of the invest-first (先投后股) money. "
        "Say whether unconverted money is written off or bought back at the deadline."]
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.DRAFT


def test_invest_first_with_deadline_and_action_is_issued():
    world, project, agreement = incubating("invest_first")

    agreement = world.signed(project, conversion_deadline=days(3 * 365), deadline_action="write_off")

    assert agreement.status == AgreementStatus.SIGNED


def test_upload_before_issue_is_refused(client):
    world, project, agreement = incubating()
    login(client, world.incubator)

    response = client.post(url("agreement_upload_signed", project), signed_post("signed.pdf", PDF))

    assert response.status_code == 409
    assert messages_of(response) == ["Issue the agreement for signature before uploading the signed copy."]
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.DRAFT


def test_issue_by_service_requires_an_incubation_manager():
    world, project, agreement = incubating()

    with pytest.raises(NotPermitted):
        issue_agreement(agreement=agreement, actor=world.fund_manager)
