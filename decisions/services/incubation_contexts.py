"""Template contexts of the incubation documents (issue #4 item 10): the funding agreement
(任务书), the tranche release notice (拨付通知), the acceptance certificate (验收证书) and the
conversion notice (转股通知). Each is built from the stored rows, never "today": every date
printed comes from the record, so the same rows give the same PDF. Issued by
`decisions.services.incubation_documents`.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.mail import absolute_url
from core.i18n import localized
from core.numbers import plain
from decisions.services.letters import format_amount
from funding.enums import DeadlineAction, FundingOutcome, Instrument
from funding.models import FundingDecision
from incubation.enums import AcceptanceOutcome, MidtermOutcome, TrancheGate, TrancheStatus
from incubation.models import (
    Acceptance,
    Agreement,
    BudgetLine,
    Company,
    Kpi,
    MidtermCheck,
    Milestone,
    Project,
    Settlement,
    Tranche,
)
from incubation.services.conversion import conversion_stake
from proposals.models import AuditEntry, Proposal

HUNDRED = Decimal("100")
DASH = "—"


# -- small formatting helpers (call inside translation.override) ------------------------------

def _tz(project: Project) -> ZoneInfo:
    return ZoneInfo(project.proposal.call.time_zone)


def _local_date(moment: dt.datetime | None, project: Project) -> dt.date | None:
    return None if moment is None else timezone.localtime(moment, _tz(project)).date()


def _local_datetime(moment: dt.datetime | None, project: Project) -> str:
    if moment is None:
        return DASH
    return formats.date_format(timezone.localtime(moment, _tz(project)), "DATETIME_FORMAT")


def _pct(value: Decimal | None) -> str:
    return DASH if value is None else f"{plain(value)} %"


def _money(amount: Decimal | None, currency: str, language: str) -> str:
    return DASH if amount is None else format_amount(amount=amount, currency=currency, language=language)


def _grouped(value: Decimal) -> str:
    """1000000.00 → '1,000,000'; 1234.50 → '1,234.5'."""
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _figure(value: Decimal | None) -> str:
    return DASH if value is None else plain(value)


def _fund(proposal: Proposal):
    decision = (FundingDecision.objects.filter(proposal=proposal, outcome=FundingOutcome.APPROVED)
                .select_related("fund").order_by("-decided_at", "-pk").first())
    return decision.fund if decision is not None else proposal.call.fund


def _reference(proposal: Proposal) -> str:
    return proposal.reference or f"P{proposal.pk}"


def _base_context(*, project: Project, language: str, document_reference: str) -> dict:
    proposal = project.proposal
    fund = _fund(proposal)
    try:
        company_name = project.company.name
    except Company.DoesNotExist:
        company_name = ""
    return {
        "issuer": localized(fund, "name", language) if fund else "pocflow",
        "document_reference": document_reference,
        "reference": proposal.reference or "",
        "title": proposal.title,
        "call_title": localized(proposal.call, "title", language),
        "applicant_name": proposal.applicant.display_name,
        "institution": proposal.institution,
        "company_name": company_name,
        "verify_url": absolute_url(reverse("decisions:verify")),
    }


def gate_in_words(tranche: Tranche) -> str:
    """The tranche's gate as the agreement states it, e.g. 'after the mid-term check is passed'."""
    if tranche.gate == TrancheGate.SIGNATURE:
        return _("On signature of this agreement")
    if tranche.gate == TrancheGate.MILESTONE:
        title = tranche.milestone.title if tranche.milestone_id else DASH
        return _("When the milestone “%(milestone)s” is accepted") % {"milestone": title}
    if tranche.gate == TrancheGate.MIDTERM:
        return _("After the mid-term check (中期检查) is passed")
    if tranche.gate == TrancheGate.ACCEPTANCE:
        return _("After final acceptance (验收) is passed")
    return tranche.gate


# -- 1. the funding agreement (任务书) -----------------------------------------------------------

def _investment_terms(agreement: Agreement, language: str) -> list[tuple[str, str]]:
    money = functools.partial(_money, currency=agreement.currency, language=language)
    if agreement.instrument == Instrument.INVEST_FIRST:
        terms = [
            (_("Conversion trigger"), _("The company's first market financing round, priced by outside investors.")),
            (_("Conversion price"), _("The pre-money valuation of that round, with a concession of %(concession)s to "
                                      "the team.") % {"concession": _pct(agreement.concession_pct)}),
            (_("Conversion deadline"), formats.date_format(agreement.conversion_deadline, "DATE_FORMAT")
             if agreement.conversion_deadline else DASH),
        ]
        if agreement.deadline_action == DeadlineAction.WRITE_OFF:
            at_deadline = _("Money not converted by the deadline is written off (核销).")
        elif agreement.deadline_action == DeadlineAction.BUY_BACK:
            at_deadline = _("Money not converted by the deadline is bought back by the team at cost plus simple "
                            "interest of %(rate)s a year from the date of signature.") % {
                "rate": _pct(agreement.buyback_rate_pct)}
        else:
            at_deadline = DASH
        terms.append((_("At the deadline"), at_deadline))
        if agreement.buyback_terms:
            terms.append((_("Buy-back terms"), agreement.buyback_terms))
        return terms
    if agreement.instrument == Instrument.EQUITY:
        return [
            (_("Pre-money valuation"), money(agreement.pre_money_valuation)),
            (_("Amount invested"), money(agreement.amount)),
            (_("Resulting stake"), _pct(agreement.stake_pct)),
            (_("How the stake is computed"), _("Amount invested ÷ (pre-money valuation + amount invested) × 100.")),
        ]
    return [(_("Terms"), _("A grant (无偿资助): no equity is taken and nothing is repaid if the agreement is kept."))]


def agreement_issue_number(agreement: Agreement) -> int:
    """Which issue of the agreement this is (1 for the first): a re-issued agreement is a new
    document even when nothing else in it changed."""
    earlier = AuditEntry.objects.filter(proposal_id=agreement.project.proposal_id, action="agreement.issued",
                                        data__agreement=agreement.pk, created_at__lt=agreement.issued_at).count()
    return earlier + 1


def agreement_context(agreement: Agreement, language: str) -> dict:
    project = agreement.project
    proposal = project.proposal
    currency = agreement.currency
    money = functools.partial(_money, currency=currency, language=language)
    budget = list(BudgetLine.objects.filter(agreement=agreement).order_by("category"))
    tranches = list(Tranche.objects.filter(agreement=agreement).select_related("milestone").order_by("order"))
    milestones = list(Milestone.objects.filter(project=project).order_by("due_date", "pk"))
    kpis = list(Kpi.objects.filter(project=project).select_related("milestone").order_by("due_date", "pk"))
    return {
        **_base_context(project=project, language=language, document_reference=f"{_reference(proposal)}-AGR"),
        "issued_on": _local_date(agreement.issued_at, project),
        "issue_number": agreement_issue_number(agreement),
        "instrument": agreement.get_instrument_display(),
        "amount": money(agreement.amount),
        "starts_on": agreement.starts_on,
        "ends_on": agreement.ends_on,
        "terms": _investment_terms(agreement, language),
        "milestones": [{"title": m.title, "deliverables": m.description, "due_date": m.due_date} for m in milestones],
        "kpis": [{"name": k.name, "target": _figure(k.target), "unit": k.unit, "due_date": k.due_date,
                  "milestone": k.milestone.title if k.milestone_id else ""} for k in kpis],
        "budget": [{"category": line.get_category_display(), "amount": money(line.amount), "note": line.note}
                   for line in budget],
        "budget_total": money(sum((line.amount for line in budget), Decimal("0"))),
        "tranches": [{"order": t.order, "percent": _pct(t.percent), "amount": money(t.amount),
                      "gate": gate_in_words(t)} for t in tranches],
        "tranche_percent_total": _pct(sum((t.percent for t in tranches), Decimal("0"))),
        "tranche_amount_total": money(sum((t.amount for t in tranches), Decimal("0"))),
    }


# -- 2. the tranche release notice (拨付通知) -----------------------------------------------------

def _gate_met_on(tranche: Tranche) -> dt.date | None:
    """When the tranche's gate was met, if the records say so (as of the release)."""
    agreement, project = tranche.agreement, tranche.agreement.project
    released = tranche.released_at or timezone.now()
    if tranche.gate == TrancheGate.SIGNATURE:
        return agreement.signed_on
    if tranche.gate == TrancheGate.MILESTONE:
        return _local_date(tranche.milestone.accepted_at, project) if tranche.milestone_id else None
    if tranche.gate == TrancheGate.MIDTERM:
        check = (MidtermCheck.objects.filter(project=project, decided_at__lte=released,
                                             outcome__in=[MidtermOutcome.CONTINUE, MidtermOutcome.ADJUST])
                 .order_by("-decided_at", "-pk").first())
        return _local_date(check.decided_at, project) if check else None
    if tranche.gate == TrancheGate.ACCEPTANCE:
        passed = (Acceptance.objects.filter(project=project, decided_at__lte=released, outcome=AcceptanceOutcome.PASS)
                  .order_by("-round", "-pk").first())
        return _local_date(passed.decided_at, project) if passed else None
    return None


def tranche_context(tranche: Tranche, language: str) -> dict:
    agreement = tranche.agreement
    project = agreement.project
    proposal = project.proposal
    money = functools.partial(_money, currency=agreement.currency, language=language)
    schedule = list(Tranche.objects.filter(agreement=agreement).order_by("order"))
    released_at = tranche.released_at
    # the running totals as of this release, so a copy generated later shows the same figures
    paid = sum((t.amount for t in schedule if t.status == TrancheStatus.RELEASED and t.released_at is not None
                and (t.released_at, t.order) <= (released_at, tranche.order)), Decimal("0"))
    cancelled = sum((t.amount for t in schedule if t.status == TrancheStatus.CANCELLED and t.cancelled_at is not None
                     and t.cancelled_at <= released_at), Decimal("0"))
    return {
        **_base_context(project=project, language=language,
                        document_reference=f"{_reference(proposal)}-T{tranche.order}"),
        "issued_on": _local_date(released_at, project),
        "instrument": agreement.get_instrument_display(),
        "agreement_amount": money(agreement.amount),
        "number": tranche.order,
        "count": len(schedule),
        "percent": _pct(tranche.percent),
        "amount": money(tranche.amount),
        "gate": gate_in_words(tranche),
        "gate_met_on": _gate_met_on(tranche),
        "payment_reference": tranche.payment_reference or DASH,
        "released_at": _local_datetime(released_at, project),
        "paid_to_date": money(paid),
        "still_to_pay": money(agreement.amount - paid - cancelled),
        "returned": money(cancelled) if cancelled else "",
    }


# -- 3. the acceptance certificate (验收证书) -----------------------------------------------------

def acceptance_context(acceptance: Acceptance, language: str) -> dict:
    project = acceptance.project
    proposal = project.proposal
    agreement = Agreement.objects.filter(project=project).first()
    after_rectification = Acceptance.objects.filter(
        project=project, outcome=AcceptanceOutcome.RECTIFY).filter(
        Q(round__lt=acceptance.round) | Q(round=acceptance.round, pk__lt=acceptance.pk)).exists()
    kpis = list(Kpi.objects.filter(project=project).order_by("due_date", "pk"))
    return {
        **_base_context(project=project, language=language,
                        document_reference=f"{_reference(proposal)}-ACC{acceptance.round}"),
        "issued_on": _local_date(acceptance.decided_at, project),
        "starts_on": agreement.starts_on if agreement else _local_date(project.started_at, project),
        "ends_on": project.ends_on or (agreement.ends_on if agreement else None),
        "instrument": agreement.get_instrument_display() if agreement else "",
        "amount": _money(agreement.amount, agreement.currency, language) if agreement else "",
        "round": acceptance.round,
        "outcome": _("Passed after rectification (整改后通过)") if after_rectification else _("Passed (通过)"),
        "findings": acceptance.findings,
        "kpis": [{"name": k.name, "unit": k.unit, "target": _figure(k.target), "actual": _figure(k.actual),
                  "met": _("Met") if k.met else _("Not met")} for k in kpis],
        "decided_on": _local_date(acceptance.decided_at, project),
        "decided_by": acceptance.decided_by.display_name,
    }


# -- 4. the conversion notice (转股通知) ----------------------------------------------------------

def conversion_context(settlement: Settlement, language: str) -> dict:
    project = settlement.project
    proposal = project.proposal
    agreement = Agreement.objects.filter(project=project).first()
    currency = agreement.currency if agreement else "CNY"
    money = functools.partial(_money, currency=currency, language=language)
    financing = settlement.financing_round
    pre_money = settlement.pre_money_valuation
    if pre_money is None and financing is not None:
        pre_money = financing.pre_money_valuation
    round_amount = settlement.round_amount if settlement.round_amount is not None else (
        financing.amount if financing is not None else None)
    formula, explained = "", False
    if pre_money is not None and round_amount is not None and settlement.stake_pct is not None:
        # the formula of incubation.services.conversion; a stake computed otherwise is printed without it
        explained = conversion_stake(converted=settlement.amount, pre_money=pre_money, round_amount=round_amount,
                                     concession_pct=settlement.concession_pct) == settlement.stake_pct
        if explained:
            formula = _(
                "Stake = amount converted ÷ (the round's pre-money valuation + the amount raised in the round + the "
                "amount converted) × (1 - concession) × 100 = %(converted)s ÷ (%(pre)s + %(raised)s + %(converted)s) "
                "× (1 - %(concession)s) × 100 = %(stake)s.") % {
                "converted": _grouped(settlement.amount), "pre": _grouped(pre_money),
                "raised": _grouped(round_amount),
                "concession": _pct(settlement.concession_pct), "stake": _pct(settlement.stake_pct)}
    return {
        **_base_context(project=project, language=language, document_reference=f"{_reference(proposal)}-CNV"),
        "issued_on": _local_date(settlement.decided_at, project),
        "amount": money(settlement.amount),
        "round_name": financing.name if financing else DASH,
        "round_closed_on": financing.closed_on if financing else None,
        "round_amount": money(round_amount),
        "pre_money": money(pre_money),
        "concession": _pct(settlement.concession_pct),
        "stake": _pct(settlement.stake_pct),
        "formula": formula,
        "method": settlement.method,
        "explained": explained,
        "note": settlement.note,
        "decided_by": settlement.decided_by.display_name,
    }
