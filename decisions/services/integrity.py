"""Are the records what they were when written? The audit and ledger hash chains (core.chain) walked
in chain order, and every stored document's file hashed again against the SHA-256 recorded when it was
issued. Committed rows not yet sealed (their writer's seal did not run) are sealed first, as the timer
sweep would. `manage.py verify_records` prints what it checked and the first break of each kind; the
public verification page asks `document_file_intact` before it calls a document authentic."""

import hashlib
from dataclasses import dataclass, field

from core import chain
from decisions.models import Document
from funding.models import LedgerEntry
from proposals.models import AuditEntry

CHAINED = (AuditEntry, LedgerEntry)
CHUNK = 1 << 20


@dataclass(frozen=True)
class Break:
    table: str
    pk: int
    problem: str

    def __str__(self):
        return f"{self.table} row {self.pk}: {self.problem}"


@dataclass
class Report:
    checked: dict[str, int] = field(default_factory=dict)
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


def first_chain_break(model) -> tuple[int, Break | None]:
    """Walk `model`'s chain in chain order; (rows checked, the first break or None)."""
    table = model._meta.db_table
    prev, count = chain.GENESIS, 0
    for row in model.objects.filter(chain_seq__isnull=False).order_by("chain_seq").iterator(chunk_size=2000):
        count += 1
        if row.chain_seq != count:
            return count, Break(table, row.pk, f"is number {row.chain_seq} in the chain, expected {count} "
                                               "(a row was removed)")
        if row.prev_hash != prev:
            return count, Break(table, row.pk, f"links to {row.prev_hash[:16] or '(nothing)'}…, "
                                               f"the row before it ends in {prev[:16]}… (a row was removed or reordered)")
        expected = chain.row_hash(prev, row)
        if row.row_hash != expected:
            return count, Break(table, row.pk, f"content changed: stored hash {row.row_hash[:16]}…, "
                                               f"content hashes to {expected[:16]}…")
        prev = row.row_hash
    return count, None


def file_sha256(document: Document) -> str | None:
    """The SHA-256 of the stored file, read in chunks; None when the file is gone."""
    digest = hashlib.sha256()
    try:
        with document.file.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except (FileNotFoundError, ValueError):
        return None
    return digest.hexdigest()


def document_file_intact(document: Document) -> bool:
    return file_sha256(document) == document.sha256


def first_document_break() -> tuple[int, Break | None]:
    count = 0
    for document in Document.objects.order_by("pk").iterator(chunk_size=500):
        count += 1
        actual = file_sha256(document)
        if actual is None:
            return count, Break(Document._meta.db_table, document.pk, f"file {document.file.name} is missing")
        if actual != document.sha256:
            return count, Break(Document._meta.db_table, document.pk,
                                f"file {document.file.name} hashes to {actual[:16]}…, recorded {document.sha256[:16]}…")
    return count, None


def seal_pending() -> int:
    return sum(chain.seal_pending(model) for model in CHAINED)


def verify_records() -> Report:
    report = Report()
    seal_pending()
    for model in CHAINED:
        count, found = first_chain_break(model)
        report.checked[model._meta.db_table] = count
        if found:
            report.breaks.append(found)
    count, found = first_document_break()
    report.checked[Document._meta.db_table] = count
    if found:
        report.breaks.append(found)
    return report
