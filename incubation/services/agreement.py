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

from forms.enums import FileType
from forms.uploads import MB, validate_upload
from funding.enums import DeadlineAction, Instrument
from incubation.enums import AgreementStatus, TrancheGate
from incubation.models import Agreement, BudgetLine, Milestone, Tranche
from incubation.signals import agreement_issued
from proposals.exceptions import IllegalTransition, InvalidInput, NotPermitted
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
    from accounts.rules import is_incubation_manager

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
        old = agreement.status
        agreement.status = AgreementStatus.ISSUED
        agreement.issued_at = timezone.now()
        agreement.issued_by = actor
        agreement.save()
        record_audit(action="agreement.issued", proposal=agreement.project.proposal, actor=actor, from_state=old,
                     to_state=agreement.status, data={"agreement": agreement.pk})
        agreement_issued.send(sender=Agreement, agreement=agreement, actor=actor)
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
        old = agreement.status
        agreement.status = AgreementStatus.SIGNED
        agreement.save()
        record_audit(action="agreement.signed", proposal=agreement.project.proposal, actor=actor, from_state=old,
                     to_state=agreement.status, data={"agreement": agreement.pk, "sha256": digest,
                                                      "signed_on": signed_on.isoformat()})
    return agreement
