"""Named predicates for the generated documents. Views, templates and services ask these."""

import rules

from accounts.rules import is_panel_chair, is_program_officer, is_staff
from decisions.enums import DocumentKind
from incubation.models import Project
from incubation.rules import can_view_project, can_view_projects
from proposals.rules import can_download_letter
from reviews.models import PanelDecision
from reviews.selectors.conflicts import conflicted_proposal_ids


@rules.predicate
def is_document_applicant(user, document):
    return document is not None and document.proposal_id is not None and user.is_authenticated and (
        document.proposal.applicant_id == user.pk)


@rules.predicate
def issued_after_a_decision(user, document):
    """The document was issued once the panel's decision was recorded (not a preview before it)."""
    if document is None or document.proposal_id is None:
        return False
    return PanelDecision.objects.filter(proposal_id=document.proposal_id, decided_at__lte=document.created_at).exists()


@rules.predicate
def has_conflict_in_call(user, call):
    """The user has a conflict of interest on some proposal of the call (回避)."""
    if call is None or not user.is_authenticated:
        return False
    return bool(conflicted_proposal_ids(user=user, call=call))


# The applicant reads their own anonymised summary once the decision is out; staff always.
# A summary the applicant was given stays theirs, even if the decision is later reopened.
can_download_review_summary = is_staff | (is_document_applicant & issued_after_a_decision)
# Every expert's name and scores: the programme office and the panel chair, never someone
# recused from a proposal in the call. Fund and incubation managers are refused.
can_issue_panel_sheet = (is_program_officer | is_panel_chair) & ~has_conflict_in_call


# -- the incubation documents (issue #4): agreement, tranche notices, acceptance certificate,
# conversion notice. Whoever may see the project downloads them: staff who follow projects, the
# team (the applicant) and the technology managers assigned to it; experts never.
INCUBATION_DOCUMENT_KINDS = frozenset({
    DocumentKind.FUNDING_AGREEMENT, DocumentKind.TRANCHE_NOTICE,
    DocumentKind.ACCEPTANCE_CERTIFICATE, DocumentKind.CONVERSION_NOTICE,
})


@rules.predicate
def can_download_project_document(user, document):
    if document is None or document.proposal_id is None or not user.is_authenticated:
        return False
    project = Project.objects.select_related("proposal").filter(proposal_id=document.proposal_id).first()
    return project is not None and can_view_project(user, project)


@rules.predicate
def can_generate_project_document(user, project):
    """Staff who follow projects generate a project's documents in the other language."""
    return project is not None and can_view_projects(user)


@rules.predicate
def can_download_document(user, document):
    if document is None:
        return False
    if document.kind == DocumentKind.PANEL_SHEET:
        return document.call_id is not None and can_issue_panel_sheet(user, document.call)
    if document.proposal_id is None:
        return False
    if document.kind in INCUBATION_DOCUMENT_KINDS:
        return can_download_project_document(user, document)
    if document.kind == DocumentKind.REVIEW_SUMMARY:
        return can_download_review_summary(user, document)
    return can_download_letter(user, document.proposal)


rules.add_perm("decisions.download_document", can_download_document)
rules.add_perm("decisions.panel_sheet", can_issue_panel_sheet)
rules.add_perm("decisions.generate_project_document", can_generate_project_document)
# Re-issuing a decision letter (a new version; the old one stays verifiable): the programme office.
rules.add_perm("decisions.reissue_letter", is_program_officer)
