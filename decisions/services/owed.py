"""The documents decisions owes, recorded as outbox deliveries (core.outbox) in the transaction of the
change that calls for them; `decisions.deliveries` holds the handlers that issue them after commit."""

from core import outbox
from core.models import Delivery
from proposals.selectors import DOCUMENT_DELIVERY_PREFIX, outbox_subject as proposal_subject

# every document kind starts with the prefix: the applicant's page shows "being prepared" while one is owed
LETTER = f"{DOCUMENT_DELIVERY_PREFIX}letter"
REVIEW_SUMMARY = f"{DOCUMENT_DELIVERY_PREFIX}review_summary"
INCUBATION_DOCUMENT = f"{DOCUMENT_DELIVERY_PREFIX}incubation"


def letter_key(*, proposal_id: int, kind: str, version: int) -> str:
    return f"letter:{proposal_id}:{kind}:v{version}"


def owe_letter(*, proposal_id: int, kind: str, version: int = 1) -> Delivery:
    return outbox.owe(kind=LETTER, key=letter_key(proposal_id=proposal_id, kind=kind, version=version),
                      subject=proposal_subject(proposal_id),
                      payload={"proposal": proposal_id, "kind": kind, "version": version})


def letter_owed(*, proposal_id: int, kind: str, version: int) -> bool:
    return Delivery.objects.filter(key=letter_key(proposal_id=proposal_id, kind=kind, version=version)).exists()


def owe_review_summary(*, proposal_id: int, event: str) -> Delivery:
    return outbox.owe(kind=REVIEW_SUMMARY, key=f"review-summary:{proposal_id}:{event}",
                      subject=proposal_subject(proposal_id), payload={"proposal": proposal_id})


def owe_incubation_document(*, kind: str, record_id: int, proposal_id: int | None, subject: str) -> Delivery:
    return outbox.owe(kind=INCUBATION_DOCUMENT, key=f"incubation:{kind}:{subject}",
                      subject=proposal_subject(proposal_id) if proposal_id else "",
                      payload={"kind": kind, "record": record_id})
