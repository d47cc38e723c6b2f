"""The public notice (公示) of a call's approved proposals, objections, and when approvals become final.

Data only. Orchestration listens to two signals (reviews never imports workflows):
`notice_entry_final` (the period ended with no open objection: funding may open) and
`objection_upheld` (the entry is off the list and the approval goes back to the panel). Both are
sent inside the caller's transaction, so a failure in the flow rolls the whole act back.

An objection names the proposal (entry) it objects to and holds back only that one: when the
period ends the other entries become final, the named one waits until the objection is resolved.
It is lodged `pending`: the sender gets a mail with a signed, expiring, single-use link
(`objection_token`, django.core.signing) that quotes nothing they typed; only a confirmed (`open`)
objection holds its proposal back, reaches staff and earns a receipt quoting its reasons. One not
confirmed within CONFIRM_WITHIN of lodging, or before the period ends, never counts and is expired
by the sweep. Objections lodged before an objection had to name a proposal may name none
(migration 0004 tied them to the proposal where the notice listed only one); such a legacy
objection, while open, still holds back every entry of its notice.
"""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.mail import absolute_url, queue_user_mail
from accounts.services import send_mail_once
from core import outbox
from core.errors import ConcurrentChange, IllegalTransition, InvalidInput, NotPermitted
from core.zones import zone_label
from proposals.enums import ProposalStatus
from proposals.models import Proposal
from proposals.services.audit import record_audit
from reviews.enums import NoticeStatus, NoticeTransition, ObjectionStatus, ObjectionTransition
from reviews.models import NoticeEntry, Objection, PanelDecision, PublicNotice
from reviews.rules import can_manage_notices
from reviews.services.states import transition_notice, transition_objection
from reviews.signals import notice_entry_final

logger = logging.getLogger(__name__)

MIN_DAYS, MAX_DAYS = 1, 60
CONFIRM_WITHIN = dt.timedelta(hours=24)  # an objection's confirmation link is valid this long (and not past the period)
CONFIRM_SALT = "reviews.objection.confirm"


def local_time(moment, call) -> str:
    return f"{timezone.localtime(moment, ZoneInfo(call.time_zone)):%Y-%m-%d %H:%M}"


def proposals_awaiting_notice(*, call):
    """The call's approved proposals with no live entry on a notice, in panel-rank order (unranked last)."""
    latest_rank = Subquery(
        PanelDecision.objects.filter(proposal=OuterRef("pk")).order_by("-decided_at", "-pk").values("rank")[:1]
    )
    return (
        Proposal.objects.filter(call=call, status=ProposalStatus.APPROVED)
        .exclude(pk__in=NoticeEntry.objects.filter(withdrawn_at__isnull=True).values("proposal_id"))
        .annotate(panel_rank=latest_rank)
        .order_by(F("panel_rank").asc(nulls_last=True), "reference", "pk")
    )


def publish_notice(*, call, published_by, title_zh: str, title_en: str = "", body_zh: str = "", body_en: str = "",
                   days: int | None = None) -> PublicNotice:
    """Publish the call's approved proposals that are not on a notice yet, for `days` (default: the call's period)."""
    if not can_manage_notices(published_by):
        raise NotPermitted()
    if not (title_zh or "").strip():
        raise InvalidInput(_("Give the notice a Chinese title."))
    days = days or call.notice_days
    if not days or not MIN_DAYS <= days <= MAX_DAYS:
        raise InvalidInput(_("The notice period must be between %(min)s and %(max)s days.") % {"min": MIN_DAYS, "max": MAX_DAYS})
    proposals = list(proposals_awaiting_notice(call=call))
    if not proposals:
        raise InvalidInput(_("No approved proposal of this call is waiting for a public notice."))
    try:
        return _publish(call, published_by, proposals, title_zh, title_en, body_zh, body_en, days)
    except IntegrityError as exc:  # a concurrent publication listed the same proposal (one live entry each)
        raise ConcurrentChange() from exc


def _publish(call, published_by, proposals, title_zh, title_en, body_zh, body_en, days):
    with transaction.atomic():
        now = timezone.now()
        notice = PublicNotice.objects.create(
            call=call, title_zh=title_zh.strip(), title_en=(title_en or "").strip(), body_zh=body_zh or "",
            body_en=body_en or "", starts_at=now, ends_at=now + dt.timedelta(days=days), published_by=published_by,
        )
        NoticeEntry.objects.bulk_create(
            [NoticeEntry(notice=notice, proposal=p, position=n) for n, p in enumerate(proposals, start=1)]
        )
        for n, proposal in enumerate(proposals, start=1):
            record_audit(action="notice.published", proposal=proposal, actor=published_by,
                         data={"notice": notice.pk, "position": n, "ends_at": notice.ends_at.isoformat()})
    return notice


RECEIPT_KIND = "mail.objection_receipt"
CONFIRM_KIND = "mail.objection_confirm"


def objection_token(objection) -> str:
    """The signed link token for confirming `objection` (timestamped: valid for CONFIRM_WITHIN)."""
    return signing.dumps({"objection": objection.pk, "email": objection.email.lower()}, salt=CONFIRM_SALT)


def confirm_deadline(objection):
    """The moment the objection's confirmation link stops counting: CONFIRM_WITHIN after lodging, or the
    end of the objection period if that comes first."""
    return min(objection.lodged_at + CONFIRM_WITHIN, objection.notice.ends_at)


def _objection_for_mail(pk):
    return Objection.objects.select_related("notice", "notice__call", "entry__proposal").filter(pk=pk).first()


def deliver_confirmation(delivery):
    """The outbox handler for the confirmation link (registered in ReviewsConfig.ready). The address was
    typed by anyone, so the mail quotes nothing they typed (no name, no reasons): only the notice, the
    proposal named, the link and its deadline."""
    objection = _objection_for_mail(delivery.payload["objection"])
    if objection is None or objection.status != ObjectionStatus.PENDING:
        return False  # confirmed meanwhile (a retried row) or expired: nothing to confirm
    call = objection.notice.call
    with translation.override(delivery.payload["language"]):
        context = {"objection": objection, "notice": objection.notice,
                   "link": absolute_url(reverse("notices:confirm", args=[objection_token(objection)])),
                   "deadline": local_time(confirm_deadline(objection), call), "time_zone": call.time_zone}
        subject = " ".join(render_to_string("reviews/mail/objection_confirm_subject.txt", context).split())
        body = render_to_string("reviews/mail/objection_confirm_body.txt", context)
    send_mail_once(subject=subject, body=body, to=[objection.email], key=delivery.key)
    return True


def deliver_receipt(delivery):
    """The outbox handler (registered in ReviewsConfig.ready): the objector's receipt, in the language
    they lodged it in, sent once (its Message-ID is fixed by the delivery's key). It quotes the reasons,
    so it goes only to an address that confirmed the objection."""
    objection = _objection_for_mail(delivery.payload["objection"])
    if objection is None or objection.status in (ObjectionStatus.PENDING, ObjectionStatus.EXPIRED):
        return False
    with translation.override(delivery.payload["language"]):
        context = {"objection": objection, "notice": objection.notice,
                   "lodged_at": local_time(objection.lodged_at, objection.notice.call),
                   "time_zone": objection.notice.call.time_zone}
        subject = " ".join(render_to_string("reviews/mail/objection_receipt_subject.txt", context).split())
        body = render_to_string("reviews/mail/objection_receipt_body.txt", context)
    send_mail_once(subject=subject, body=body, to=[objection.email], key=delivery.key)
    return True


def lodge_objection(*, notice, entry=None, name: str, email: str, reasons: str, organisation: str = "",
                    phone: str = "") -> Objection:
    """Anyone may object to one proposal on the list during the notice period, with a contact and reasons.

    The objection is stored pending and the only mail sent is the confirmation link to `email`; it
    counts once confirmed (`confirm_objection`)."""
    now = timezone.now()
    if not notice.is_open_for_objections(now):
        raise InvalidInput(
            _("The objection period of this notice ended on %(end)s (%(tz)s); objections are no longer accepted.")
            % {"end": local_time(notice.ends_at, notice.call), "tz": zone_label(notice.call.time_zone, notice.ends_at)}
        )
    if entry is None:
        raise InvalidInput(_("Choose the proposal your objection concerns."))
    if entry.notice_id != notice.pk or entry.withdrawn_at is not None:
        raise InvalidInput(_("Choose a proposal from this notice's list."))
    if not (name or "").strip():
        raise InvalidInput(_("Give your name."))
    try:
        validate_email((email or "").strip())
    except ValidationError:
        raise InvalidInput(_("Give an email address where the program office can reach you.")) from None
    if not (reasons or "").strip():
        raise InvalidInput(_("Give the reasons for your objection."))
    with transaction.atomic():
        objection = Objection.objects.create(
            notice=notice, entry=entry, name=name.strip(), email=email.strip(), reasons=reasons.strip(),
            organisation=(organisation or "").strip(), phone=(phone or "").strip(), lodged_at=now,
            status=ObjectionStatus.PENDING,
        )
        # contact details stay on the objection (staff only); the audit names the act, not the person
        record_audit(action="notice.objection_lodged", proposal=entry.proposal,
                     data={"notice": notice.pk, "objection": objection.pk, "entry": entry.pk})
        language = translation.get_language() or settings.LANGUAGE_CODE
        outbox.owe(kind=CONFIRM_KIND, key=f"objection:{objection.pk}:confirm",
                   payload={"objection": objection.pk, "language": language})
    return objection


def confirm_objection(*, token: str) -> Objection:
    """The sender followed the link: the objection counts from now on (its proposal waits for a
    resolution), staff are told and the sender gets the receipt quoting their reasons. The link works
    once, within CONFIRM_WITHIN of lodging and before the period ends."""
    invalid = _("This confirmation link is not valid. Copy the whole link from the e-mail.")
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_WITHIN)
    except signing.SignatureExpired:
        raise InvalidInput(_("This confirmation link has expired; the objection was not counted.")) from None
    except signing.BadSignature:
        raise InvalidInput(invalid) from None
    objection = (Objection.objects.select_related("notice", "notice__call", "entry__proposal")
                 .filter(pk=data.get("objection")).first() if isinstance(data, dict) else None)
    if objection is None or objection.email.lower() != data.get("email"):
        raise InvalidInput(invalid)
    already = _("This objection has already been confirmed.")
    if objection.status == ObjectionStatus.EXPIRED:
        raise InvalidInput(_("This confirmation link has expired; the objection was not counted."))
    if objection.status != ObjectionStatus.PENDING:
        raise IllegalTransition(already)
    notice, now = objection.notice, timezone.now()
    if now >= objection.lodged_at + CONFIRM_WITHIN:
        raise InvalidInput(_("This confirmation link has expired; the objection was not counted."))
    if not notice.is_open_for_objections(now):
        raise InvalidInput(
            _("The objection period of this notice ended on %(end)s (%(tz)s); objections are no longer accepted.")
            % {"end": local_time(notice.ends_at, notice.call), "tz": zone_label(notice.call.time_zone, notice.ends_at)}
        )
    entry = objection.entry
    with transaction.atomic():
        try:
            transition_objection(objection=objection, transition=ObjectionTransition.CONFIRM, system=True,
                                 illegal=already, at=now,
                                 data={"notice": notice.pk, "objection": objection.pk, "entry": entry.pk if entry else None})
        except ConcurrentChange:  # the same link followed twice at once: one confirms it
            raise IllegalTransition(already) from None
        language = translation.get_language() or settings.LANGUAGE_CODE
        outbox.owe(kind=RECEIPT_KIND, key=f"objection:{objection.pk}:receipt",
                   payload={"objection": objection.pk, "language": language})
        queue_user_mail(user=notice.published_by, template="reviews/mail/objection_lodged", context={
            "notice_title": " / ".join(t for t in (notice.title_zh, notice.title_en) if t),
            "proposal": f"{entry.proposal.reference or ''} {entry.proposal.title}".strip() if entry else "",
            "link": reverse("notices:manage", args=[notice.pk]),
        }, key=f"objection:{objection.pk}:staff")
    return objection


def expire_unconfirmed_objections(*, now=None) -> int:
    """Pending objections whose link can no longer be used (CONFIRM_WITHIN passed, or the period ended)
    expire; they never held anything back. Part of the notice sweep. Returns how many expired."""
    now = now or timezone.now()
    stale = (Objection.objects.filter(status=ObjectionStatus.PENDING)
             .filter(Q(lodged_at__lte=now - CONFIRM_WITHIN) | Q(notice__ends_at__lte=now))
             .select_related("entry__proposal").order_by("pk"))
    expired = 0
    for objection in stale:
        try:
            transition_objection(objection=objection, transition=ObjectionTransition.EXPIRE, system=True,
                                 data={"notice": objection.notice_id, "objection": objection.pk,
                                       "entry": objection.entry_id})
        except (ConcurrentChange, IllegalTransition):  # confirmed or expired by someone else meanwhile
            continue
        expired += 1
    return expired


def _finalise(entry, at) -> bool:
    """Make one entry final (conditional update: only one caller wins), audit, notify orchestration."""
    won = NoticeEntry.objects.filter(pk=entry.pk, final_at__isnull=True, withdrawn_at__isnull=True).update(final_at=at)
    if not won:
        return False
    entry.final_at = at
    record_audit(action="notice.final", proposal=entry.proposal, data={"notice": entry.notice_id, "entry": entry.pk})
    notice_entry_final.send(sender=NoticeEntry, entry=entry)
    return True


def _ready_entries(notice):
    """Entries that may become final now: not final, not withdrawn, no open (confirmed) objection naming
    them. Each objection holds back only the proposal it names; a pending or expired one holds nothing.
    A legacy open objection naming no proposal (lodged before one had to be named) holds the whole list."""
    if notice.objections.filter(entry__isnull=True, status=ObjectionStatus.OPEN).exists():
        return []
    return list(
        notice.entries.filter(final_at__isnull=True, withdrawn_at__isnull=True, proposal__status=ProposalStatus.APPROVED)
        .exclude(objections__status=ObjectionStatus.OPEN)
        .select_related("proposal", "notice")
        .order_by("position", "pk")
    )


def _take_off_withdrawn(notice, at):
    """Entries whose proposal left the approved state meanwhile (the applicant withdrew it) leave the list."""
    for entry in (notice.entries.filter(final_at__isnull=True, withdrawn_at__isnull=True)
                  .exclude(proposal__status=ProposalStatus.APPROVED).select_related("proposal")):
        if NoticeEntry.objects.filter(pk=entry.pk, final_at__isnull=True, withdrawn_at__isnull=True).update(withdrawn_at=at):
            record_audit(action="notice.entry_withdrawn", proposal=entry.proposal,
                         data={"notice": notice.pk, "entry": entry.pk, "status": entry.proposal.status})


def _close_if_settled(notice, at):
    if notice.status != NoticeStatus.OPEN or notice.ends_at > at:
        return False
    if notice.entries.filter(final_at__isnull=True, withdrawn_at__isnull=True).exists():
        return False
    if notice.objections.filter(status=ObjectionStatus.OPEN, entry__isnull=True).exists():
        return False
    try:
        transition_notice(notice=notice, transition=NoticeTransition.CLOSE, system=True, transition_kwargs={"at": at})
    except ConcurrentChange:  # another sweep (or resolution) closed it first: only one closes it
        return False
    return True


def resolve_objection(*, objection, upheld: bool, resolution: str, resolved_by) -> Objection:
    """Staff uphold (the entry leaves the list; the approval goes back to the panel) or dismiss an objection."""
    if not can_manage_notices(resolved_by):
        raise NotPermitted()
    if not (resolution or "").strip():
        raise InvalidInput(_("Write the resolution."))
    if objection.status != ObjectionStatus.OPEN:
        raise IllegalTransition(_("This objection has already been resolved."))
    entry = objection.entry
    if upheld and entry is None:
        raise InvalidInput(_("This objection names no proposal, so it cannot be upheld against one. "
                             "Dismiss it with a resolution, or ask the objector which proposal it concerns."))
    now = timezone.now()
    already = _("This objection has already been resolved.")
    data = {"notice": objection.notice_id, "objection": objection.pk, "entry": entry.pk if entry else None}
    with transaction.atomic():
        withdrawn = None
        if upheld and entry.withdrawn_at is None and entry.final_at is None:
            # off the list first: the door sends objection_upheld last, and the flow reopens the panel
            entry.withdrawn_at = now
            entry.save(update_fields=["withdrawn_at"])
            withdrawn = entry
        try:
            transition_objection(
                objection=objection, transition=ObjectionTransition.UPHOLD if upheld else ObjectionTransition.DISMISS,
                actor=resolved_by, resolution=resolution, data=data, illegal=already, at=now, withdrawn_entry=withdrawn,
            )
        except ConcurrentChange:
            if withdrawn is not None:
                entry.withdrawn_at = None  # rolled back with the rest
            if objection.status != ObjectionStatus.OPEN:  # the optimistic lock: someone resolved it first
                raise IllegalTransition(already) from None
            raise
        notice = objection.notice
        if not upheld and notice.ends_at <= now:
            for ready in _ready_entries(notice):
                _finalise(ready, now)
        _close_if_settled(notice, now)
    return objection


def close_due_notices(*, now=None) -> int:
    """Entries of notices whose period is over and that no open objection names become final (the
    others wait for their objection's resolution); pending objections that can no longer be confirmed expire.

    Returns how many entries became final. Each entry commits on its own, so one proposal whose flow
    fails to continue does not hold back the others (it is retried by the next sweep).
    """
    now = now or timezone.now()
    expire_unconfirmed_objections(now=now)
    final = 0
    due = PublicNotice.objects.filter(status=NoticeStatus.OPEN, ends_at__lte=now).select_related("call")
    for notice in due.order_by("ends_at", "pk"):
        with transaction.atomic():
            _take_off_withdrawn(notice, now)
        for entry in _ready_entries(notice):
            try:
                with transaction.atomic():
                    final += _finalise(entry, now)
            except Exception:  # one broken flow must not block the whole sweep
                logger.exception("Notice entry %s could not be made final", entry.pk)
        with transaction.atomic():
            _close_if_settled(notice, now)
    return final

