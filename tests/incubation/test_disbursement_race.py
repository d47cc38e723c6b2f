"""Ten fund managers' clicks on the same tranche at the same moment pay it once (PostgreSQL only)."""

from decimal import Decimal

from funding.enums import LedgerKind
from funding.models import LedgerEntry
from incubation.enums import TrancheStatus
from incubation.models import Tranche
from incubation.services.money import release_tranche
from tests.concurrency import POSTGRES_ONLY, race
from tests.incubation.agreement_support import signed

pytestmark = POSTGRES_ONLY


def test_ten_simultaneous_releases_of_one_tranche_pay_exactly_once():
    world, project, agreement = signed()
    tranche = agreement.tranches.get(order=1)

    results = race([
        (lambda i=i: release_tranche(tranche=Tranche.objects.get(pk=tranche.pk), actor=world.fund_manager,
                                     reference=f"V-{i}"))
        for i in range(10)
    ])

    assert [kind for kind, _value in results] == ["ok"] * 10
    assert sorted(value[1] for _kind, value in results) == [False] * 9 + [True]
    entries = list(LedgerEntry.objects.filter(proposal=project.proposal, kind=LedgerKind.RELEASE))
    assert [e.amount for e in entries] == [Decimal("120000.00")]
    tranche.refresh_from_db()
    assert (tranche.status, tranche.ledger_entry_id, tranche.payment_reference) == (
        TrancheStatus.RELEASED, entries[0].pk, entries[0].reference)
