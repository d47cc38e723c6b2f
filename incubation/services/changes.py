"""Change requests (变更申请) to a signed agreement: a budget shift between categories, or the
project's one extension. Filed by the team or an incubation manager, decided by an incubation manager
who did not file it (four eyes). A pending request can be withdrawn by its author.

Budget shift: `amount` moves from one budget line to another; the total is unchanged and the source line
must hold the amount (checked when filing and again, under lock, when approving; the target line is
created if missing). Extension: a new end date after the current one and at most
`MAX_EXTENSION_MONTHS` months after it; one per project ever (`Project.extended`), and only one pending
at a time. Approval moves `Project.ends_on` and the agreement's `ends_on` together.

A withdrawn request stays on record with the status "withdrawn".
"""

import calendar
import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mail import queue_user_mail
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from core.numbers import money
from incubation.enums import AgreementStatus, BudgetCategory, ChangeKind, ChangeStatus
from incubation.models import Agreement, BudgetLine, ChangeRequest, Project
from incubation.services.transitions import transition_change
from proposals.services.audit import record_audit

# An extension may move the end date at most this many months past the current planned end.
MAX_EXTENSION_MONTHS = 12
CENT = Decimal("0.01")


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _planned_end(project, agreement) -> dt.date:
    return project.ends_on or agreement.ends_on


def _check_open(project) -> Agreement:
    if not project.is_open:
        raise IllegalTransition(_("The project is closed."))
    agreement = getattr(project, "agreement", None)
    if agreement is None or agreement.status != AgreementStatus.SIGNED:
        raise IllegalTransition(_("Changes can be requested once the agreement (任务书) is signed."))
    return agreement


def _check_budget_shift(*, agreement, from_category, to_category, amount, lines=None) -> Decimal:
    if from_category not in BudgetCategory.values or to_category not in BudgetCategory.values:
        raise InvalidInput(_("Choose the budget categories the money moves from and to."))
    if from_category == to_category:
        raise InvalidInput(_("The money must move to a different budget category."))
    try:
        amount = Decimal(amount).quantize(CENT)
    except (InvalidOperation, TypeError):
        raise InvalidInput(_("Enter the amount to move.")) from None
    if amount <= 0:
        raise InvalidInput(_("Enter the amount to move."))
    lines = lines if lines is not None else {line.category: line for line in agreement.budget_lines.all()}
    source = lines.get(from_category)
    available = source.amount if source is not None else Decimal("0")
    if amount > available:
        raise InvalidInput(_("The budget line “%(category)s” holds only %(available)s; %(amount)s cannot be moved.")
                           % {"category": BudgetCategory(from_category).label, "available": money(available),
                              "amount": money(amount)})
    return amount


def _check_extension(*, project, agreement, new_end_date) -> None:
    if project.extended:
        raise IllegalTransition(_("This project has already been extended once; only one extension is allowed."))
    if new_end_date is None:
        raise InvalidInput(_("Enter the new end date."))
    current = _planned_end(project, agreement)
    if new_end_date <= current:
        raise InvalidInput(_("The new end date must be after the current end date (%(date)s).")
                           % {"date": current.isoformat()})
    limit = add_months(current, MAX_EXTENSION_MONTHS)
    if new_end_date > limit:
        raise InvalidInput(_("An extension may add at most %(months)s months: the latest possible end date is %(date)s.")
                           % {"months": MAX_EXTENSION_MONTHS, "date": limit.isoformat()})


def request_change(*, project, actor, kind: str, reason: str, from_category: str = "", to_category: str = "",
                   amount=None, new_end_date=None) -> ChangeRequest:
    reason = (reason or "").strip()
    with transaction.atomic():
        project = (Project.objects.select_for_update(of=("self",)).select_related("proposal", "agreement")
                   .get(pk=project.pk))
        if not actor.has_perm("incubation.request_change", project):
            raise NotPermitted()
        agreement = _check_open(project)
        if kind not in ChangeKind.values:
            raise InvalidInput(_("Choose what should change."))
        if not reason:
            raise InvalidInput(_("Give the reason for the change."))
        fields = {}
        if kind == ChangeKind.BUDGET_SHIFT:
            amount = _check_budget_shift(agreement=agreement, from_category=from_category, to_category=to_category,
                                         amount=amount)
            fields = {"from_category": from_category, "to_category": to_category, "amount": amount}
        else:
            _check_extension(project=project, agreement=agreement, new_end_date=new_end_date)
            if project.change_requests.filter(kind=ChangeKind.EXTENSION, status=ChangeStatus.PENDING).exists():
                raise IllegalTransition(_("An extension request is already waiting for a decision."))
            fields = {"new_end_date": new_end_date}
        change = ChangeRequest.objects.create(project=project, kind=kind, reason=reason, requested_by=actor,
                                              requested_at=timezone.now(), **fields)
        record_audit(action="change.requested", proposal=project.proposal, actor=actor, to_state=change.status,
                     note=reason, data={"change": change.pk, **_describe(change)})
    return change


def _describe(change) -> dict:
    if change.kind == ChangeKind.BUDGET_SHIFT:
        return {"kind": change.kind, "from": change.from_category, "to": change.to_category,
                "amount": str(change.amount)}
    return {"kind": change.kind, "new_end_date": change.new_end_date.isoformat() if change.new_end_date else None}


def _apply_budget_shift(change, agreement) -> dict:
    lines = {line.category: line for line in BudgetLine.objects.select_for_update().filter(agreement=agreement)}
    amount = _check_budget_shift(agreement=agreement, from_category=change.from_category,
                                 to_category=change.to_category, amount=change.amount, lines=lines)
    source = lines[change.from_category]
    source.amount -= amount
    source.save(update_fields=["amount"])
    target = lines.get(change.to_category)
    if target is None:
        target = BudgetLine.objects.create(agreement=agreement, category=change.to_category, amount=amount)
    else:
        target.amount += amount
        target.save(update_fields=["amount"])
    return {"from_line": str(source.amount), "to_line": str(target.amount)}


def _apply_extension(change, project, agreement) -> dict:
    _check_extension(project=project, agreement=agreement, new_end_date=change.new_end_date)
    old = _planned_end(project, agreement)
    project.ends_on = change.new_end_date
    project.extended = True
    project.save(update_fields=["ends_on", "extended"])
    agreement.ends_on = change.new_end_date
    agreement.save(update_fields=["ends_on", "updated_at"])
    return {"old_end": old.isoformat()}


def decide_change(*, change, actor, approve: bool, note: str = "") -> ChangeRequest:
    """Approve (the change is applied in the same transaction) or refuse a pending request."""
    note = (note or "").strip()
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
        project = (Project.objects.select_for_update(of=("self",)).select_related("proposal", "agreement")
                   .get(pk=change.project_id))
        if not actor.has_perm("incubation.decide_change", project):
            raise NotPermitted()
        if change.status != ChangeStatus.PENDING:
            raise IllegalTransition(_("This request has already been decided."))
        if actor.pk == change.requested_by_id:
            raise NotPermitted(_("You filed this request yourself: another incubation manager must decide it."))
        if not approve and not note:
            raise InvalidInput(_("Give the reason for the refusal."))
        applied = {}
        if approve:
            agreement = _check_open(project)
            if change.kind == ChangeKind.BUDGET_SHIFT:
                applied = _apply_budget_shift(change, agreement)
            else:
                applied = _apply_extension(change, project, agreement)
        transition_change(change=change, transition="approve" if approve else "refuse", actor=actor,
                          action="change.approved" if approve else "change.refused", proposal=project.proposal,
                          note=note, transition_kwargs={"by": actor, "note": note},
                          illegal=_("This request has already been decided."),
                          data={"change": change.pk, **_describe(change), **applied})
        queue_user_mail(user=change.requested_by, template="incubation/mail/change_decided",
                        context={"reference": project.proposal.reference or "",
                                 "proposal_title": project.proposal.title, "approved": approve,
                                 "kind": change.kind, "note": note,
                                 "link": reverse("incubation:change", args=[change.pk])})
    return change


def withdraw_change(*, change, actor) -> None:
    """The author withdraws a pending request; it stays on record as withdrawn."""
    with transaction.atomic():
        change = (ChangeRequest.objects.select_for_update(of=("self",)).select_related("project__proposal")
                  .get(pk=change.pk))
        if actor.pk != change.requested_by_id:
            raise NotPermitted(_("Only the person who filed a request can withdraw it."))
        if change.status != ChangeStatus.PENDING:
            raise IllegalTransition(_("This request has already been decided."))
        transition_change(change=change, transition="withdraw", actor=actor, action="change.withdrawn",
                          proposal=change.project.proposal, note=change.reason,
                          illegal=_("This request has already been decided."),
                          data={"change": change.pk, **_describe(change)})
