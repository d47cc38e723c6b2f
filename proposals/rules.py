"""Named predicates about proposals and calls. Views, querysets and templates ask these."""

import rules

from accounts.rules import (
    is_administrator,
    is_fund_manager,
    is_incubation_manager,
    is_panel_chair,
    is_program_officer,
    is_researcher,
    is_staff,
)


@rules.predicate
def is_applicant(user, proposal):
    return proposal is not None and user.is_authenticated and proposal.applicant_id == user.pk


@rules.predicate
def is_screener(user, proposal=None):
    return is_program_officer(user)


@rules.predicate
def is_decider(user, proposal=None):
    return is_program_officer(user) or is_panel_chair(user)


@rules.predicate
def is_funder(user, proposal=None):
    return is_fund_manager(user)


@rules.predicate
def is_active_reviewer(user, proposal):
    """An expert with a live (not declined, not canceled) assignment and no conflict of interest."""
    if proposal is None or not user.is_authenticated:
        return False
    # reverse relation from reviews.Review; no import of the reviews app
    return (
        proposal.reviews.filter(expert=user, status__in=["assigned", "draft", "submitted"]).exists()
        and not proposal.conflicts.filter(expert=user).exists()  # a conflicted expert never opens it (回避)
    )


can_view_proposal = is_applicant | is_staff | is_active_reviewer
can_edit_proposal = is_applicant
can_see_applicant_files = is_applicant | is_staff | is_active_reviewer


@rules.predicate
def is_blind_call(user, proposal):
    return proposal is not None and proposal.call.blind_identity


# Blind review: an expert sees the applicant's attachments under neutral names (the file names people
# give their files often carry their name and institution); the applicant and staff see the real ones.
can_see_file_names = is_applicant | is_staff | ~is_blind_call
# Blind review: answers to questions marked "hide in blind review" (team, CVs …) are left out of what
# experts see and download; the applicant and staff see every answer, and so does everyone in an open call.
can_see_blind_hidden_answers = is_applicant | is_staff | ~is_blind_call
can_download_letter = is_applicant | is_staff
# The original file, and the author and title its PDF metadata names, only to the applicant and staff: anyone
# else (experts above all, whose review may be blind) downloads a PDF without its document metadata.
can_see_original_files = is_applicant | is_staff
# Setting up a call (the call builder) and opening it to applicants.
can_manage_calls = is_program_officer | is_administrator

rules.add_perm("proposals.view_proposal", can_view_proposal)
rules.add_perm("proposals.edit_proposal", can_edit_proposal)
rules.add_perm("proposals.download_letter", can_download_letter)
rules.add_perm("proposals.manage_calls", can_manage_calls)
rules.add_perm("proposals.list_all_proposals", is_staff)
rules.add_perm("proposals.view_audit", is_applicant | is_staff)
rules.add_perm("proposals.incubate", is_incubation_manager)
rules.add_perm("proposals.see_files", can_see_applicant_files)
rules.add_perm("proposals.see_file_names", can_see_file_names)
rules.add_perm("proposals.see_blind_hidden_answers", can_see_blind_hidden_answers)
rules.add_perm("proposals.see_original_files", can_see_original_files)


rules.add_perm("proposals.create_proposal", is_researcher)
rules.add_perm("proposals.screen", is_screener)
rules.add_perm("proposals.decide", is_decider)
rules.add_perm("proposals.approve", is_funder)
