"""The agreement (任务书): checking it is complete, issuing it for signature, recording the signed copy.

Issuing requires a complete agreement: at least one milestone, a budget that adds up to the
amount, tranches whose percentages sum to exactly 100 (milestone gates name a milestone), and the
investment terms its instrument needs (先投后股: deadline and what happens at it; equity: the
pre-money valuation, from which the stake is computed). Issuing sends `agreement_issued`, on
which decisions renders the PDF. The signed copy (a plain PDF) locks the agreement and meets the
signature gate."""

import hashlib
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_incubation_manager
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from core.numbers import money
from forms.enums import FileType
from forms.uploads import MB, validate_upload
from funding.enums import DeadlineAction, Instrument
from incubation.enums import AgreementStatus, BudgetCategory, MilestoneStatus, TrancheGate, TrancheStatus
from incubation.models import Agreement, BudgetLine, Kpi, Milestone, Tranche
from incubation.services.projects import split_amount
from incubation.services.transitions import transition_agreement, transition_milestone
from proposals.services.audit import record_audit

SIGNED_COPY_MAX_BYTES = 20 * MB
HUNDRED = Decimal("100")


def equity_stake(*, amount: Decimal, pre_money: Decimal) -> Decimal:
    """Stake (%) bought by `amount` at `pre_money`: amount / (pre-money + amount) × 100, 6 places."""
    return (amount / (pre_money + amount) * HUNDRED).quantize(Decimal("0.000001"))


def agreement_problems(agreement: Agreement) -> list[str]:
    """Everything that keeps the agreement from being issued, in words (empty when complete)."""
    problems = []
    project = agreement.project
    if not Milestone.objects.filter(project=project).exists():
        problems.append(_("Plan at least one milestone."))
    if agreement.ends_on < agreement.starts_on:
        problems.append(_("The agreement cannot end before it starts."))
    budget = BudgetLine.objects.filter(agreement=agreement).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if budget != agreement.amount:
        problems.append(_("The budget adds up to %(budget)s but the amount is %(amount)s; they must be equal.")
                        % {"budget": f"{budget:,.2f}", "amount": f"{agreement.amount:,.2f}"})
    tranches = list(Tranche.objects.filter(agreement=agreement).select_related("milestone"))
    total_pct = sum((t.percent for t in tranches), Decimal("0"))
    if not tranches:
        problems.append(_("Plan at least one tranche."))
    elif total_pct != HUNDRED:
        problems.append(_("The tranche percentages add up to %(total)s %%; they must sum to exactly 100 %%.")
                        % {"total": f"{total_pct.normalize():f}"})
    if tranches and sum((t.amount for t in tranches), Decimal("0")) != agreement.amount:
        problems.append(_("The tranche amounts do not add up to the amount."))
    for tranche in tranches:
        if tranche.gate == TrancheGate.MILESTONE and (tranche.milestone is None or tranche.milestone.project_id != project.pk):
            problems.append(_("Tranche %(order)s is released on a milestone; choose which one.") % {"order": tranche.order})
    if agreement.instrument == Instrument.INVEST_FIRST:
        if agreement.conversion_deadline is None:
            problems.append(_("Set the conversion deadline of the invest-first (先投后股) money."))
        if not agreement.deadline_action:
            problems.append(_("Say whether unconverted money is written off or bought back at the deadline."))
        if agreement.deadline_action == DeadlineAction.BUY_BACK and agreement.buyback_rate_pct is None:
            problems.append(_("Set the buy-back interest rate (0 for buy-back at cost)."))
    if agreement.instrument == Instrument.EQUITY and agreement.pre_money_valuation is None:
        problems.append(_("Enter the pre-money valuation of the equity investment."))
    return problems


def _check_manager(actor):
    if not is_incubation_manager(actor):
        raise NotPermitted()


def issue_agreement(*, agreement: Agreement, actor) -> Agreement:
    """Lock the draft's content for signature and have its PDF generated. Re-issuing an issued,
    unsigned agreement (after corrections) is allowed and generates a new PDF."""
    _check_manager(actor)
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().select_related("project__proposal").get(pk=agreement.pk)
        if agreement.status == AgreementStatus.SIGNED:
            raise IllegalTransition(_("The agreement is signed and can no longer change."))
        if not agreement.project.is_open:
            raise IllegalTransition(_("The project is closed."))
        problems = agreement_problems(agreement)
        if problems:
            raise InvalidInput(_("The agreement is not complete: %(problems)s") % {"problems": " ".join(problems)})
        if agreement.instrument == Instrument.EQUITY:
            agreement.stake_pct = equity_stake(amount=agreement.amount, pre_money=agreement.pre_money_valuation)
        transition_agreement(agreement=agreement, transition="issue", actor=actor, action="agreement.issued",
                             data={"agreement": agreement.pk}, transition_kwargs={"by": actor})
    return agreement


def record_signed_copy(*, agreement: Agreement, actor, uploaded_file, signed_on) -> Agreement:
    """Store the signed PDF (checked like every upload) and mark the agreement signed."""
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().select_related("project__proposal").get(pk=agreement.pk)
        if not actor.has_perm("incubation.upload_signed_agreement", agreement.project):
            raise NotPermitted()
        if agreement.status == AgreementStatus.DRAFT:
            raise IllegalTransition(_("Issue the agreement for signature before uploading the signed copy."))
        if agreement.status == AgreementStatus.SIGNED:
            raise IllegalTransition(_("The signed copy has already been uploaded."))
        if signed_on is None or signed_on > timezone.localdate():
            raise InvalidInput(_("Enter the date of signature; it cannot be in the future."))
        try:
            validate_upload(uploaded_file, allowed_types=[FileType.PDF], max_bytes=SIGNED_COPY_MAX_BYTES)
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages)) from exc
        uploaded_file.seek(0)
        digest = hashlib.sha256(uploaded_file.read()).hexdigest()
        uploaded_file.seek(0)
        agreement.signed_file.save(f"agreement-{agreement.pk}-{digest[:12]}.pdf", uploaded_file, save=False)
        agreement.signed_file_name = (uploaded_file.name or "")[:255]
        agreement.signed_sha256 = digest
        agreement.signed_on = signed_on
        agreement.signed_recorded_by = actor
        transition_agreement(agreement=agreement, transition="sign", actor=actor, action="agreement.signed",
                             data={"agreement": agreement.pk, "sha256": digest, "signed_on": signed_on.isoformat()})
    return agreement


# ---------------------------------------------------------------------------------------------
# Editing the draft, one section at a time. Each section is saved by one service: it checks the
# incubation manager and the agreement's state, validates everything before writing, writes in one
# transaction (any refusal rolls back everything, the reopening included) and audits.
# Editing an issued agreement puts it back to draft: it must be issued again (a new PDF).


def _open_for_editing(agreement: Agreement, actor) -> Agreement:
    """Lock the agreement for a section edit (inside the caller's transaction); an issued one is
    put back to draft, audited."""
    _check_manager(actor)
    agreement = Agreement.objects.select_for_update().select_related("project__proposal").get(pk=agreement.pk)
    if agreement.status == AgreementStatus.SIGNED:
        raise IllegalTransition(_("The agreement is signed and can no longer change."))
    if not agreement.project.is_open:
        raise IllegalTransition(_("The project is closed."))
    if agreement.status == AgreementStatus.ISSUED:
        transition_agreement(agreement=agreement, transition="reopen", actor=actor, action="agreement.reopened",
                             note=_("Edited after it was issued; it must be issued again."),
                             data={"agreement": agreement.pk}, update_fields=["issued_at", "issued_by", "updated_at"])
    return agreement


def update_terms(*, agreement: Agreement, actor, starts_on, ends_on, concession_pct=None, conversion_deadline=None,
                 deadline_action: str = "", buyback_rate_pct=None, buyback_terms: str = "",
                 pre_money_valuation=None) -> Agreement:
    """The period and the investment terms. Only the terms of the agreement's instrument are
    read: 先投后股 (concession, conversion deadline and what happens at it, buy-back terms) or
    equity (pre-money valuation, from which the stake is computed at once)."""
    _check_manager(actor)
    if starts_on is None or ends_on is None:
        raise InvalidInput(_("Enter the start and the end of the agreement."))
    if ends_on < starts_on:
        raise InvalidInput(_("The agreement cannot end before it starts."))
    with transaction.atomic():
        agreement = _open_for_editing(agreement, actor)
        before = _terms_snapshot(agreement)
        agreement.starts_on, agreement.ends_on = starts_on, ends_on
        if agreement.instrument == Instrument.INVEST_FIRST:
            concession_pct = Decimal("0") if concession_pct is None else Decimal(concession_pct)
            if not Decimal("0") <= concession_pct <= HUNDRED:
                raise InvalidInput(_("The concession to the team must be between 0 and 100 %."))
            if conversion_deadline is not None and conversion_deadline <= starts_on:
                raise InvalidInput(_("The conversion deadline must come after the start of the agreement."))
            if deadline_action and deadline_action not in DeadlineAction.values:
                raise InvalidInput(_("Say whether unconverted money is written off or bought back at the deadline."))
            if buyback_rate_pct is not None and not Decimal("0") <= Decimal(buyback_rate_pct) <= HUNDRED:
                raise InvalidInput(_("The buy-back interest must be between 0 and 100 % a year."))
            buying_back = deadline_action == DeadlineAction.BUY_BACK
            agreement.concession_pct = concession_pct
            agreement.conversion_deadline = conversion_deadline
            agreement.deadline_action = deadline_action or ""
            agreement.buyback_rate_pct = buyback_rate_pct if buying_back else None
            agreement.buyback_terms = (buyback_terms or "").strip() if buying_back else ""
        elif agreement.instrument == Instrument.EQUITY:
            if pre_money_valuation is not None and Decimal(pre_money_valuation) <= 0:
                raise InvalidInput(_("The pre-money valuation must be greater than zero."))
            agreement.pre_money_valuation = pre_money_valuation
            agreement.stake_pct = (equity_stake(amount=agreement.amount, pre_money=Decimal(pre_money_valuation))
                                   if pre_money_valuation is not None else None)
        agreement.save()
        project = agreement.project
        if project.ends_on != ends_on:
            project.ends_on = ends_on
            project.save(update_fields=["ends_on"])
        record_audit(action="agreement.terms_saved", proposal=project.proposal, actor=actor,
                     data={"agreement": agreement.pk, "before": before, "after": _terms_snapshot(agreement)})
    return agreement


def _terms_snapshot(agreement) -> dict:
    fields = ("starts_on", "ends_on", "concession_pct", "conversion_deadline", "deadline_action", "buyback_rate_pct",
              "buyback_terms", "pre_money_valuation", "stake_pct")
    return {name: (None if getattr(agreement, name) in (None, "") else str(getattr(agreement, name))) for name in fields}


def save_milestones(*, agreement: Agreement, actor, milestones: list[dict], kpis: list[dict]) -> Agreement:
    """Replace the plan's milestones and KPIs by the rows given.

    A milestone row is {"id": pk or None, "title", "description", "due_date"}; a KPI row is
    {"id", "name", "unit", "target", "due_date", "milestone": Milestone or None}. Existing rows
    missing from the lists are removed, except a milestone a tranche is released on, or one that
    was already accepted (refused, nothing changes)."""
    with transaction.atomic():
        agreement = _open_for_editing(agreement, actor)
        project = agreement.project
        existing = {m.pk: m for m in Milestone.objects.select_for_update().filter(project=project)}
        kept_ids = {row["id"] for row in milestones if row.get("id")}
        if kept_ids - existing.keys():
            raise InvalidInput(_("A milestone was changed by someone else meanwhile. Reload the page."))
        if not milestones:
            raise InvalidInput(_("Plan at least one milestone."))
        removed = [m for pk, m in existing.items() if pk not in kept_ids]
        gated = {t.milestone_id: t for t in Tranche.objects.filter(agreement=agreement, milestone__in=removed)}
        for milestone in removed:
            if milestone.pk in gated:
                raise InvalidInput(
                    _("The milestone “%(milestone)s” cannot be removed: tranche %(order)s is released on it. "
                      "Change the tranche schedule first.") % {"milestone": milestone.title,
                                                                "order": gated[milestone.pk].order})
            if milestone.status == MilestoneStatus.ACCEPTED:
                raise InvalidInput(_("The milestone “%(milestone)s” was accepted and cannot be removed.")
                                   % {"milestone": milestone.title})
        removed_ids = {m.pk for m in removed}
        for row in kpis:
            linked = row.get("milestone")
            if linked is not None and (linked.project_id != project.pk or linked.pk in removed_ids):
                raise InvalidInput(_("The indicator “%(kpi)s” is tied to a milestone you are removing or that is "
                                     "not part of this project.") % {"kpi": row["name"]})
        for row in milestones:
            if not (row.get("title") or "").strip() or row.get("due_date") is None:
                raise InvalidInput(_("Each milestone needs a title and a due date."))
        for row in kpis:
            if not (row.get("name") or "").strip() or row.get("target") is None:
                raise InvalidInput(_("Each indicator needs a name and a target."))
        existing_kpis = {k.pk: k for k in Kpi.objects.select_for_update().filter(project=project)}
        kept_kpis = {row["id"] for row in kpis if row.get("id")}
        if kept_kpis - existing_kpis.keys():
            raise InvalidInput(_("An indicator was changed by someone else meanwhile. Reload the page."))

        Kpi.objects.filter(pk__in=existing_kpis.keys() - kept_kpis).delete()
        Milestone.objects.filter(pk__in=removed_ids).delete()
        for row in milestones:
            values = {"title": row["title"].strip(), "description": (row.get("description") or "").strip(),
                      "due_date": row["due_date"]}
            if row.get("id"):
                Milestone.objects.filter(pk=row["id"]).update(**values)
            else:
                Milestone.objects.create(project=project, **values)
        for row in kpis:
            values = {"name": row["name"].strip(), "unit": (row.get("unit") or "").strip(), "target": row["target"],
                      "due_date": row.get("due_date"), "milestone": row.get("milestone")}
            if row.get("id"):
                Kpi.objects.filter(pk=row["id"]).update(**values)
            else:
                Kpi.objects.create(project=project, **values)
        record_audit(action="agreement.milestones_saved", proposal=project.proposal, actor=actor,
                     data={"agreement": agreement.pk, "milestones": len(milestones), "kpis": len(kpis),
                           "removed_milestones": sorted(removed_ids),
                           "removed_kpis": sorted(existing_kpis.keys() - kept_kpis)})
    return agreement


def save_budget(*, agreement: Agreement, actor, lines: list[dict]) -> Agreement:
    """The budget by category: rows {"category", "amount", "note"}, one per category. Lines of
    zero without a note are left out. The total must equal the agreement's amount."""
    _check_manager(actor)
    categories = [row["category"] for row in lines]
    if len(set(categories)) != len(categories) or not set(categories) <= set(BudgetCategory.values):
        raise InvalidInput(_("Give each budget category at most one line."))
    total = Decimal("0")
    for row in lines:
        amount = row.get("amount") or Decimal("0")
        if amount < 0:
            raise InvalidInput(_("A budget amount cannot be negative."))
        total += amount
    with transaction.atomic():
        agreement = _open_for_editing(agreement, actor)
        if total != agreement.amount:
            raise InvalidInput(_("The budget adds up to %(budget)s but the amount is %(amount)s; they must be equal.")
                               % {"budget": money(total), "amount": money(agreement.amount)})
        before = {line.category: str(line.amount) for line in BudgetLine.objects.filter(agreement=agreement)}
        BudgetLine.objects.filter(agreement=agreement).delete()
        kept = [BudgetLine(agreement=agreement, category=row["category"], amount=row.get("amount") or Decimal("0"),
                           note=(row.get("note") or "").strip())
                for row in lines if (row.get("amount") or Decimal("0")) > 0 or (row.get("note") or "").strip()]
        BudgetLine.objects.bulk_create(kept)
        record_audit(action="agreement.budget_saved", proposal=agreement.project.proposal, actor=actor,
                     data={"agreement": agreement.pk, "before": before,
                           "after": {line.category: str(line.amount) for line in kept}})
    return agreement


def save_tranches(*, agreement: Agreement, actor, rows: list[dict]) -> Agreement:
    """The tranche schedule: rows {"percent", "gate", "milestone"} in payment order. Percentages
    must sum to exactly 100; amounts are split by `split_amount` (the last takes the cent
    remainder). At most one tranche waits for final acceptance; a milestone gate names a
    milestone of this project (other gates ignore the milestone)."""
    _check_manager(actor)
    if not rows:
        raise InvalidInput(_("Plan at least one tranche."))
    for row in rows:
        percent = row.get("percent")
        if percent is None or not Decimal("0") < percent <= HUNDRED:
            raise InvalidInput(_("Each tranche is a share between 0 and 100 %."))
        if row.get("gate") not in TrancheGate.values:
            raise InvalidInput(_("Choose when each tranche is released."))
    total = sum((row["percent"] for row in rows), Decimal("0"))
    if total != HUNDRED:
        raise InvalidInput(_("The tranche percentages add up to %(total)s %%; they must sum to exactly 100 %%.")
                           % {"total": f"{total.normalize():f}"})
    if sum(1 for row in rows if row["gate"] == TrancheGate.ACCEPTANCE) > 1:
        raise InvalidInput(_("Only one tranche can be retained until final acceptance."))
    with transaction.atomic():
        agreement = _open_for_editing(agreement, actor)
        for order, row in enumerate(rows, start=1):
            milestone = row.get("milestone")
            if row["gate"] == TrancheGate.MILESTONE and (milestone is None or milestone.project_id != agreement.project_id):
                raise InvalidInput(_("Tranche %(order)s is released on a milestone; choose which one.") % {"order": order})
        current = list(Tranche.objects.select_for_update().filter(agreement=agreement))
        if any(t.status != TrancheStatus.PLANNED or t.ledger_entry_id for t in current):
            raise IllegalTransition(_("Money has already moved on this schedule; it can no longer change."))
        before = [(str(t.percent), t.gate, t.milestone_id) for t in sorted(current, key=lambda t: t.order)]
        Tranche.objects.filter(agreement=agreement).delete()
        amounts = split_amount(agreement.amount, [row["percent"] for row in rows])
        created = Tranche.objects.bulk_create([
            Tranche(agreement=agreement, order=order, percent=row["percent"], amount=amount, gate=row["gate"],
                    milestone=row.get("milestone") if row["gate"] == TrancheGate.MILESTONE else None)
            for order, (row, amount) in enumerate(zip(rows, amounts), start=1)
        ])
        record_audit(action="agreement.tranches_saved", proposal=agreement.project.proposal, actor=actor,
                     data={"agreement": agreement.pk, "before": before,
                           "after": [(str(t.percent), t.gate, t.milestone_id, str(t.amount)) for t in created]})
    return agreement


# ---------------------------------------------------------------------------------------------
# Milestones and KPIs during incubation (incubation manager)

def accept_milestone(*, milestone: Milestone, actor, note: str = "", deliverables_confirmed: bool = False) -> Milestone:
    """Accept a milestone's deliverables: from done, or straight from in progress when the manager
    confirms the deliverables. Only accepted milestones meet a milestone gate."""
    _check_manager(actor)
    with transaction.atomic():
        milestone = Milestone.objects.select_for_update().select_related("project__proposal").get(pk=milestone.pk)
        project = milestone.project
        if not project.is_open:
            raise IllegalTransition(_("The project is closed."))
        if milestone.status == MilestoneStatus.ACCEPTED:
            raise IllegalTransition(_("This milestone was already accepted."))
        if milestone.status == MilestoneStatus.IN_PROGRESS and not deliverables_confirmed:
            raise InvalidInput(_("The milestone is still in progress: confirm that you checked its deliverables."))
        if milestone.status not in (MilestoneStatus.DONE, MilestoneStatus.IN_PROGRESS):
            raise IllegalTransition(_("Only a milestone that is done or in progress can be accepted."))
        transition_milestone(milestone=milestone, transition="accept", actor=actor, action="milestone.accepted",
                             note=note.strip(), transition_kwargs={"by": actor},
                             data={"milestone": milestone.pk, "title": milestone.title,
                                   "deliverables_confirmed": bool(deliverables_confirmed)})
    return milestone


def record_kpi_actuals(*, project, actor, actuals: dict) -> list[Kpi]:
    """Record the actual values reached ({kpi pk: Decimal or None}); only changed values are written."""
    _check_manager(actor)
    if not project.is_open:
        raise IllegalTransition(_("The project is closed."))
    with transaction.atomic():
        kpis = list(Kpi.objects.select_for_update().filter(project=project, pk__in=list(actuals)))
        if len(kpis) != len(actuals):
            raise InvalidInput(_("An indicator was changed by someone else meanwhile. Reload the page."))
        changes = {}
        for kpi in kpis:
            value = None if actuals[kpi.pk] is None else Decimal(actuals[kpi.pk]).quantize(Decimal("0.01"))
            if value != kpi.actual:
                changes[kpi.pk] = [None if kpi.actual is None else str(kpi.actual), None if value is None else str(value)]
                kpi.actual = value
                kpi.save(update_fields=["actual"])
        if changes:
            record_audit(action="kpi.actuals_recorded", proposal=project.proposal, actor=actor, data={"changes": changes})
    return kpis


# ---------------------------------------------------------------------------------------------
# Reads for the agreement page, the card and the disbursement queue
