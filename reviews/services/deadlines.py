"""Review deadlines: reminders before them, escalation at them, and what staff do then.

Data only: the flow (workflows) decides *when* these run — a timer boundary on each scoring
task escalates it at the review's deadline, the staff "overdue review" task extends or replaces,
and the periodic sweep sends reminders. Nothing here imports workflows.

Reminders: for every open review (assigned or draft, not escalated, deadline still ahead) and
every offset in `call.reminder_offsets` (days) with `deadline − offset ≤ now`, one
`ReviewReminder(review, deadline, offset)` row is written; a review gets at most one mail per
sweep however many offsets fell due together. The unique constraint on (review, deadline,
offset) makes a second sweep — even a concurrent one — send nothing twice; a new deadline (an
extension) starts a fresh series.
"""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.mail import queue_user_mail
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from core.zones import zone_label
from proposals.enums import ProposalStatus
from proposals.services.audit import record_audit
from reviews.enums import OPEN_REVIEW_STATES, ConflictSource, ReviewTransition
from reviews.models import Review, ReviewReminder
from reviews.rules import can_assign_experts
from reviews.selectors.assignment import eligible_experts
from reviews.selectors.conflicts import is_conflicted
from reviews.services.assignment import check_assignable
from reviews.services.auto_assign import next_alternate
from reviews.services.states import transition_review

logger = logging.getLogger(__name__)

# Call.reminder_days accepts offsets up to 60 days (proposals.models.validate_day_list).
MAX_REMINDER_OFFSET_DAYS = 60


def format_deadline(moment, call, language=None) -> str:
    """A deadline as the expert and staff read it: in the call's time zone, with the zone named in the
    reader's `language` (a mail's recipient's, not the language of whoever caused the mail)."""
    local = timezone.localtime(moment, ZoneInfo(call.time_zone))
    with translation.override(language or translation.get_language()):
        return f"{local:%Y-%m-%d %H:%M} ({zone_label(call.time_zone, moment)})"


def default_deadline(*, proposal, now=None):
    """A fresh review period from the call (used for replacements)."""
    return (now or timezone.now()) + dt.timedelta(days=proposal.call.review_days)


def _review_link(review):
    return reverse("workflows:review", args=[review.pk])


# reminders

def _due_offsets(review, now) -> list[int]:
    """Offsets (days) that are due for the review's current deadline and not yet sent, largest first."""
    sent = {r.offset_days for r in review.reminders.all() if r.deadline == review.deadline}
    return [o for o in review.proposal.call.reminder_offsets
            if review.deadline - dt.timedelta(days=o) <= now and o not in sent]


def _remind(review, offsets, now) -> bool:
    """Record the offsets that are still free and mail once if this sweep recorded any."""
    recorded = []
    with transaction.atomic():
        for offset in offsets:
            try:
                with transaction.atomic():
                    ReviewReminder.objects.create(review=review, deadline=review.deadline, offset_days=offset, sent_at=now)
            except IntegrityError:  # another sweep got there first
                continue
            recorded.append(offset)
        if not recorded:
            return False
        proposal = review.proposal
        remaining = review.deadline - now
        queue_user_mail(
            user=review.expert,
            template="reviews/mail/review_reminder",
            context={
                "reference": proposal.reference or "",
                "proposal_title": proposal.title,
                "deadline": format_deadline(review.deadline, proposal.call, review.expert.language),
                "days_left": remaining.days,
                "link": _review_link(review),
            },
        )
    return True


def send_due_reminders(*, now=None) -> int:
    """Send the reminder mails that are due; returns how many reviews were reminded."""
    now = now or timezone.now()
    reviews = (
        Review.objects.filter(
            status__in=OPEN_REVIEW_STATES, escalated_at__isnull=True, proposal__status=ProposalStatus.IN_REVIEW,
            deadline__gt=now, deadline__lte=now + dt.timedelta(days=MAX_REMINDER_OFFSET_DAYS),
        )
        .exclude(proposal__conflicts__expert=F("expert"))
        .select_related("proposal", "proposal__call", "expert")
        .prefetch_related("reminders")
        .order_by("deadline", "pk")
    )
    sent = 0
    for review in reviews:
        offsets = _due_offsets(review, now)
        if offsets and _remind(review, offsets, now):
            sent += 1
    return sent


# escalation at the deadline

def mark_review_escalated(*, review, at=None) -> Review:
    """The review's deadline passed with the scoring task still open: staff must act. System act."""
    at = at or timezone.now()
    review.escalated_at = at
    review.save(update_fields=["escalated_at"])
    record_audit(action="review.escalated", proposal=review.proposal, actor=None,
                 data={"review": review.pk, "expert": review.expert_id,
                       "deadline": review.deadline.isoformat() if review.deadline else None})
    return review


def _require_overdue(review):
    if review.status not in OPEN_REVIEW_STATES or review.escalated_at is None or review.replaced_by_id:
        raise IllegalTransition(_("This review is not waiting for a decision about its deadline."))


def extend_review_deadline(*, review, deadline, reason: str, extended_by) -> Review:
    """Give the expert until `deadline` (in the future) to finish. Runs in the caller's transaction."""
    if not can_assign_experts(extended_by):
        raise NotPermitted()
    _require_overdue(review)
    if not (reason or "").strip():
        raise InvalidInput(_("Give the reason for the extension."))
    if deadline is None or deadline <= timezone.now():
        raise InvalidInput(_("Choose a new deadline in the future."))
    if is_conflicted(user=review.expert, proposal=review.proposal):
        raise InvalidInput(_("%(name)s has a conflict of interest with this proposal.") % {"name": review.expert.display_name})
    old = review.deadline
    review.deadline = deadline
    review.extensions += 1
    review.escalated_at = None
    review.save(update_fields=["deadline", "extensions", "escalated_at"])
    record_audit(action="review.extended", proposal=review.proposal, actor=extended_by, note=reason,
                 data={"review": review.pk, "expert": review.expert_id, "from": old.isoformat() if old else None,
                       "to": deadline.isoformat(), "extensions": review.extensions})
    proposal = review.proposal
    queue_user_mail(
        user=review.expert,
        template="reviews/mail/review_extended",
        context={
            "reference": proposal.reference or "",
            "proposal_title": proposal.title,
            "deadline": format_deadline(deadline, proposal.call, review.expert.language),
            "link": _review_link(review),
        },
    )
    return review


def _check_replacement(expert, proposal):
    check_assignable(expert, proposal)
    if not eligible_experts(proposal=proposal).filter(pk=expert.pk).exists():
        raise InvalidInput(_("%(name)s cannot be assigned to this proposal.") % {"name": expert.display_name})


def replace_overdue_review(*, review, new_expert, replaced_by) -> Review:
    """Cancel an overdue review and assign `new_expert` instead. Runs in the caller's transaction."""
    if not can_assign_experts(replaced_by):
        raise NotPermitted()
    _require_overdue(review)
    proposal = review.proposal
    _check_replacement(new_expert, proposal)
    new = Review.objects.create(proposal=proposal, expert=new_expert, assigned_by=replaced_by,
                                deadline=default_deadline(proposal=proposal))
    transition_review(review=review, transition=ReviewTransition.CANCEL, actor=replaced_by,
                      data={"old": review.pk, "new": new.pk, "expert": new_expert.pk, "reason": "overdue"},
                      transition_kwargs={"replaced_by": new})
    return new


# conflicts found after assignment

def decline_for_conflict(*, review, conflict) -> Review:
    """A conflict recorded later ends the expert's open review, as if they had declined it."""
    if review.status not in OPEN_REVIEW_STATES:
        raise IllegalTransition(_("This review can no longer be declined."))
    # The applicant's reasons for avoiding an expert are never copied where that expert might read them.
    reason = str(ConflictSource.APPLICANT.label) if conflict.source == ConflictSource.APPLICANT else conflict.reason
    # a system act: whoever recorded the conflict (staff, or detection with no actor) was checked there
    transition_review(review=review, transition=ReviewTransition.DECLINE, actor=conflict.recorded_by, system=True,
                      note=conflict.reason, illegal=_("This review can no longer be declined."),
                      data={"review": review.pk, "expert": review.expert_id, "conflict": conflict.pk,
                            "source": conflict.source},
                      transition_kwargs={"reason": reason})
    review.scores.all().delete()
    return review


# replacement suggestions

def suggest_replacement(*, review):
    """The solver's next alternate for the review's proposal, of the replaced expert's type, or None."""
    profile = getattr(review.expert, "expert_profile", None)
    return next_alternate(proposal=review.proposal, expert_type=profile.expert_type if profile else None,
                          exclude=(review.expert_id,))


def replacement_choices(*, review) -> tuple:
    """(suggested alternate or None, experts staff may pick): the suggestion first, then every eligible expert."""
    suggested = suggest_replacement(review=review)
    others = [e for e in eligible_experts(proposal=review.proposal).select_related("expert_profile")
              if suggested is None or e.pk != suggested.pk]
    return suggested, ([suggested] if suggested is not None else []) + others
