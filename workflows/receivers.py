"""Orchestration listening to the review app's signals (reviews never imports workflows).

Each receiver runs inside the sender's transaction: if the flow cannot follow, the sender's
write rolls back with it.
"""

from reviews.enums import ConflictSource
from reviews.signals import conflict_recorded, notice_entry_final, objection_upheld
from workflows.escalation import decline_for_conflict
from workflows.notice import release_after_notice, reopen_panel_after_objection as reopen


def decline_review_of_conflicted_expert(sender, conflict, **kwargs):
    # a declared conflict comes from the expert's own decline, which already ended the task
    if conflict.source == ConflictSource.DECLARED:
        return
    decline_for_conflict(conflict=conflict)


def open_funding_after_notice(sender, entry, **kwargs):
    release_after_notice(proposal=entry.proposal)


def reopen_panel_after_objection(sender, entry, actor, note="", **kwargs):
    reopen(proposal=entry.proposal, actor=actor, note=note)


def connect():
    conflict_recorded.connect(decline_review_of_conflicted_expert, dispatch_uid="workflows.decline_conflicted_review")
    notice_entry_final.connect(open_funding_after_notice, dispatch_uid="workflows.open_funding_after_notice")
    objection_upheld.connect(reopen_panel_after_objection, dispatch_uid="workflows.reopen_panel_after_objection")
