"""Owe the decision letter, the review summary and the incubation documents when a change calls for
them: recorded as outbox deliveries in the change's own transaction (decisions.deliveries), delivered
after commit."""

from decisions.enums import DocumentKind
from decisions.services.incubation_documents import owed_subject
from decisions.services.owed import owe_incubation_document, owe_letter, owe_review_summary
from incubation.enums import AcceptanceOutcome, SettlementKind
from proposals.enums import ProposalStatus as S

LETTER_FOR_STATE = {
    S.REJECTED: DocumentKind.REJECTION_LETTER,
    S.RESUBMIT_INVITED: DocumentKind.REJECTION_LETTER,
    S.FUNDED: DocumentKind.APPROVAL_LETTER,
    S.INELIGIBLE: DocumentKind.INELIGIBILITY_LETTER,
    S.FUNDING_DECLINED: DocumentKind.FUNDING_DECLINE_LETTER,
}


def queue_decision_letter(sender, *, proposal, to_state, **kwargs) -> None:
    kind = LETTER_FOR_STATE.get(to_state)
    if kind is None:
        return
    owe_letter(proposal_id=proposal.pk, kind=kind.value)


# The panel's decision (approve, reject, invite resubmission) issues the applicant's
# anonymised review summary after commit.
SUMMARY_STATES = frozenset({S.APPROVED, S.REJECTED, S.RESUBMIT_INVITED})


def queue_review_summary(sender, *, proposal, to_state, from_state=None, **kwargs) -> None:
    if to_state not in SUMMARY_STATES:
        return
    # one summary owed per decision: the event is the proposal's decision count at this change
    event = f"{to_state}:{proposal.audit_entries.filter(to_state=to_state).count()}"
    owe_review_summary(proposal_id=proposal.pk, event=event)


# -- the incubation documents (issue #4): owed from incubation's signals -----------------------
# (incubation never imports decisions; decisions.apps connects these)

def _owe_incubation_document(kind: DocumentKind, record) -> None:
    subject, proposal_id = owed_subject(kind, record)
    owe_incubation_document(kind=kind.value, record_id=record.pk, proposal_id=proposal_id, subject=subject)


def queue_agreement_document(sender, *, agreement, **kwargs) -> None:
    _owe_incubation_document(DocumentKind.FUNDING_AGREEMENT, agreement)


def queue_tranche_notice(sender, *, tranche, **kwargs) -> None:
    _owe_incubation_document(DocumentKind.TRANCHE_NOTICE, tranche)


def queue_acceptance_certificate(sender, *, acceptance, **kwargs) -> None:
    if acceptance.outcome != AcceptanceOutcome.PASS:  # a certificate only for a pass
        return
    _owe_incubation_document(DocumentKind.ACCEPTANCE_CERTIFICATE, acceptance)


def queue_conversion_notice(sender, *, settlement, **kwargs) -> None:
    if settlement.kind != SettlementKind.CONVERTED:  # written off or bought back: no notice
        return
    _owe_incubation_document(DocumentKind.CONVERSION_NOTICE, settlement)
