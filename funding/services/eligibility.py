"""Funding eligibility rules per call: evaluation, and the two writes around it.

A call holds at most one rule of each kind (`EligibilityRule`); the fund manager records what
was verified about the applicant's company and budget (`EligibilityFacts`, one row per proposal).
`evaluate()` checks each rule against the facts on the decision day:

- company age ≤ N years, measured from `company_founded_on`; no company yet passes ("no company yet");
- founders' paid-in cash ≥ N % of the project budget (paid-in / budget × 100);
- a company must exist: fails when no company has been founded.

A rule whose facts are missing is *unknown*; a rule that does not apply to the chosen instrument
is *not applicable*. `approve_funding` refuses when an applicable rule fails or is unknown.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext as _, gettext_lazy

from core.errors import InvalidInput, NotPermitted
from core.numbers import plain
from funding.enums import FACTS_STATES, THRESHOLD_KINDS, EligibilityKind, Instrument
from funding.models import EligibilityFacts, EligibilityRule
from funding.selectors import facts_of, rules_of
from funding.services.deciders import check_may_decide
from proposals.services.audit import record_audit

HUNDRED = Decimal("100")
CENT = Decimal("0.01")
DAYS_PER_YEAR = Decimal("365.25")


class Result(models.TextChoices):
    PASSED = "passed", gettext_lazy("Met")
    FAILED = "failed", gettext_lazy("Not met")
    UNKNOWN = "unknown", gettext_lazy("Cannot be checked yet")
    NOT_APPLICABLE = "not_applicable", gettext_lazy("Not applicable")


SYMBOLS = {Result.PASSED: "✓", Result.FAILED: "✗", Result.UNKNOWN: "?", Result.NOT_APPLICABLE: "–"}


@dataclass(frozen=True)
class RuleResult:
    rule: EligibilityRule
    result: str
    explanation: str

    @property
    def passed(self) -> bool:
        return self.result == Result.PASSED

    @property
    def blocks(self) -> bool:
        """An applicable rule that fails or cannot be checked blocks the approval."""
        return self.result in (Result.FAILED, Result.UNKNOWN)

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.result]

    @property
    def label(self) -> str:
        return Result(self.result).label

    @property
    def description(self) -> str:
        return describe(self.rule)

    @property
    def instruments(self) -> str:
        return instruments_text(self.rule)


# describing rules (the call page, the rules editor, the funding page)

def describe(rule: EligibilityRule) -> str:
    """The rule in words, with its threshold."""
    if rule.kind == EligibilityKind.COMPANY_AGE_MAX_YEARS:
        return _("The company was founded at most %(years)s years before the funding decision.") % {
            "years": plain(rule.threshold)}
    if rule.kind == EligibilityKind.FOUNDERS_PAID_IN_MIN_PCT:
        return _("The founders' paid-in cash is at least %(pct)s %% of the total project budget.") % {
            "pct": plain(rule.threshold)}
    if rule.kind == EligibilityKind.COMPANY_REQUIRED:
        return _("A company has already been founded.")
    return rule.get_kind_display()


def instruments_text(rule: EligibilityRule) -> str:
    if not rule.instruments:
        return _("every instrument")
    labels = dict(Instrument.choices)
    return _(", ").join(str(labels[value]) for value in rule.instruments if value in labels)  # Chinese: 、


def described_rules(call) -> list[dict]:
    """The call's rules in words, for the call page and the rules editor."""
    return [{"rule": rule, "description": describe(rule), "instruments": instruments_text(rule)}
            for rule in rules_of(call)]


# evaluation

def _years_before(day: dt.date, years: Decimal) -> dt.date:
    """The day `years` (possibly fractional) before `day`: whole years by the calendar, the rest in days."""
    whole = int(years)
    try:
        earlier = day.replace(year=day.year - whole)
    except ValueError:  # 29 February in a year that has none
        earlier = day.replace(year=day.year - whole, day=28)
    return earlier - dt.timedelta(days=int(((years - whole) * DAYS_PER_YEAR).to_integral_value(ROUND_HALF_UP)))


def company_age_years(founded_on: dt.date, on: dt.date) -> Decimal:
    """The age in years with one decimal, for display (the check itself uses the calendar)."""
    days = max((on - founded_on).days, 0)
    return (Decimal(days) / DAYS_PER_YEAR).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def paid_in_pct(facts: EligibilityFacts) -> Decimal:
    return (facts.founders_paid_in / facts.project_budget * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def _company_age(rule, facts, on):
    if facts is None:
        return Result.UNKNOWN, _("The company's founding date has not been recorded yet.")
    if facts.company_founded_on is None:
        return Result.PASSED, _("No company yet; the age limit of %(limit)s years is met.") % {
            "limit": plain(rule.threshold)}
    age = company_age_years(facts.company_founded_on, on)
    values = {"age": f"{age:.1f}", "limit": plain(rule.threshold)}
    if facts.company_founded_on >= _years_before(on, rule.threshold):
        return Result.PASSED, _("Company founded %(age)s years ago; at most %(limit)s years allowed.") % values
    return Result.FAILED, _("Company founded %(age)s years ago; more than the %(limit)s years allowed.") % values


def _paid_in(rule, facts):
    if facts is None or facts.project_budget is None or facts.founders_paid_in is None:
        return Result.UNKNOWN, _("The project budget and the founders' paid-in cash have not been recorded yet.")
    if facts.project_budget <= 0:
        return Result.UNKNOWN, _("The recorded project budget is not positive.")
    values = {"pct": f"{paid_in_pct(facts):.2f}", "limit": plain(rule.threshold)}
    # exact comparison, not on the rounded percentage
    passed = facts.founders_paid_in * HUNDRED >= rule.threshold * facts.project_budget
    text = _("Founders' paid-in %(pct)s %% of the budget; at least %(limit)s %% required.") % values
    return (Result.PASSED if passed else Result.FAILED), text


def _company_required(facts):
    if facts is None:
        return Result.UNKNOWN, _("Whether a company exists has not been recorded yet.")
    if facts.company_founded_on is None:
        return Result.FAILED, _("No company has been founded yet.")
    return Result.PASSED, _("Company %(name)s founded on %(date)s.") % {
        "name": facts.company_name, "date": f"{facts.company_founded_on:%Y-%m-%d}"}


def evaluate(proposal, instrument=None, *, on: dt.date | None = None) -> list["RuleResult"]:
    """Each of the call's rules checked against the proposal's facts on the decision day `on`
    (today by default). With an instrument, rules that do not apply to it are not applicable."""
    on = on or timezone.localdate()
    facts = facts_of(proposal)
    results = []
    for rule in rules_of(proposal.call_id):
        if instrument and not rule.applies_to(instrument):
            results.append(RuleResult(rule, Result.NOT_APPLICABLE,
                                      _("Does not apply to “%(instrument)s”.") % {"instrument": Instrument(instrument).label}))
            continue
        if rule.kind == EligibilityKind.COMPANY_AGE_MAX_YEARS:
            result, text = _company_age(rule, facts, on)
        elif rule.kind == EligibilityKind.FOUNDERS_PAID_IN_MIN_PCT:
            result, text = _paid_in(rule, facts)
        else:
            result, text = _company_required(facts)
        results.append(RuleResult(rule, result, text))
    return results


def decision_eligibility(*, proposal, instrument=None, pending=None) -> dict:
    """The call's eligibility rules checked for the instrument being decided on (the one typed in
    the form, else the pending approval's; none chosen yet: every rule is checked)."""
    if instrument not in Instrument.values:
        instrument = pending.instrument if pending else None
    results = evaluate(proposal, instrument)
    return {"eligibility": results, "eligibility_instrument": Instrument(instrument).label if instrument else "",
            "eligibility_blocks": any(r.blocks for r in results)}


def check_eligible(*, proposal, instrument) -> None:
    """Raise InvalidInput listing the applicable rules that fail or cannot be checked."""
    blocking = [r for r in evaluate(proposal, instrument) if r.blocks]
    if blocking:
        raise InvalidInput(
            _("Funding as “%(instrument)s” cannot be approved; the call's eligibility rules are not met: %(rules)s")
            % {"instrument": Instrument(instrument).label,
               # each explanation is a sentence of its own; Chinese joins sentences without a space
               "rules": ("" if (get_language() or "").startswith("zh") else " ").join(r.explanation for r in blocking)})


# writes

def replace_eligibility_rules(*, call, rules: list[dict], actor) -> list[EligibilityRule]:
    """Replace the call's rules by `rules` (dicts with kind, threshold, instruments), in order. Audited."""
    if not actor.has_perm("funding.manage_eligibility"):
        raise NotPermitted()
    kinds = [r["kind"] for r in rules]
    if len(kinds) != len(set(kinds)):
        raise InvalidInput(_("Each rule may appear only once per call."))
    with transaction.atomic():
        before = [_rule_data(rule) for rule in rules_of(call)]
        EligibilityRule.objects.filter(call=call).delete()
        created = [
            EligibilityRule.objects.create(call=call, kind=r["kind"], order=index,
                                           threshold=r.get("threshold") if r["kind"] in THRESHOLD_KINDS else None,
                                           instruments=list(r.get("instruments") or []))
            for index, r in enumerate(rules)
        ]
        record_audit(action="funding.eligibility_rules_changed", actor=actor,
                     data={"call": call.pk, "before": before, "after": [_rule_data(rule) for rule in created]})
    return created


def _rule_data(rule):
    return {"kind": rule.kind, "threshold": None if rule.threshold is None else str(rule.threshold),
            "instruments": list(rule.instruments or [])}


def _facts_data(facts):
    if facts is None:
        return None
    return {"company_name": facts.company_name,
            "company_founded_on": facts.company_founded_on.isoformat() if facts.company_founded_on else None,
            "project_budget": None if facts.project_budget is None else str(facts.project_budget),
            "founders_paid_in": None if facts.founders_paid_in is None else str(facts.founders_paid_in)}


def record_eligibility_facts(*, proposal, actor, company_name: str = "", company_founded_on: dt.date | None = None,
                             project_budget: Decimal | None = None,
                             founders_paid_in: Decimal | None = None) -> EligibilityFacts:
    """The fund manager records what was verified about the company and the budget. Audited
    ("funding.eligibility_recorded") with the values before and after."""
    if not actor.has_perm("funding.record_eligibility"):
        raise NotPermitted()
    check_may_decide(proposal=proposal, user=actor)
    if proposal.status not in FACTS_STATES:
        raise InvalidInput(_("Eligibility facts can only be recorded before the funding decision is taken."))
    company_name = (company_name or "").strip()
    if company_name and company_founded_on is None:
        raise InvalidInput(_("Enter the date the company was founded."))
    if company_founded_on is not None and not company_name:
        raise InvalidInput(_("Enter the company's name."))
    if company_founded_on is not None and company_founded_on > timezone.localdate():
        raise InvalidInput(_("The founding date cannot be in the future."))
    if project_budget is not None and project_budget <= 0:
        raise InvalidInput(_("The project budget must be positive."))
    if founders_paid_in is not None and founders_paid_in < 0:
        raise InvalidInput(_("The founders' paid-in cash cannot be negative."))
    values = {"company_name": company_name, "company_founded_on": company_founded_on,
              "project_budget": project_budget, "founders_paid_in": founders_paid_in,
              "recorded_by": actor, "recorded_at": timezone.now()}
    with transaction.atomic():
        before = EligibilityFacts.objects.select_for_update().filter(proposal=proposal).first()
        before_data = _facts_data(before)
        facts, _created = EligibilityFacts.objects.update_or_create(proposal=proposal, defaults=values)
        record_audit(action="funding.eligibility_recorded", proposal=proposal, actor=actor,
                     data={"before": before_data, "after": _facts_data(facts)})
    return facts
