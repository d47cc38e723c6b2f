"""What decisions owes after a change, as outbox deliveries (core.outbox): the decision letter, the
anonymised review summary and the incubation documents. Each handler is idempotent: issuing stores a
document once per proposal, kind, subject and language, so a re-delivered row finds the stored one."""

from django.utils.translation import gettext_lazy as _

from core import outbox
from decisions.services.incubation_documents import NoDocumentForRecord, fetch_record, issue_incubation_document
from decisions.services.letters import issue_letter
from decisions.services.owed import INCUBATION_DOCUMENT, LETTER, REVIEW_SUMMARY
from decisions.services.review_documents import issue_review_summary
from proposals.models import Proposal
from reviews.models import PanelDecision


def _proposal(pk):
    return Proposal.objects.select_related("call", "call__fund", "applicant").filter(pk=pk).first()


def deliver_letter(delivery):
    proposal = _proposal(delivery.payload["proposal"])
    if proposal is None:
        return None
    return issue_letter(proposal=proposal, kind=delivery.payload["kind"],
                        version=delivery.payload.get("version", 1)).pk


def deliver_review_summary(delivery):
    proposal = _proposal(delivery.payload["proposal"])
    if proposal is None or not PanelDecision.objects.filter(proposal=proposal).exists():
        return None
    return issue_review_summary(proposal=proposal).pk


def deliver_incubation_document(delivery):
    record = fetch_record(delivery.payload["kind"], delivery.payload["record"])
    if record is None:
        return None
    try:
        return issue_incubation_document(kind=delivery.payload["kind"], record=record).pk
    except NoDocumentForRecord:  # e.g. the outcome changed before the delivery ran
        return None


def register():
    outbox.register(LETTER, deliver_letter, label=_("Decision letter"))
    outbox.register(REVIEW_SUMMARY, deliver_review_summary, label=_("Review summary"))
    outbox.register(INCUBATION_DOCUMENT, deliver_incubation_document, label=_("Incubation document"))
