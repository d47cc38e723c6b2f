"""50 concurrent approvals against a fund that holds only N of them, on PostgreSQL only."""

from decimal import Decimal

from django.utils import translation

from core.errors import InvalidInput
from funding.models import LedgerEntry
from funding.selectors import fund_balance
from proposals.enums import ProposalStatus as S
from tests.concurrency import POSTGRES_ONLY, race
from tests.factories import FundFactory, UserFactory
from tests.helpers import World
from workflows import services

pytestmark = POSTGRES_ONLY

PROPOSALS = 50
FITS = 7
AMOUNT = Decimal("10000.00")


def test_fifty_concurrent_approvals_never_over_commit_the_fund():
    fund = FundFactory(size=AMOUNT * FITS + Decimal("5000.00"), four_eyes_threshold=Decimal("500000.00"))
    world = World()
    world.call.fund = fund
    world.call.notice_days = 0
    world.call.save()
    proposals = [world.in_funding(requested_amount=AMOUNT) for _ in range(PROPOSALS)]
    managers = [UserFactory(role="fund_manager") for _ in range(PROPOSALS)]

    def approve(proposal, manager):
        with translation.override("en"):
            return services.decide_funding(proposal=proposal, manager=manager, approve=True, amount=AMOUNT)

    results = race([lambda p=p, m=m: approve(p, m) for p, m in zip(proposals, managers)])

    errors = [r[1] for r in results if r[0] == "error"]
    assert sum(1 for r in results if r[0] == "ok") == FITS
    assert len(errors) == PROPOSALS - FITS
    assert all(isinstance(e, InvalidInput) and "5,000.00 CNY uncommitted" in str(e) for e in errors), errors[:3]
    assert LedgerEntry.objects.filter(fund=fund).count() == FITS
    balance = fund_balance(fund)
    assert (balance["committed"], balance["available"]) == (AMOUNT * FITS, Decimal("5000.00"))
    statuses = sorted(p.status for p in (type(p).objects.get(pk=p.pk) for p in proposals))
    assert statuses.count(S.FUNDED) == FITS
