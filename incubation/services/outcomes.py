"""Outcomes (转化成果): company, financing rounds, patents, technology contracts, revenue and jobs.

Recorded by the incubation manager or a technology manager assigned to the project
(`incubation.record_outcome`), each audited. Outcomes are recorded on open projects and on
graduated ones (transfer usually happens after acceptance), but not on terminated projects: the
centre stopped following them and their figures no longer count as its results.

Dates of outcomes are facts and cannot lie in the future. Amounts are positive.
- Company: one per project; recording it again corrects it (audited with the previous values).
  The unified social credit code (统一社会信用代码, GB 32100-2015), if given, must be 18 characters
  from 0-9 and A-Y without I, O, S, V, Z, with a valid check character.
- Financing round: a market round may convert 先投后股 money (incubation.services.conversion)
  and accrues technology managers' commission (basis financing), all in the same transaction:
  if the conversion is refused, nothing is saved.
- Patent: the number is unique per project; filed → granted with the grant date.
- Technology contract: the 技术合同登记 registration number is unique; registered on or after
  signing; accrues commission (basis contracts).
- Annual figure: one per year; recording a year again updates it.
"""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import IllegalTransition, InvalidInput, NotPermitted
from funding.enums import CommissionSource
from incubation.enums import ContractKind, PatentKind, PatentStatus, ProjectStatus
from incubation.models import AnnualFigure, Company, FinancingRound, Patent, Project, TechContract
from incubation.services import commissions, conversion
from incubation.services.transitions import transition_patent
from proposals.services.audit import record_audit

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_is_valid(code: str) -> bool:
    """GB 32100-2015: 18 characters of CREDIT_CODE_CHARS, the last one a mod-31 check character."""
    if len(code) != 18 or any(ch not in CREDIT_CODE_CHARS for ch in code):
        return False
    total = sum(CREDIT_CODE_CHARS.index(ch) * w for ch, w in zip(code[:17], CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31] == code[17]


def _lock(project) -> Project:
    """The project row, locked: outcomes of one project (and its conversion) are recorded one at a time."""
    project = Project.objects.select_for_update(of=("self",)).select_related("proposal__call").get(pk=project.pk)
    if project.status == ProjectStatus.TERMINATED:
        raise IllegalTransition(_("The project was terminated; its outcomes are no longer recorded."))
    return project


def _check(project, actor) -> None:
    if not actor.has_perm("incubation.record_outcome", project):
        raise NotPermitted()
    if project.status == ProjectStatus.TERMINATED:
        raise IllegalTransition(_("The project was terminated; its outcomes are no longer recorded."))


def _past(day, label) -> None:
    if day is None:
        raise InvalidInput(_("Enter the date: %(field)s.") % {"field": label})
    if day > timezone.localdate():
        raise InvalidInput(_("%(field)s cannot be in the future.") % {"field": label})


def _positive(amount, label) -> Decimal:
    if amount is None or Decimal(amount) <= 0:
        raise InvalidInput(_("%(field)s must be a positive amount.") % {"field": label})
    return Decimal(amount)


def _text(value, label) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("Enter %(field)s.") % {"field": label})
    return value


def _audit(project, actor, action, data, note=""):
    record_audit(action=action, proposal=project.proposal, actor=actor, note=note, data=data)


def record_company(*, project, actor, name: str, founded_on: dt.date, registered_capital: Decimal,
                   credit_code: str = "") -> Company:
    """Record (or correct) the company founded from the project."""
    _check(project, actor)
    name = _text(name, _("the company name"))
    _past(founded_on, _("The founding date"))
    registered_capital = _positive(registered_capital, _("The registered capital"))
    credit_code = (credit_code or "").strip().upper()
    if credit_code and not credit_code_is_valid(credit_code):
        raise InvalidInput(_("The unified social credit code must be 18 characters (digits and capital letters "
                             "except I, O, S, V, Z) with a valid check character."))
    with transaction.atomic():
        project = _lock(project)
        company = Company.objects.filter(project=project).first()
        before = None
        if company is None:
            company = Company(project=project)
        else:
            before = {"name": company.name, "founded_on": company.founded_on.isoformat(),
                      "registered_capital": str(company.registered_capital), "credit_code": company.credit_code}
        company.name, company.founded_on = name, founded_on
        company.registered_capital, company.credit_code = registered_capital, credit_code
        company.recorded_by, company.recorded_at = actor, timezone.now()
        company.save()
        _audit(project, actor, "outcome.company_updated" if before else "outcome.company_founded",
               {"company": company.pk, "name": name, "founded_on": founded_on.isoformat(),
                "registered_capital": str(registered_capital), "credit_code": credit_code, "before": before})
    return company


def record_financing_round(*, project, actor, name: str, closed_on: dt.date, amount: Decimal, investors: str,
                           pre_money_valuation: Decimal | None = None,
                           is_market_round: bool = True) -> tuple[FinancingRound, object]:
    """Record a financing round. Returns (round, settlement or None): the first market round of
    an unsettled invest-first project converts its paid money (refused → nothing saved)."""
    _check(project, actor)
    name = _text(name, _("the round"))
    _past(closed_on, _("The closing date"))
    amount = _positive(amount, _("The amount raised"))
    investors = _text(investors, _("the investors"))
    if pre_money_valuation is not None:
        pre_money_valuation = _positive(pre_money_valuation, _("The pre-money valuation"))
    with transaction.atomic():
        project = _lock(project)
        converts = conversion.round_would_convert(project=project, is_market_round=is_market_round, closed_on=closed_on)
        if converts:  # refuse before anything is written
            conversion.check_conversion_possible(project=project, pre_money_valuation=pre_money_valuation)
        financing_round = FinancingRound.objects.create(
            project=project, name=name, closed_on=closed_on, amount=amount, investors=investors,
            pre_money_valuation=pre_money_valuation, is_market_round=is_market_round, recorded_by=actor)
        _audit(project, actor, "outcome.financing_round",
               {"round": financing_round.pk, "name": name, "closed_on": closed_on.isoformat(), "amount": str(amount),
                "pre_money_valuation": None if pre_money_valuation is None else str(pre_money_valuation),
                "market": is_market_round, "converts": converts})
        settlement = conversion.convert_at_round(project=project, financing_round=financing_round,
                                                 actor=actor) if converts else None
        commissions.accrue_commissions(project=project, source=CommissionSource.FINANCING, source_id=financing_round.pk,
                                       basis_amount=amount, actor=actor)
    return financing_round, settlement


def record_patent(*, project, actor, title: str, kind: str, number: str, filed_on: dt.date,
                  granted_on: dt.date | None = None) -> Patent:
    """Record a patent application (granted at once if a grant date is given)."""
    _check(project, actor)
    title = _text(title, _("the title"))
    number = _text(number, _("the application number"))
    if kind not in PatentKind.values:
        raise InvalidInput(_("Choose the kind of patent."))
    _past(filed_on, _("The filing date"))
    if granted_on is not None:
        _check_grant(filed_on, granted_on)
    with transaction.atomic():
        project = _lock(project)
        if Patent.objects.filter(project=project, number=number).exists():
            raise InvalidInput(_("The patent %(number)s is already recorded for this project.") % {"number": number})
        patent = Patent.objects.create(project=project, title=title, kind=kind, number=number, filed_on=filed_on,
                                       status=PatentStatus.GRANTED if granted_on else PatentStatus.FILED,
                                       granted_on=granted_on, recorded_by=actor)
        _audit(project, actor, "outcome.patent",
               {"patent": patent.pk, "number": number, "kind": kind, "filed_on": filed_on.isoformat(),
                "granted_on": granted_on.isoformat() if granted_on else None})
    return patent


def _check_grant(filed_on, granted_on):
    _past(granted_on, _("The grant date"))
    if granted_on < filed_on:
        raise InvalidInput(_("A patent cannot be granted before it was filed."))


def grant_patent(*, patent, actor, granted_on: dt.date) -> Patent:
    """A filed patent was granted."""
    _check(patent.project, actor)
    _check_grant(patent.filed_on, granted_on)
    with transaction.atomic():
        patent = Patent.objects.select_for_update(of=("self",)).select_related("project__proposal").get(pk=patent.pk)
        if patent.status == PatentStatus.GRANTED:
            raise IllegalTransition(_("This patent is already recorded as granted."))
        transition_patent(patent=patent, transition="grant", actor=actor, action="outcome.patent_granted",
                          transition_kwargs={"on": granted_on},
                          illegal=_("This patent is already recorded as granted."),
                          data={"patent": patent.pk, "number": patent.number, "granted_on": granted_on.isoformat()})
    return patent


def record_contract(*, project, actor, kind: str, counterparty: str, amount: Decimal, signed_on: dt.date,
                    registration_number: str, registered_on: dt.date) -> TechContract:
    """Record a licence or technology contract registered under 技术合同登记; accrues commission."""
    _check(project, actor)
    if kind not in ContractKind.values:
        raise InvalidInput(_("Choose the kind of contract."))
    counterparty = _text(counterparty, _("the counterparty"))
    amount = _positive(amount, _("The contract amount"))
    registration_number = _text(registration_number, _("the registration number"))
    _past(signed_on, _("The signing date"))
    _past(registered_on, _("The registration date"))
    if registered_on < signed_on:
        raise InvalidInput(_("A contract cannot be registered before it was signed."))
    duplicate = _("The registration number %(number)s is already recorded; each registered contract is recorded once.") % {
        "number": registration_number}
    with transaction.atomic():
        project = _lock(project)
        if TechContract.objects.filter(registration_number=registration_number).exists():
            raise InvalidInput(duplicate)
        try:
            with transaction.atomic():
                contract = TechContract.objects.create(
                    project=project, kind=kind, counterparty=counterparty, amount=amount, signed_on=signed_on,
                    registration_number=registration_number, registered_on=registered_on, recorded_by=actor)
        except IntegrityError as exc:  # recorded for another project at the same moment
            raise InvalidInput(duplicate) from exc
        _audit(project, actor, "outcome.contract",
               {"contract": contract.pk, "kind": kind, "amount": str(amount), "signed_on": signed_on.isoformat(),
                "registration_number": registration_number, "registered_on": registered_on.isoformat()})
        commissions.accrue_commissions(project=project, source=CommissionSource.CONTRACT, source_id=contract.pk,
                                       basis_amount=amount, actor=actor)
    return contract


def record_annual_figure(*, project, actor, year: int, revenue: Decimal, jobs: int) -> AnnualFigure:
    """Revenue and jobs for one year; recording a year again updates it (audited with the old values)."""
    _check(project, actor)
    this_year = timezone.localdate().year
    if year is None or not 2000 <= int(year) <= this_year:
        raise InvalidInput(_("Enter a year between 2000 and %(year)s.") % {"year": this_year})
    if revenue is None or Decimal(revenue) < 0:
        raise InvalidInput(_("Revenue cannot be negative."))
    if jobs is None or int(jobs) < 0:
        raise InvalidInput(_("The number of jobs cannot be negative."))
    with transaction.atomic():
        project = _lock(project)
        figure = AnnualFigure.objects.filter(project=project, year=year).first()
        before = None if figure is None else {"revenue": str(figure.revenue), "jobs": figure.jobs}
        figure = figure or AnnualFigure(project=project, year=year)
        figure.revenue, figure.jobs = Decimal(revenue), int(jobs)
        figure.save()
        _audit(project, actor, "outcome.annual_figure",
               {"figure": figure.pk, "year": int(year), "revenue": str(figure.revenue), "jobs": figure.jobs,
                "before": before})
    return figure
