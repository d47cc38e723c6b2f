"""Eligibility rules per call: evaluation against the recorded facts, and approve_funding refusing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from accounts.enums import Role
from core.errors import InvalidInput, NotPermitted
from funding.enums import EligibilityKind as K, Instrument
from funding.models import EligibilityFacts, EligibilityRule, FundingApproval, FundingDecision, LedgerEntry
from funding.services.eligibility import Result, evaluate, record_eligibility_facts
from proposals.enums import ProposalStatus as S
from proposals.models import AuditEntry
from tests.factories import FundFactory, ProposalFactory, UserFactory
from tests.helpers import World
from workflows import services

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 1)
AMOUNT = Decimal("200000.00")


def rule(call, kind, threshold=None, instruments=()):
    return EligibilityRule.objects.create(call=call, kind=kind, threshold=threshold, instruments=list(instruments))


def facts(proposal, *, founded=None, name="", budget=None, paid_in=None):
    return EligibilityFacts.objects.create(
        proposal=proposal, company_name=name or ("星辰科技有限公司" if founded else ""), company_founded_on=founded,
        project_budget=budget, founders_paid_in=paid_in, recorded_by=UserFactory(role=Role.FUND_MANAGER))


def results(proposal, instrument=None, on=DAY):
    return [(r.rule.kind, r.result, r.explanation) for r in evaluate(proposal, instrument, on=on)]


# evaluation

def test_company_age_within_the_limit_passes_with_the_age_and_the_limit():
    proposal = ProposalFactory()
    rule(proposal.call, K.COMPANY_AGE_MAX_YEARS, Decimal("5"))
    facts(proposal, founded=DAY - dt.timedelta(days=1169))

    with translation.override("en"):
        assert results(proposal) == [(K.COMPANY_AGE_MAX_YEARS, Result.PASSED,
                                      "Company founded 3.2 years ago; at most 5 years allowed.")]
    with translation.override("zh-hans"):  # the numbers go into the translated sentence (公司成立 3.2 年，上限 5 年)
        [(_kind, _result, text)] = results(proposal)
        assert ("3.2" in text, "5" in text) == (True, True)


def test_company_older_than_the_limit_fails():
    proposal = ProposalFactory()
    rule(proposal.call, K.COMPANY_AGE_MAX_YEARS, Decimal("5"))
    facts(proposal, founded=dt.date(2020, 9, 1))

    with translation.override("en"):
        assert results(proposal) == [(K.COMPANY_AGE_MAX_YEARS, Result.FAILED,
                                      "Company founded 5.5 years ago; more than the 5 years allowed.")]


def test_company_exactly_at_the_limit_on_the_decision_day_passes_and_a_day_older_fails():
    proposal = ProposalFactory()
    rule(proposal.call, K.COMPANY_AGE_MAX_YEARS, Decimal("5"))
    facts(proposal, founded=dt.date(2021, 3, 1))

    assert [r.result for r in evaluate(proposal, on=DAY)] == [Result.PASSED]
    assert [r.result for r in evaluate(proposal, on=DAY + dt.timedelta(days=1))] == [Result.FAILED]


def test_a_fractional_age_limit_is_measured_in_days_beyond_the_whole_years():
    proposal = ProposalFactory()
    rule(proposal.call, K.COMPANY_AGE_MAX_YEARS, Decimal("2.5"))
    facts(proposal, founded=dt.date(2023, 9, 15))  # 2 years and 167 days before DAY

    assert [r.result for r in evaluate(proposal, on=DAY)] == [Result.PASSED]
    assert [r.result for r in evaluate(proposal, on=dt.date(2026, 3, 20))] == [Result.FAILED]


def test_no_company_yet_passes_the_age_rule_but_fails_the_company_required_rule():
    proposal = ProposalFactory()
    rule(proposal.call, K.COMPANY_AGE_MAX_YEARS, Decimal("5"))
    rule(proposal.call, K.COMPANY_REQUIRED)
    facts(proposal, founded=None)

    with translation.override("en"):
        assert results(proposal) == [
            (K.COMPANY_AGE_MAX_YEARS, Result.PASSED, "No company yet; the age limit of 5 years is met."),
            (K.COMPANY_REQUIRED, Result.FAILED, "No company has been founded yet."),
        ]


def test_paid_in_below_the_percentage_fails_with_both_numbers():
    proposal = ProposalFactory()
    rule(proposal.call, K.FOUNDERS_PAID_IN_MIN_PCT, Decimal("10"))
    facts(proposal, budget=Decimal("500000.00"), paid_in=Decimal("40000.00"))

    with translation.override("en"):
        assert results(proposal) == [(K.FOUNDERS_PAID_IN_MIN_PCT, Result.FAILED,
                                      "Founders' paid-in 8.00 % of the budget; at least 10 % required.")]


def test_paid_in_exactly_at_the_percentage_passes():
    proposal = ProposalFactory()
    rule(proposal.call, K.FOUNDERS_PAID_IN_MIN_PCT, Decimal("10"))
    facts(proposal, budget=Decimal("333333.33"), paid_in=Decimal("33333.34"))

    assert [r.result for r in evaluate(proposal, on=DAY)] == [Result.PASSED]


def test_missing_facts_make_every_rule_unknown():
    proposal = ProposalFactory()
    rule(proposal.call, K.COMPANY_AGE_MAX_YEARS, Decimal("5"))
    rule(proposal.call, K.FOUNDERS_PAID_IN_MIN_PCT, Decimal("10"))
    rule(proposal.call, K.COMPANY_REQUIRED)

    assert [r.result for r in evaluate(proposal, on=DAY)] == [Result.UNKNOWN] * 3


def test_paid_in_without_a_budget_is_unknown():
    proposal = ProposalFactory()
    rule(proposal.call, K.FOUNDERS_PAID_IN_MIN_PCT, Decimal("10"))
    facts(proposal, paid_in=Decimal("10000.00"))

    assert [r.result for r in evaluate(proposal, on=DAY)] == [Result.UNKNOWN]


def test_a_rule_for_other_instruments_is_not_applicable():
    proposal = ProposalFactory()
    rule(proposal.call, K.COMPANY_REQUIRED, instruments=[Instrument.INVEST_FIRST, Instrument.EQUITY])

    assert [r.result for r in evaluate(proposal, Instrument.GRANT, on=DAY)] == [Result.NOT_APPLICABLE]
    assert [r.result for r in evaluate(proposal, Instrument.EQUITY, on=DAY)] == [Result.UNKNOWN]


# approve_funding refuses

def world_with_rules(*rules):
    world = World()
    for kind, threshold, instruments in rules:
        rule(world.call, kind, threshold, instruments)
    return world


def nothing_changed(proposal):
    proposal.refresh_from_db()
    return (proposal.status, FundingApproval.objects.filter(proposal=proposal).count(),
            FundingDecision.objects.filter(proposal=proposal).count(), LedgerEntry.objects.filter(proposal=proposal).count(),
            AuditEntry.objects.filter(proposal=proposal, action__startswith="funding.").count()) == (S.FUNDING, 0, 0, 0, 0)


def test_approval_is_refused_listing_the_failed_rule_and_nothing_changes():
    world = world_with_rules((K.FOUNDERS_PAID_IN_MIN_PCT, Decimal("10"), ()))
    proposal = world.in_funding()
    facts(proposal, budget=Decimal("500000.00"), paid_in=Decimal("40000.00"))

    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.decide_funding(proposal=proposal, manager=world.fund_manager, approve=True, amount=AMOUNT)

    assert str(refused.value) == (
        "Funding as “Grant (无偿资助)” cannot be approved; the call's eligibility rules are not met: "
        "Founders' paid-in 8.00 % of the budget; at least 10 % required.")
    assert nothing_changed(proposal)


def test_approval_is_refused_while_facts_are_missing():
    world = world_with_rules((K.COMPANY_REQUIRED, None, ()), (K.COMPANY_AGE_MAX_YEARS, Decimal("5"), ()))
    proposal = world.in_funding()

    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.decide_funding(proposal=proposal, manager=world.fund_manager, approve=True, amount=AMOUNT)

    assert str(refused.value) == (
        "Funding as “Grant (无偿资助)” cannot be approved; the call's eligibility rules are not met: "
        "Whether a company exists has not been recorded yet. The company's founding date has not been recorded yet.")
    assert nothing_changed(proposal)


def test_a_rule_for_another_instrument_does_not_block_a_grant():
    world = world_with_rules((K.COMPANY_REQUIRED, None, (Instrument.EQUITY,)))
    proposal = world.in_funding()

    decision = services.decide_funding(proposal=proposal, manager=world.fund_manager, approve=True, amount=AMOUNT)

    proposal.refresh_from_db()
    assert (proposal.status, decision.amount, decision.instrument) == (S.FUNDED, AMOUNT, Instrument.GRANT)


def test_the_same_rule_blocks_the_instrument_it_applies_to():
    fund = FundFactory(instruments=[Instrument.GRANT, Instrument.EQUITY])
    world = world_with_rules((K.COMPANY_REQUIRED, None, (Instrument.EQUITY,)))
    world.call.fund = fund
    world.call.save()
    proposal = world.in_funding()
    facts(proposal, founded=None)

    with pytest.raises(InvalidInput):
        services.decide_funding(proposal=proposal, manager=world.fund_manager, approve=True, amount=AMOUNT,
                                instrument=Instrument.EQUITY)
    assert nothing_changed(proposal)


def test_approval_goes_through_when_every_rule_is_met():
    world = world_with_rules((K.COMPANY_AGE_MAX_YEARS, Decimal("5"), ()), (K.FOUNDERS_PAID_IN_MIN_PCT, Decimal("10"), ()),
                             (K.COMPANY_REQUIRED, None, ()))
    proposal = world.in_funding()
    today = timezone.localdate()
    facts(proposal, founded=today - dt.timedelta(days=400), budget=Decimal("500000.00"), paid_in=Decimal("60000.00"))

    decision = services.decide_funding(proposal=proposal, manager=world.fund_manager, approve=True, amount=AMOUNT)

    proposal.refresh_from_db()
    assert (proposal.status, decision.amount) == (S.FUNDED, AMOUNT)
    assert list(LedgerEntry.objects.filter(proposal=proposal).values_list("amount", flat=True)) == [AMOUNT]


def test_the_second_approver_is_refused_when_the_facts_changed_after_the_first_approval():
    world = world_with_rules((K.FOUNDERS_PAID_IN_MIN_PCT, Decimal("10"), ()))
    world.call.fund.four_eyes_threshold = Decimal("100000.00")
    world.call.fund.save()
    second = UserFactory(role=Role.FUND_MANAGER)
    proposal = world.in_funding()
    record_eligibility_facts(proposal=proposal, actor=world.fund_manager, project_budget=Decimal("500000.00"),
                             founders_paid_in=Decimal("60000.00"))
    first = services.decide_funding(proposal=proposal, manager=world.fund_manager, approve=True, amount=AMOUNT)
    assert isinstance(first, FundingApproval)
    record_eligibility_facts(proposal=proposal, actor=world.fund_manager, project_budget=Decimal("500000.00"),
                             founders_paid_in=Decimal("30000.00"))

    with pytest.raises(InvalidInput):
        services.decide_funding(proposal=proposal, manager=second, approve=True, amount=AMOUNT)

    proposal.refresh_from_db()
    assert (proposal.status, FundingApproval.objects.filter(proposal=proposal).count(),
            LedgerEntry.objects.filter(proposal=proposal).count()) == (S.FUNDING, 1, 0)


# recording the facts

def test_recording_facts_is_audited_with_before_and_after():
    world = World()
    proposal = world.in_funding()
    record_eligibility_facts(proposal=proposal, actor=world.fund_manager, project_budget=Decimal("500000.00"),
                             founders_paid_in=Decimal("40000.00"))

    stored = record_eligibility_facts(proposal=proposal, actor=world.fund_manager, company_name="星辰科技有限公司",
                                      company_founded_on=dt.date(2024, 5, 6), project_budget=Decimal("500000.00"),
                                      founders_paid_in=Decimal("60000.00"))

    assert (stored.company_name, stored.company_founded_on, stored.founders_paid_in, stored.recorded_by) == (
        "星辰科技有限公司", dt.date(2024, 5, 6), Decimal("60000.00"), world.fund_manager)
    entries = AuditEntry.objects.filter(proposal=proposal, action="funding.eligibility_recorded").order_by("pk")
    assert [e.data["after"]["founders_paid_in"] for e in entries] == ["40000.00", "60000.00"]
    assert [e.data["before"] and e.data["before"]["founders_paid_in"] for e in entries] == [None, "40000.00"]
    assert entries.last().actor == world.fund_manager


@pytest.mark.parametrize("values, message", [
    ({"company_name": "星辰科技有限公司"}, "Enter the date the company was founded."),
    ({"company_founded_on": dt.date(2024, 1, 1)}, "Enter the company's name."),
    ({"company_name": "未来公司", "company_founded_on": dt.date(2099, 1, 1)}, "The founding date cannot be in the future."),
    ({"project_budget": Decimal("0")}, "The project budget must be positive."),
    ({"founders_paid_in": Decimal("-1")}, "The founders' paid-in cash cannot be negative."),
])
def test_bad_facts_are_refused_and_nothing_is_stored(values, message):
    world = World()
    proposal = world.in_funding()

    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        record_eligibility_facts(proposal=proposal, actor=world.fund_manager, **values)

    assert str(refused.value) == message
    assert (EligibilityFacts.objects.count(),
            AuditEntry.objects.filter(action="funding.eligibility_recorded").count()) == (0, 0)


def test_only_a_fund_manager_without_conflict_records_facts_and_only_before_the_decision():
    world = World()
    proposal = world.in_funding()
    with pytest.raises(NotPermitted):
        record_eligibility_facts(proposal=proposal, actor=world.officer, project_budget=Decimal("1.00"))
    with pytest.raises(NotPermitted):
        record_eligibility_facts(proposal=proposal, actor=world.incubator, project_budget=Decimal("1.00"))

    services.decide_funding(proposal=proposal, manager=world.fund_manager, approve=True, amount=AMOUNT)
    proposal.refresh_from_db()
    with pytest.raises(InvalidInput):
        record_eligibility_facts(proposal=proposal, actor=world.fund_manager, project_budget=Decimal("1.00"))
    assert EligibilityFacts.objects.count() == 0
