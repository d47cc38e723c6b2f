"""Declined funding is told to the applicant: one mail, in their language, with the fund manager's reasons."""

import pytest
from django.core import mail

from proposals.enums import ProposalStatus as S
from tests.helpers import World
from workflows import services

pytestmark = pytest.mark.django_db


def test_declining_funding_mails_the_applicant_the_reasons_once(django_capture_on_commit_callbacks):
    world = World()
    with django_capture_on_commit_callbacks(execute=True):
        proposal = world.in_funding()
    proposal.applicant.language = "en"
    proposal.applicant.save(update_fields=["language"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.decide_funding(proposal=proposal, manager=world.fund_manager, approve=False, reasons="市场验证不足")

    proposal.refresh_from_db()
    assert proposal.status == S.FUNDING_DECLINED
    to_applicant = [m for m in mail.outbox if m.to == [proposal.applicant.email]]
    # the decision with its reasons at once, then the decline letter (不予资助通知) when it is issued: one each
    decisions = [m for m in to_applicant if "A decision on your proposal" in m.subject]
    assert len(decisions) == 1 and len(to_applicant) == 2
    [message] = decisions
    assert "A decision on your proposal" in message.subject
    assert "A decision has been recorded on your proposal" in message.body and "市场验证不足" in message.body
