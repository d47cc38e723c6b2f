"""The doors of the review app's state machines: one per status field.

`Review.status`, `AssignmentRun.status`, `PublicNotice.status` and `Objection.status` are
protected django-fsm fields: nothing assigns them; each changes only through its door here,
which goes through the shared `proposals.services.audit.change_state` (check the transition
and the actor's permission unless `system`, change the state, save the status plus the fields
the transition writes with optimistic locking, append the audit row, send the signal last, in
one transaction). A refusal raises IllegalTransition (with the caller's `illegal` message) or
NotPermitted; a concurrent change raises ConcurrentChange, which callers map to the outcome they
gave before the doors (see reviews.services.notice).

Audit rows (action names are the ones the services recorded before the doors existed):
- a review's rows belong to its proposal: review.draft_saved, review.submitted, review.declined,
  review.replaced (the cancel transition: an overdue expert replaced by another);
- an assignment run covers a whole call: its rows (assignment.applied, assignment.discarded) have
  no proposal and name the run and the call in their data, as before;
- a notice lists several proposals, each of which has its own rows (notice.published,
  notice.final, notice.entry_withdrawn); closing concerns the list as a whole, so notice.closed
  has no proposal and names the notice in its data, as before;
- an objection's rows (notice.objection_confirmed / notice.objection_expired, system acts of the
  sender's signed link and of the sweep; notice.objection_upheld / notice.objection_dismissed, staff)
  belong to the proposal of the entry it names, or to no proposal for an objection to the whole list
  (lodged before an objection had to name a proposal).

Signals: a review's door sends `review_transitioned` (the panel snapshot refreshes with it); upholding an
objection sends `objection_upheld`, last, and only when that act took the entry off the list; the other
transitions send none.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from proposals.services.audit import change_state
from reviews.enums import AssignmentRunTransition, NoticeTransition, ObjectionTransition, ReviewTransition
from reviews.models import AssignmentRun, NoticeEntry, Objection, PublicNotice, Review
from reviews.signals import objection_upheld, review_transitioned

# transition → (audit action, fields the transition body writes besides the status)
REVIEW_TRANSITIONS = {
    ReviewTransition.SAVE_DRAFT: ("review.draft_saved", ()),
    ReviewTransition.SUBMIT: ("review.submitted", ("submitted_at",)),
    ReviewTransition.DECLINE: ("review.declined", ("declined_at", "decline_reason")),
    ReviewTransition.CANCEL: ("review.replaced", ("replaced_by",)),
}
RUN_TRANSITIONS = {
    AssignmentRunTransition.APPLY: ("assignment.applied", ("applied_by", "applied_at")),
    AssignmentRunTransition.DISCARD: ("assignment.discarded", ()),
}
NOTICE_TRANSITIONS = {
    NoticeTransition.CLOSE: ("notice.closed", ("closed_at",)),
}
OBJECTION_TRANSITIONS = {
    ObjectionTransition.CONFIRM: ("notice.objection_confirmed", ("confirmed_at",)),
    ObjectionTransition.EXPIRE: ("notice.objection_expired", ()),
    ObjectionTransition.UPHOLD: ("notice.objection_upheld", ("resolution", "resolved_by", "resolved_at")),
    ObjectionTransition.DISMISS: ("notice.objection_dismissed", ("resolution", "resolved_by", "resolved_at")),
}


def transition_review(
    *, review: Review, transition: str, actor=None, note: str = "", data: Mapping | None = None,
    system: bool = False, illegal: str | None = None, update_fields: Iterable[str] = (),
    transition_kwargs: Mapping[str, Any] | None = None,
) -> Review:
    """Take the review through `transition`; `update_fields` adds fields the caller changed in memory
    (the review's content when it is saved or submitted). `system` for acts whose authority was
    checked elsewhere (a conflict recorded by staff or found by detection ends the review)."""
    name = ReviewTransition(transition)
    action, written = REVIEW_TRANSITIONS[name]
    change_state(
        review, name.value, actor=actor, action=action, proposal=review.proposal, note=note, data=data,
        system=system, illegal=illegal, update_fields=[*written, *update_fields],
        transition_kwargs=transition_kwargs, signal=review_transitioned,
        signal_kwargs={"review": review, "transition": name.value},
    )
    return review


def transition_assignment_run(
    *, run: AssignmentRun, transition: str, actor, data: Mapping | None = None, illegal: str | None = None,
    transition_kwargs: Mapping[str, Any] | None = None,
) -> AssignmentRun:
    """Apply or discard a run (staff). The audit row names the run and its call; it has no proposal."""
    name = AssignmentRunTransition(transition)
    action, written = RUN_TRANSITIONS[name]
    change_state(
        run, name.value, actor=actor, action=action, proposal=None,
        data={"run": run.pk, "call": run.call_id, **(data or {})}, illegal=illegal,
        update_fields=list(written), transition_kwargs=transition_kwargs,
    )
    return run


def transition_notice(
    *, notice: PublicNotice, transition: str, actor=None, system: bool = False,
    transition_kwargs: Mapping[str, Any] | None = None,
) -> PublicNotice:
    """Close a notice: a system act of the sweep or of an objection's resolution (`system=True`).

    The audit row has no proposal (the notice lists several; each has its own rows) and names the
    notice. Raises ConcurrentChange when another sweep closed it first."""
    name = NoticeTransition(transition)
    action, written = NOTICE_TRANSITIONS[name]
    change_state(
        notice, name.value, actor=actor, action=action, proposal=None, data={"notice": notice.pk},
        system=system, update_fields=list(written), transition_kwargs=transition_kwargs,
    )
    return notice


def transition_objection(
    *, objection: Objection, transition: str, actor=None, resolution: str = "", data: Mapping | None = None,
    illegal: str | None = None, at=None, withdrawn_entry: NoticeEntry | None = None, system: bool = False,
) -> Objection:
    """Confirm or expire an objection (system acts: the sender's signed link, the sweep; `system=True`),
    or uphold or dismiss it (staff), with the resolution as the audit note.

    The audit row belongs to the proposal of the objection's entry (none for an objection to the
    whole list). When upholding took `withdrawn_entry` off the list, `objection_upheld` is sent
    last (the flow sends the approval back to the panel). Raises ConcurrentChange when someone
    resolved the objection at the same time."""
    name = ObjectionTransition(transition)
    action, written = OBJECTION_TRANSITIONS[name]
    entry = objection.entry
    signal = objection_upheld if name == ObjectionTransition.UPHOLD and withdrawn_entry is not None else None
    if name == ObjectionTransition.CONFIRM:
        kwargs = {"at": at}
    elif name == ObjectionTransition.EXPIRE:
        kwargs = {}
    else:
        kwargs = {"resolution": resolution.strip(), "by": actor, "at": at}
    change_state(
        objection, name.value, actor=actor, action=action, proposal=entry.proposal if entry else None,
        note=resolution, data=data, illegal=illegal, update_fields=list(written), system=system,
        transition_kwargs=kwargs,
        signal=signal, signal_kwargs={"entry": withdrawn_entry, "note": resolution.strip()},
    )
    return objection
