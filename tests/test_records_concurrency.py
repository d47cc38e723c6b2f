"""Twenty writers append audit rows at the same moment: the chain stays one line (PostgreSQL)."""

from decisions.services.integrity import verify_records
from proposals.models import AuditEntry
from proposals.services.audit import record_audit
from tests.concurrency import POSTGRES_ONLY, race
from tests.factories import ProposalFactory

pytestmark = POSTGRES_ONLY


def test_concurrent_writers_never_fork_the_chain():
    proposal = ProposalFactory()
    results = race([lambda i=i: record_audit(action="test.race", proposal=proposal, data={"i": i}).pk
                    for i in range(20)])
    assert all(kind == "ok" for kind, _value in results), results
    rows = list(AuditEntry.objects.filter(action="test.race").order_by("pk"))
    assert len(rows) == 20
    assert len({row.prev_hash for row in AuditEntry.objects.all()}) == AuditEntry.objects.count()  # no fork
    assert verify_records().ok
