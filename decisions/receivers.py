"""Queue the decision letter and the review summary when a proposal reaches a decided state (after commit)."""

from django.db import transaction

from decisions.enums import DocumentKind
from decisions.tasks import render_incubation_document, render_letter, render_review_summary
from incubation.enums import AcceptanceOutcome, SettlementKind
from proposals.enums import ProposalStatus as S

LETTER_FOR_STATE = {
    S.REJECTED: DocumentKind.REJECTION_LETTER,
    S.RESUBMIT_INVITED: DocumentKind.REJECTION_LETTER,
    S.FUNDED: DocumentKind.APPROVAL_LETTER,
}


def queue_decision_letter(sender, *, proposal, to_state, **kwargs) -> None:
    kind = LETTER_FOR_STATE.get(to_state)
    if kind is None:
        return
    proposal_id, kind_value = proposal.pk, kind.value
    # robust: a failed render is logged and never turns the committed transition into an error
    transaction.on_commit(lambda: render_letter.delay(proposal_id, kind_value), robust=True)


# The panel's decision (approve, reject, invite resubmission) issues the applicant's
# anonymised review summary after commit.
SUMMARY_STATES = frozenset({S.APPROVED, S.REJECTED, S.RESUBMIT_INVITED})


def queue_review_summary(sender, *, proposal, to_state, **kwargs) -> None:
    if to_state not in SUMMARY_STATES:
        return
    proposal_id = proposal.pk
    transaction.on_commit(lambda: render_review_summary.delay(proposal_id), robust=True)


# -- the incubation documents (issue #4): issued after commit from incubation's signals -------
# (incubation never imports decisions; decisions.apps connects these)

def _queue_incubation_document(kind: DocumentKind, record_id: int) -> None:
    kind_value = kind.value
    transaction.on_commit(lambda: render_incubation_document.delay(kind_value, record_id), robust=True)


def queue_agreement_document(sender, *, agreement, **kwargs) -> None:
    _queue_incubation_document(DocumentKind.FUNDING_AGREEMENT, agreement.pk)


def queue_tranche_notice(sender, *, tranche, **kwargs) -> None:
    _queue_incubation_document(DocumentKind.TRANCHE_NOTICE, tranche.pk)


def queue_acceptance_certificate(sender, *, acceptance, **kwargs) -> None:
    if acceptance.outcome != AcceptanceOutcome.PASS:  # a certificate only for a pass
        return
    _queue_incubation_document(DocumentKind.ACCEPTANCE_CERTIFICATE, acceptance.pk)


def queue_conversion_notice(sender, *, settlement, **kwargs) -> None:
    if settlement.kind != SettlementKind.CONVERTED:  # written off or bought back: no notice
        return
    _queue_incubation_document(DocumentKind.CONVERSION_NOTICE, settlement.pk)
