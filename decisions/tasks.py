from celery import shared_task

from decisions.services.incubation_documents import NoDocumentForRecord, fetch_record, issue_incubation_document
from decisions.services.letters import issue_letter
from decisions.services.review_documents import issue_review_summary
from proposals.models import Proposal
from reviews.models import PanelDecision


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_letter(proposal_id: int, kind: str) -> int | None:
    """Issue a decision letter; safe to retry (issue_letter is idempotent)."""
    proposal = Proposal.objects.select_related("call", "call__fund", "applicant").filter(pk=proposal_id).first()
    if proposal is None:
        return None
    return issue_letter(proposal=proposal, kind=kind).pk


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_review_summary(proposal_id: int) -> int | None:
    """Issue the anonymised review summary after a panel decision; safe to retry (idempotent)."""
    proposal = Proposal.objects.select_related("call", "call__fund", "applicant").filter(pk=proposal_id).first()
    if proposal is None or not PanelDecision.objects.filter(proposal=proposal).exists():
        return None
    return issue_review_summary(proposal=proposal).pk


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_incubation_document(kind: str, record_id: int) -> int | None:
    """Issue an incubation document (agreement, tranche notice, acceptance certificate, conversion
    notice) in the proposal's language; safe to retry (issuing is idempotent per subject and language)."""
    record = fetch_record(kind, record_id)
    if record is None:
        return None
    try:
        return issue_incubation_document(kind=kind, record=record).pk
    except NoDocumentForRecord:  # e.g. the outcome changed before the task ran
        return None
