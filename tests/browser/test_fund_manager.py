"""Two fund managers, in Chinese, each in a real browser: the first approves an amount above the fund's
four-eyes threshold, the second confirms it (四眼原则) and the proposal is funded."""

from decimal import Decimal

from django.urls import reverse

from accounts.enums import Role
from funding.enums import FundingChoice
from funding.models import Fund
from proposals.enums import ProposalStatus
from tests.browser.conftest import field, zh
from tests.factories import UserFactory
from tests.helpers import World


def test_two_fund_managers_approve_funding_with_four_eyes_in_chinese(open_browser):
    # arrange: a proposal waiting for the funding decision; amounts above 100,000 need two approvers
    world = World()
    proposal = world.in_funding()
    Fund.objects.filter(pk=world.call.fund_id).update(four_eyes_threshold=Decimal("100000.00"))
    second_manager = UserFactory(role=Role.FUND_MANAGER)
    url = reverse("workflows:funding", args=[proposal.pk])

    # the first manager approves 250,000
    first = open_browser("first-manager")
    first.log_in(world.fund_manager)
    first.goto(url, "funding")
    first.page.get_by_role("radio", name=str(FundingChoice.APPROVE.label)).check()
    field(first.page, "Amount").fill("250000.00")
    field(first.page, "Reasons / conditions").fill("分两期拨付。")
    first.submit(first.page.get_by_role("button", name=zh("Record funding decision")))
    first.check("first-approval")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.FUNDING

    # a second manager confirms it
    second = open_browser("second-manager")
    second.log_in(second_manager)
    second.goto(url, "pending-approval")
    second.submit(second.page.get_by_role("button", name=zh("Confirm this approval")))
    second.check("confirmed")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.FUNDED
