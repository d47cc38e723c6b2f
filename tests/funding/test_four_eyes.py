import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from core.errors import InvalidInput, NotPermitted
from funding.enums import ApprovalDecision, Instrument, LedgerKind
from funding.models import Fund, FundingApproval, FundingDecision, LedgerEntry
from funding.selectors import pending_approval
from proposals.enums import ProposalStatus as S
from proposals.models import AuditEntry
from tests.factories import ConflictFactory, FundFactory, UserFactory
from tests.helpers import World
from workflows import services
from workflows.flows import ProposalFlow

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]  # refusals are matched by their English text

BIG = Decimal("300000.00")


def world_with_fund(**fund_kwargs):
    fund = FundFactory(size=Decimal("2000000.00"), four_eyes_threshold=Decimal("100000.00"), **fund_kwargs)
    world = World()
    world.call.fund = fund
    world.call.save()
    world.second_manager = UserFactory(role=Role.FUND_MANAGER)
    return world, fund


def approve(world, proposal, manager, amount=BIG, instrument=Instrument.GRANT):
    return services.decide_funding(proposal=proposal, manager=manager, approve=True, amount=amount,
                                   instrument=instrument, reasons="符合投资标准")


def test_amount_above_threshold_waits_for_a_second_approver_and_keeps_the_task_open():
    world, fund = world_with_fund()
    proposal = world.in_funding(requested_amount=BIG)

    first = approve(world, proposal, world.fund_manager)

    proposal.refresh_from_db()
    assert isinstance(first, FundingApproval)
    assert (proposal.status, pending_approval(proposal=proposal)) == (S.FUNDING, first)
    task = services.open_task(proposal=proposal, node=ProposalFlow.funding)
    assert (task is not None, task.owner_id) == (True, None)
    assert LedgerEntry.objects.filter(fund=fund).count() == 0
    recorded = AuditEntry.objects.filter(proposal=proposal, action="funding.approval_recorded")
    assert [(e.actor_id, Decimal(str(e.data["amount"]))) for e in recorded] == [(world.fund_manager.pk, BIG)]


def test_second_manager_confirming_takes_the_decision():
    world, fund = world_with_fund()
    proposal = world.in_funding(requested_amount=BIG)
    approve(world, proposal, world.fund_manager)

    decision = approve(world, proposal, world.second_manager)

    proposal.refresh_from_db()
    assert isinstance(decision, FundingDecision)
    assert (proposal.status, decision.decided_by, decision.amount) == (S.FUNDED, world.second_manager, BIG)
    assert list(LedgerEntry.objects.filter(fund=fund).values_list("kind", "amount")) == [(LedgerKind.COMMITMENT, BIG)]
    assert pending_approval(proposal=proposal) is None
    assert services.open_task(proposal=proposal, node=ProposalFlow.funding) is None


def test_declining_while_a_first_approval_is_pending_voids_it_with_the_reasons():
    world, fund = world_with_fund()
    proposal = world.in_funding(requested_amount=BIG)
    first = approve(world, proposal, world.fund_manager)

    services.decide_funding(proposal=proposal, manager=world.second_manager, approve=False, reasons="市场验证不足")

    proposal.refresh_from_db()
    assert proposal.status == S.FUNDING_DECLINED
    assert pending_approval(proposal=proposal) is None
    voiding = FundingApproval.objects.get(confirms=first)
    assert (voiding.decision, voiding.approver, voiding.reason) == (ApprovalDecision.REFUSE, world.second_manager, "市场验证不足")
    assert AuditEntry.objects.filter(proposal=proposal, action="funding.approval_voided").count() == 1
    assert LedgerEntry.objects.filter(fund=fund).count() == 0


def test_the_first_approver_cannot_confirm_their_own_approval():
    world, fund = world_with_fund()
    proposal = world.in_funding(requested_amount=BIG)
    first = approve(world, proposal, world.fund_manager)

    with pytest.raises(NotPermitted, match="different fund manager"):
        approve(world, proposal, world.fund_manager)

    proposal.refresh_from_db()
    assert (proposal.status, pending_approval(proposal=proposal), FundingApproval.objects.count()) == (S.FUNDING, first, 1)
    assert LedgerEntry.objects.count() == 0


def test_confirming_a_different_amount_is_refused_and_changes_nothing():
    world, fund = world_with_fund()
    proposal = world.in_funding(requested_amount=BIG)
    approve(world, proposal, world.fund_manager)

    with pytest.raises(InvalidInput, match="300,000.00"):
        approve(world, proposal, world.second_manager, amount=Decimal("250000.00"))

    assert (FundingApproval.objects.count(), LedgerEntry.objects.count()) == (1, 0)


def test_amount_at_the_threshold_needs_one_approver():
    world, fund = world_with_fund()
    proposal = world.in_funding(requested_amount=BIG)

    decision = approve(world, proposal, world.fund_manager, amount=Decimal("100000.00"))

    proposal.refresh_from_db()
    assert (isinstance(decision, FundingDecision), proposal.status, FundingApproval.objects.count()) == (True, S.FUNDED, 0)


def test_refusal_is_audited_with_its_reason_and_voids_the_pending_approval():
    world, fund = world_with_fund()
    proposal = world.in_funding(requested_amount=BIG)
    first = approve(world, proposal, world.fund_manager)

    refusal = services.refuse_funding_approval(proposal=proposal, manager=world.second_manager, reason="估值过高")

    proposal.refresh_from_db()
    assert (refusal.decision, refusal.confirms, refusal.reason) == (ApprovalDecision.REFUSE, first, "估值过高")
    assert (proposal.status, pending_approval(proposal=proposal)) == (S.FUNDING, None)
    assert list(AuditEntry.objects.filter(proposal=proposal, action="funding.approval_refused")
                .values_list("actor", "note")) == [(world.second_manager.pk, "估值过高")]
    # a new first approval can be proposed, by anyone, and confirmed by another
    again = approve(world, proposal, world.second_manager, amount=Decimal("200000.00"))
    assert pending_approval(proposal=proposal) == again
    approve(world, proposal, world.fund_manager, amount=Decimal("200000.00"))
    proposal.refresh_from_db()
    assert proposal.status == S.FUNDED


def test_refusal_needs_a_reason_and_another_manager():
    world, fund = world_with_fund()
    proposal = world.in_funding(requested_amount=BIG)
    approve(world, proposal, world.fund_manager)

    with pytest.raises(InvalidInput):
        services.refuse_funding_approval(proposal=proposal, manager=world.second_manager, reason="  ")
    with pytest.raises(NotPermitted):
        services.refuse_funding_approval(proposal=proposal, manager=world.fund_manager, reason="撤回")

    assert FundingApproval.objects.count() == 1


def test_conflicted_fund_manager_cannot_approve():
    world, fund = world_with_fund()
    proposal = world.in_funding(requested_amount=BIG)
    approve(world, proposal, world.fund_manager)
    ConflictFactory(proposal=proposal, expert=world.second_manager, reason="同一单位")

    with pytest.raises(NotPermitted, match="conflict of interest"):
        approve(world, proposal, world.second_manager)

    assert (FundingApproval.objects.count(), LedgerEntry.objects.count()) == (1, 0)


def test_applicant_cannot_approve_their_own_proposal():
    world, fund = world_with_fund()
    applicant = UserFactory(role=Role.FUND_MANAGER)
    proposal = world.in_funding(requested_amount=BIG, applicant=applicant)

    with pytest.raises(NotPermitted, match="applicant"):
        approve(world, proposal, applicant, amount=Decimal("50000.00"))

    assert FundingDecision.objects.count() == 0


def test_instrument_the_fund_may_not_use_is_refused():
    world, fund = world_with_fund(instruments=[Instrument.GRANT])
    proposal = world.in_funding(requested_amount=BIG)

    with pytest.raises(InvalidInput, match="may not use"):
        approve(world, proposal, world.fund_manager, amount=Decimal("50000.00"), instrument=Instrument.EQUITY)

    proposal.refresh_from_db()
    assert (proposal.status, FundingDecision.objects.count(), LedgerEntry.objects.count()) == (S.FUNDING, 0, 0)


@pytest.mark.parametrize("period", [
    {"starts_on": datetime.date(2099, 1, 1)},
    {"starts_on": datetime.date(2000, 1, 1), "ends_on": datetime.date(2001, 1, 1)},
])
def test_approval_outside_the_fund_period_is_refused(period):
    world, fund = world_with_fund(**period)
    proposal = world.in_funding(requested_amount=BIG)

    with pytest.raises(InvalidInput, match="not open today"):
        approve(world, proposal, world.fund_manager, amount=Decimal("50000.00"))

    assert LedgerEntry.objects.count() == 0


def test_amount_above_the_available_balance_is_refused_with_the_balance():
    world, fund = world_with_fund()
    LedgerEntry.objects.create(fund=fund, kind=LedgerKind.COMMITMENT, amount=Decimal("1900000.00"))
    proposal = world.in_funding(requested_amount=BIG)

    with pytest.raises(InvalidInput, match="100,000.00"):
        approve(world, proposal, world.fund_manager, amount=Decimal("200000.00"))

    assert FundingDecision.objects.count() == 0


def test_fund_clean_rejects_unknown_instruments_and_a_reversed_period():
    fund = Fund(name_zh="基金", size=Decimal("1.00"), instruments=["loan"], starts_on=timezone.localdate(),
                ends_on=timezone.localdate() - datetime.timedelta(days=1))

    with pytest.raises(ValidationError) as exc:
        fund.full_clean()

    assert sorted(exc.value.message_dict) == ["ends_on", "instruments"]


def test_funding_page_shows_the_pending_approval_and_lets_a_second_manager_confirm(client):
    world, fund = world_with_fund()
    proposal = world.in_funding(requested_amount=BIG)
    approve(world, proposal, world.fund_manager)
    client.force_login(world.second_manager)
    url = reverse("workflows:funding", args=[proposal.pk])

    page = client.get(url)
    html = page.content.decode()
    response = client.post(url, {"decision": "approve", "amount": "300000.00", "instrument": "grant", "reasons": ""})

    assert (page.status_code, page.context["pending"].approver) == (200, world.fund_manager)
    assert 'id="pending-approval"' in html and world.fund_manager.display_name in html
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == S.FUNDED


def test_funding_page_refusal_without_reason_changes_nothing(client):
    world, fund = world_with_fund()
    proposal = world.in_funding(requested_amount=BIG)
    first = approve(world, proposal, world.fund_manager)
    client.force_login(world.second_manager)
    url = reverse("workflows:funding", args=[proposal.pk])

    response = client.post(url, {"decision": "refuse", "instrument": "grant", "reasons": ""})
    refused = client.post(url, {"decision": "refuse", "instrument": "grant", "reasons": "风险过高"})

    assert response.status_code == 400
    assert refused.status_code == 302
    assert pending_approval(proposal=proposal) is None
    assert FundingApproval.objects.filter(confirms=first).count() == 1


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.EXPERT, Role.PROGRAM_OFFICER, Role.INCUBATION_MANAGER])
def test_other_roles_cannot_open_the_funding_page(client, role):
    world, fund = world_with_fund()
    proposal = world.in_funding(requested_amount=BIG)
    client.force_login(UserFactory(role=role))

    assert client.get(reverse("workflows:funding", args=[proposal.pk])).status_code == 403
