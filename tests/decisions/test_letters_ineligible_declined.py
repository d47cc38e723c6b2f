"""An ineligible proposal (形式审查不予受理) and a declined funding decision each get a letter with the reasons,
issued once after the decision commits, in the proposal's language, listed on the proposal page and announced
by mail; the letters point the applicant to the site's own address (SITE_URL)."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from decisions.enums import DocumentKind
from decisions.models import Document
from proposals.enums import ProposalStatus as S, ScreeningOutcome
from tests.decisions.pdfutil import pdf_text, squash
from tests.helpers import World
from workflows import services

pytestmark = pytest.mark.django_db


def text_of(document):
    with document.file.open("rb") as handle:
        return pdf_text(handle.read())


@override_settings(SITE_URL="https://poc.example.edu.cn")
def test_an_ineligible_proposal_gets_a_letter_naming_the_unmet_requirements_once(django_capture_on_commit_callbacks):
    world = World()
    proposal = world.submitted()
    unmet, met = world.checklist[0], world.checklist[1:]
    with django_capture_on_commit_callbacks(execute=True):
        services.screen_proposal(proposal=proposal, officer=world.officer, outcome=ScreeningOutcome.INELIGIBLE,
                                 checklist={str(unmet.pk): False, **{str(i.pk): True for i in met}},
                                 message="申报单位不属于本批次支持范围。")
    proposal.refresh_from_db()
    assert proposal.status == S.INELIGIBLE
    [letter] = Document.objects.filter(proposal=proposal, kind=DocumentKind.INELIGIBILITY_LETTER)
    text = text_of(letter)
    assert squash(unmet.text_zh) in text and squash("申报单位不属于本批次支持范围。") in text
    assert all(squash(item.text_zh) not in text for item in met)
    assert "poc.example.edu.cn" in text and "127.0.0.1" not in text
    assert any(proposal.applicant.email in m.to and reverse("decisions:download", args=[letter.pk]) in m.body
               for m in mail.outbox)
    client_page = _page_for(proposal)
    assert reverse("decisions:download", args=[letter.pk]) in client_page


def test_a_declined_funding_decision_gets_a_letter_with_the_fund_managers_reasons(django_capture_on_commit_callbacks):
    world = World()
    proposal = world.in_funding()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_funding(proposal=proposal, manager=world.fund_manager, approve=False,
                                reasons="基金本期额度已用完，建议参加下一批次。")
    proposal.refresh_from_db()
    assert proposal.status == S.FUNDING_DECLINED
    [letter] = Document.objects.filter(proposal=proposal, kind=DocumentKind.FUNDING_DECLINE_LETTER)
    assert squash("基金本期额度已用完，建议参加下一批次。") in text_of(letter)
    assert letter.language == proposal.language
    with django_capture_on_commit_callbacks(execute=True):  # issued once: the owed delivery is keyed
        from decisions.services.letters import issue_letter  # noqa: PLC0415

        assert issue_letter(proposal=proposal, kind=DocumentKind.FUNDING_DECLINE_LETTER).pk == letter.pk
    assert Document.objects.filter(proposal=proposal, kind=DocumentKind.FUNDING_DECLINE_LETTER).count() == 1


def _page_for(proposal):
    from django.test import Client  # noqa: PLC0415

    client = Client()
    client.force_login(proposal.applicant)
    return client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
