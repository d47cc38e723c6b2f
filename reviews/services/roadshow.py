"""The roadshow (路演): its score sheet's criteria, judges and invited investors, timed pitch slots,
and each judge's score sheet per slot. Every write is validated first, atomic and audited.

The roadshow score of a proposal (mean of the submitted sheets' weighted totals) and its
combination with the expert score are computed in `reviews.services.results`.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mail import queue_user_mail
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from core.numbers import plain
from proposals.enums import ProposalStatus
from proposals.models import Call
from proposals.services.audit import record_audit
from reviews.enums import JudgeKind
from reviews.models import RoadshowCriterion, RoadshowJudge, RoadshowScore, RoadshowSheet, RoadshowSlot
from reviews.rules import can_manage_roadshow, has_conflict, is_roadshow_judge
from reviews.services.snapshot import refresh_panel_snapshot

TWO = Decimal("0.01")




def _require_manager(actor):
    if not can_manage_roadshow(actor):
        raise NotPermitted()


def _require_roadshow(call):
    if not call.roadshow_enabled:
        raise IllegalTransition(_("This call has no roadshow stage."))


def _decimal(raw, label):
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("%(field)s: enter a number.") % {"field": label}) from None
    if not value.is_finite():
        raise InvalidInput(_("%(field)s: enter a number.") % {"field": label})
    return value


# criteria ------------------------------------------------------------------------------------

def add_roadshow_criterion(*, call, actor, name_zh: str, name_en: str = "", weight, max_score, order: int = 0) -> RoadshowCriterion:
    _require_manager(actor)
    _require_roadshow(call)
    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    if not name_zh:
        raise InvalidInput(_("Give the criterion a Chinese name."))
    weight = _decimal(weight, _("weight"))
    max_score = _decimal(max_score, _("maximum score"))
    if weight <= 0 or max_score <= 0:
        raise InvalidInput(_("The weight and the maximum score must be greater than zero."))
    if weight != weight.quantize(TWO) or max_score != max_score.quantize(TWO):
        raise InvalidInput(_("Use at most two decimals."))
    if RoadshowSheet.objects.filter(slot__call=call, submitted_at__isnull=False).exists():
        raise IllegalTransition(_("Score sheets have already been submitted; the roadshow criteria can no longer change."))
    with transaction.atomic():
        criterion = RoadshowCriterion.objects.create(
            call=call, name_zh=name_zh, name_en=name_en, weight=weight, max_score=max_score, order=order or 0,
        )
        record_audit(action="roadshow.criterion_added", actor=actor, note=criterion.name, data={
            "call": call.pk, "criterion": criterion.pk, "weight": str(weight), "max_score": str(max_score)})
    return criterion


def remove_roadshow_criterion(*, criterion, actor) -> None:
    _require_manager(actor)
    if criterion.scores.exists():
        raise IllegalTransition(_("Judges have already scored this criterion; it cannot be removed."))
    with transaction.atomic():
        record_audit(action="roadshow.criterion_removed", actor=actor, note=criterion.name,
                     data={"call": criterion.call_id, "criterion": criterion.pk})
        criterion.delete()


# judges --------------------------------------------------------------------------------------

def add_roadshow_judge(*, call, user, kind: str, actor) -> RoadshowJudge:
    _require_manager(actor)
    _require_roadshow(call)
    if kind not in JudgeKind.values:
        raise InvalidInput(_("Choose judge or invited investor."))
    if user is None or not user.is_active:
        raise InvalidInput(_("Choose an active user."))
    if RoadshowJudge.objects.filter(call=call, user=user).exists():
        raise InvalidInput(_("%(name)s is already on this roadshow's jury.") % {"name": user.display_name})
    with transaction.atomic():
        judge = RoadshowJudge.objects.create(call=call, user=user, kind=kind)
        record_audit(action="roadshow.judge_added", actor=actor, note=user.display_name,
                     data={"call": call.pk, "user": user.pk, "kind": kind})
        queue_user_mail(user=user, template="reviews/panel/mail/judge_added", context={
            "call_title_zh": call.title_zh, "call_title_en": call.title_en or call.title_zh,
            "kind": kind, "link": reverse("panel:my_slots"),
        })
    return judge


def remove_roadshow_judge(*, judge, actor) -> None:
    _require_manager(actor)
    if RoadshowSheet.objects.filter(slot__call_id=judge.call_id, judge_id=judge.user_id).exists():
        raise IllegalTransition(_("This judge has already started score sheets; they cannot be removed."))
    with transaction.atomic():
        record_audit(action="roadshow.judge_removed", actor=actor, note=judge.user.display_name,
                     data={"call": judge.call_id, "user": judge.user_id})
        judge.delete()


# slots ---------------------------------------------------------------------------------------

def _overlapping(*, call, location, starts_at, ends_at, exclude_pk=None):
    """Slots of the call in the same location (case and surrounding spaces ignored) that overlap."""
    key = (location or "").strip().casefold()
    window_start = starts_at - dt.timedelta(hours=24)
    qs = RoadshowSlot.objects.filter(call=call, starts_at__lt=ends_at, starts_at__gt=window_start).select_related("proposal")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return [s for s in qs if (s.location or "").strip().casefold() == key and s.ends_at > starts_at]


def schedule_roadshow_slot(*, call, proposal, starts_at, actor, location: str = "", pitch_minutes=None,
                           qa_minutes=None) -> RoadshowSlot:
    """A timed pitch slot for a proposal awaiting the panel; pitch and Q&A minutes default from the call."""
    _require_manager(actor)
    _require_roadshow(call)
    if proposal.call_id != call.pk:
        raise InvalidInput(_("The proposal does not belong to this call."))
    if proposal.status != ProposalStatus.PANEL:
        raise IllegalTransition(_("Only proposals awaiting the panel decision can pitch at the roadshow."))
    if RoadshowSlot.objects.filter(proposal=proposal).exists():
        raise InvalidInput(_("This proposal already has a roadshow slot."))
    if starts_at is None or timezone.is_naive(starts_at):
        raise InvalidInput(_("Enter the start time."))
    pitch = call.pitch_minutes if pitch_minutes in (None, "") else int(pitch_minutes)
    qa = call.qa_minutes if qa_minutes in (None, "") else int(qa_minutes)
    if pitch < 1 or qa < 0 or pitch + qa > 240:
        raise InvalidInput(_("Give the pitch at least one minute and the slot at most four hours."))
    location = (location or "").strip()
    ends_at = starts_at + dt.timedelta(minutes=pitch + qa)
    with transaction.atomic():
        Call.objects.select_for_update().filter(pk=call.pk).first()  # one scheduling per call at a time
        clash = _overlapping(call=call, location=location, starts_at=starts_at, ends_at=ends_at)
        if clash:
            other = clash[0]
            raise InvalidInput(_("This overlaps the slot of %(proposal)s (%(start)s–%(end)s) in the same location.") % {
                "proposal": other.proposal, "start": timezone.localtime(other.starts_at).strftime("%H:%M"),
                "end": timezone.localtime(other.ends_at).strftime("%H:%M")})
        slot = RoadshowSlot.objects.create(call=call, proposal=proposal, starts_at=starts_at, pitch_minutes=pitch,
                                           qa_minutes=qa, location=location)
        record_audit(action="roadshow.slot_scheduled", proposal=proposal, actor=actor, data={
            "call": call.pk, "slot": slot.pk, "starts_at": starts_at.isoformat(), "pitch_minutes": pitch,
            "qa_minutes": qa, "location": location})
    return slot


def cancel_roadshow_slot(*, slot, actor) -> None:
    _require_manager(actor)
    if slot.sheets.exists():
        raise IllegalTransition(_("Judges have already started score sheets for this slot; it cannot be cancelled."))
    with transaction.atomic():
        record_audit(action="roadshow.slot_cancelled", proposal=slot.proposal, actor=actor,
                     data={"call": slot.call_id, "slot": slot.pk, "starts_at": slot.starts_at.isoformat()})
        slot.delete()


# score sheets --------------------------------------------------------------------------------

def check_judge(*, slot, judge):
    """Refuse anyone but a judge of the call, and a judge with a conflict on (or applying with) the proposal."""
    if not is_roadshow_judge(judge, slot):
        raise NotPermitted()
    if has_conflict(judge, slot.proposal) or slot.proposal.applicant_id == judge.pk:
        raise NotPermitted(_("You have a conflict of interest with this proposal."))


def save_roadshow_sheet(*, slot, judge, scores: dict, comment: str = "", submit: bool) -> RoadshowSheet:
    """Save a judge's sheet for a slot (criterion id → value 0..max); submitting makes it final.

    Drafts may be partial; a submitted sheet needs every criterion scored.
    """
    check_judge(slot=slot, judge=judge)
    _require_roadshow(slot.call)
    sheet = RoadshowSheet.objects.filter(slot=slot, judge=judge).first()
    if sheet is not None and sheet.submitted_at is not None:
        raise IllegalTransition(_("This score sheet has already been submitted."))
    criteria = {c.pk: c for c in RoadshowCriterion.objects.filter(call_id=slot.call_id)}
    if not criteria:
        raise IllegalTransition(_("The roadshow score sheet has no criteria yet."))
    cleaned = {}
    for cid, raw in scores.items():
        try:
            criterion = criteria.get(int(cid))
        except (TypeError, ValueError):
            criterion = None
        if criterion is None:
            raise InvalidInput(_("Unknown criterion."))
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        value = _decimal(raw, criterion.name)
        if not (Decimal(0) <= value <= criterion.max_score):
            raise InvalidInput(_("%(criterion)s: the score must be between 0 and %(max)s.") % {
                "criterion": criterion.name, "max": plain(criterion.max_score)})
        if value != value.quantize(TWO):
            raise InvalidInput(_("%(criterion)s: use at most two decimals.") % {"criterion": criterion.name})
        cleaned[criterion.pk] = value
    if submit:
        missing = [c.name for pk, c in criteria.items() if pk not in cleaned]
        if missing:
            raise InvalidInput(_("Score every criterion before submitting: %(list)s.") % {"list": ", ".join(missing)})
    with transaction.atomic():
        if sheet is None:
            sheet = RoadshowSheet.objects.create(slot=slot, judge=judge)
        else:
            sheet = RoadshowSheet.objects.select_for_update().get(pk=sheet.pk)
            if sheet.submitted_at is not None:
                raise IllegalTransition(_("This score sheet has already been submitted."))
        sheet.scores.exclude(criterion_id__in=cleaned.keys()).delete()
        for cid, value in cleaned.items():
            RoadshowScore.objects.update_or_create(sheet=sheet, criterion_id=cid, defaults={"value": value})
        sheet.comment = (comment or "").strip()
        if submit:
            sheet.submitted_at = timezone.now()
        sheet.save()
        record_audit(
            action="roadshow.sheet_submitted" if submit else "roadshow.sheet_saved", proposal=slot.proposal,
            actor=judge, note=sheet.comment,
            data={"slot": slot.pk, "sheet": sheet.pk, "scores": {str(k): str(v) for k, v in cleaned.items()}},
        )
        if submit:  # a submitted sheet counts in the roadshow score: the panel's figures move with it
            refresh_panel_snapshot(call=slot.call)
    return sheet
