"""Funding adds each listed proposal's approved amount to the public notice (公示) through the hook
reviews exposes; reviews itself imports nothing from funding."""

from decimal import Decimal

import pytest

from funding.enums import FundingOutcome
from funding.models import FundingDecision
from reviews.selectors.notice import notice_entries
from tests.factories import FundFactory
from tests.helpers import World

pytestmark = pytest.mark.django_db


def test_a_notice_entry_carries_only_the_approved_funding_decisions_newest_first():
    world = World(experts=1)
    proposal = world.approved()
    notice = world.publish()
    fund = FundFactory()
    declined = FundingDecision.objects.create(proposal=proposal, fund=fund, outcome=FundingOutcome.DECLINED,
                                              decided_by=world.officer)
    first = FundingDecision.objects.create(proposal=proposal, fund=fund, outcome=FundingOutcome.APPROVED,
                                           amount=Decimal("1000.00"), decided_by=world.officer)
    second = FundingDecision.objects.create(proposal=proposal, fund=fund, outcome=FundingOutcome.APPROVED,
                                            amount=Decimal("2000.00"), decided_by=world.officer)

    entries = list(notice_entries(notice=notice))

    assert [e.proposal.approvals for e in entries] == [[second, first]]
    assert declined not in entries[0].proposal.approvals
