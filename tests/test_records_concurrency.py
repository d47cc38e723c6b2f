"""Twenty writers append audit rows at the same moment and seal them as their transactions commit: the
chain stays one line (PostgreSQL); and writers whose transactions also lock rows never deadlock on it."""

from django.db import transaction

from decisions.services.integrity import verify_records
from proposals.models import AuditEntry
from proposals.services.audit import record_audit
from tests.concurrency import POSTGRES_ONLY, race
from tests.factories import ProposalFactory

pytestmark = POSTGRES_ONLY


def test_concurrent_writers_never_fork_the_chain():
    proposal = ProposalFactory()
    def write(i):
        with transaction.atomic():  # the seal runs once this commits, as after a request
            return record_audit(action="test.race", proposal=proposal, data={"i": i}).pk

    results = race([lambda i=i: write(i) for i in range(20)])
    assert all(kind == "ok" for kind, _value in results), results
    rows = list(AuditEntry.objects.filter(action="test.race").order_by("pk"))
    assert len(rows) == 20
    assert AuditEntry.objects.filter(chain_seq__isnull=True).count() == 0  # every writer's seal ran
    sealed = AuditEntry.objects.order_by("chain_seq")
    assert len({row.prev_hash for row in sealed}) == sealed.count()  # no two rows share a predecessor: no fork
    assert verify_records().ok
