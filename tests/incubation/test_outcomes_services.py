"""Outcomes (转化成果): each kind saves and is audited; bad input changes nothing; who and when."""

from decimal import Decimal

import pytest

from accounts.enums import Role
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from incubation.enums import PatentStatus
from incubation.models import AnnualFigure, Company, FinancingRound, Patent, TechContract
from incubation.selectors.outcomes import outcome_totals
from incubation.services import close_project
from incubation.services.outcomes import (
    credit_code_is_valid,
    grant_patent,
    record_annual_figure,
    record_company,
    record_contract,
    record_financing_round,
    record_patent,
)
from proposals.models import AuditEntry
from tests.factories import UserFactory
from tests.incubation.outcomes_support import VALID_CREDIT_CODE, contract_data, days, round_data, tech_managers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def audits(project, action):
    return list(AuditEntry.objects.filter(proposal=project.proposal, action=action))


# each kind saves and is audited


def test_company_is_recorded_and_audited(world, project):
    company = record_company(project=project, actor=world.incubator, name="钙钛矿科技有限公司", founded_on=days(-30),
                             registered_capital=Decimal("1000000.00"), credit_code=VALID_CREDIT_CODE.lower())

    company.refresh_from_db()
    assert (company.name, company.registered_capital, company.credit_code) == (
        "钙钛矿科技有限公司", Decimal("1000000.00"), VALID_CREDIT_CODE)
    [entry] = audits(project, "outcome.company_founded")
    assert (entry.actor, entry.data["registered_capital"]) == (world.incubator, "1000000.00")


def test_recording_the_company_again_corrects_it_and_audits_the_old_values(world, project):
    record_company(project=project, actor=world.incubator, name="旧名", founded_on=days(-30),
                   registered_capital=Decimal("100000.00"))

    record_company(project=project, actor=world.incubator, name="新名", founded_on=days(-30),
                   registered_capital=Decimal("200000.00"))

    assert list(Company.objects.values_list("name", "registered_capital")) == [("新名", Decimal("200000.00"))]
    [entry] = audits(project, "outcome.company_updated")
    assert entry.data["before"]["name"] == "旧名"


def test_financing_round_on_a_grant_project_is_recorded_without_conversion(world, project):
    financing_round, settlement = record_financing_round(project=project, actor=world.incubator, **round_data())

    assert settlement is None
    assert FinancingRound.objects.get() == financing_round
    [entry] = audits(project, "outcome.financing_round")
    assert (entry.data["amount"], entry.data["converts"]) == ("5000000.00", False)


def test_patent_filed_then_granted_is_audited_twice(world, project):
    patent = record_patent(project=project, actor=world.incubator, title="一种钙钛矿薄膜制备方法", kind="invention",
                           number="CN202610000001.X", filed_on=days(-100))

    grant_patent(patent=patent, actor=world.incubator, granted_on=days(-1))

    patent.refresh_from_db()
    assert (patent.status, patent.granted_on) == (PatentStatus.GRANTED, days(-1))
    assert [len(audits(project, "outcome.patent")), len(audits(project, "outcome.patent_granted"))] == [1, 1]
    assert outcome_totals(project=project)["patents_filed"] == 1
    assert outcome_totals(project=project)["patents_granted"] == 1


def test_granting_twice_or_before_filing_is_refused(world, project):
    patent = record_patent(project=project, actor=world.incubator, title="专利", kind="utility", number="CN1",
                           filed_on=days(-100), granted_on=days(-2))

    with pytest.raises(IllegalTransition):
        grant_patent(patent=patent, actor=world.incubator, granted_on=days(-1))
    with pytest.raises(InvalidInput, match="before it was filed"):
        record_patent(project=project, actor=world.incubator, title="专利2", kind="utility", number="CN2",
                      filed_on=days(-10), granted_on=days(-20))

    assert Patent.objects.count() == 1


def test_the_same_patent_number_twice_in_a_project_is_refused(world, project):
    record_patent(project=project, actor=world.incubator, title="专利", kind="invention", number="CN1",
                  filed_on=days(-10))

    with pytest.raises(InvalidInput, match="CN1 is already recorded"):
        record_patent(project=project, actor=world.incubator, title="专利", kind="invention", number="CN1",
                      filed_on=days(-10))

    assert Patent.objects.count() == 1
    assert len(audits(project, "outcome.patent")) == 1


def test_contract_is_recorded_and_audited(world, project):
    contract = record_contract(project=project, actor=world.incubator, **contract_data())

    assert TechContract.objects.get() == contract
    [entry] = audits(project, "outcome.contract")
    assert (entry.data["registration_number"], entry.data["amount"]) == ("2026110000000123", "1500000.00")
    assert outcome_totals(project=project)["contract_total"] == Decimal("1500000.00")


def test_annual_figure_once_per_year_recording_again_updates(world, project):
    year = days(0).year - 1
    record_annual_figure(project=project, actor=world.incubator, year=year, revenue=Decimal("100.00"), jobs=3)

    record_annual_figure(project=project, actor=world.incubator, year=year, revenue=Decimal("250.00"), jobs=5)

    assert list(AnnualFigure.objects.values_list("year", "revenue", "jobs")) == [(year, Decimal("250.00"), 5)]
    entries = audits(project, "outcome.annual_figure")
    assert [e.data["before"] for e in entries] == [None, {"revenue": "100.00", "jobs": 3}]


# bad input: a message, nothing saved


def test_duplicate_registration_number_is_refused_even_in_another_project(world, project):
    other = world.incubating()
    record_contract(project=other, actor=world.incubator, **contract_data())

    with pytest.raises(InvalidInput, match="2026110000000123 is already recorded"):
        record_contract(project=project, actor=world.incubator, **contract_data())

    assert list(TechContract.objects.values_list("project", flat=True)) == [other.pk]
    assert audits(project, "outcome.contract") == []


def test_registration_before_signing_is_refused(world, project):
    with pytest.raises(InvalidInput, match="registered before it was signed"):
        record_contract(project=project, actor=world.incubator,
                        **contract_data(signed_on=days(-5), registered_on=days(-6)))

    assert TechContract.objects.count() == 0
    assert audits(project, "outcome.contract") == []


@pytest.mark.parametrize("call", [
    lambda w, p: record_contract(project=p, actor=w.incubator, **contract_data(amount=Decimal("-1.00"))),
    lambda w, p: record_financing_round(project=p, actor=w.incubator, **round_data(amount=Decimal("0"))),
    lambda w, p: record_financing_round(project=p, actor=w.incubator,
                                        **round_data(pre_money_valuation=Decimal("-5"))),
    lambda w, p: record_company(project=p, actor=w.incubator, name="公司", founded_on=days(-1),
                                registered_capital=Decimal("-100")),
    lambda w, p: record_annual_figure(project=p, actor=w.incubator, year=2025, revenue=Decimal("-1"), jobs=1),
    lambda w, p: record_annual_figure(project=p, actor=w.incubator, year=2025, revenue=Decimal("1"), jobs=-1),
])
def test_negative_or_zero_amounts_are_refused_and_nothing_is_saved(world, project, call):
    with pytest.raises(InvalidInput):
        call(world, project)

    assert (TechContract.objects.count(), FinancingRound.objects.count(), Company.objects.count(),
            AnnualFigure.objects.count()) == (0, 0, 0, 0)
    assert not AuditEntry.objects.filter(proposal=project.proposal, action__startswith="outcome.").exists()


def test_future_dates_are_refused(world, project):
    with pytest.raises(InvalidInput, match="cannot be in the future"):
        record_financing_round(project=project, actor=world.incubator, **round_data(closed_on=days(3)))

    assert FinancingRound.objects.count() == 0


@pytest.mark.parametrize("code", ["91350100M000100Y44", "9135010", "91350100M000100YI3", "91350100M000100Y43X"])
def test_malformed_credit_codes_are_refused(world, project, code):
    assert credit_code_is_valid(VALID_CREDIT_CODE)

    with pytest.raises(InvalidInput, match="unified social credit code"):
        record_company(project=project, actor=world.incubator, name="公司", founded_on=days(-1),
                       registered_capital=Decimal("100"), credit_code=code)

    assert Company.objects.count() == 0


# who, and on which projects


def test_assigned_technology_manager_may_record_outcomes(world, project):
    [manager] = tech_managers(world, project, "transfer")

    record_patent(project=project, actor=manager, title="专利", kind="invention", number="CN9", filed_on=days(-1))

    assert Patent.objects.get().recorded_by == manager


@pytest.mark.parametrize("role", [Role.TECHNOLOGY_MANAGER, Role.RESEARCHER, Role.FUND_MANAGER, Role.EXPERT])
def test_others_may_not_record_outcomes(world, project, role):
    with pytest.raises(NotPermitted):
        record_patent(project=project, actor=UserFactory(role=role), title="专利", kind="invention", number="CN9",
                      filed_on=days(-1))

    assert Patent.objects.count() == 0


def test_outcomes_are_recorded_on_graduated_projects(world, project):
    close_project(project=project, actor=world.incubator, outcome="graduated", note="验收通过")

    record_contract(project=project, actor=world.incubator, **contract_data())

    assert TechContract.objects.filter(project=project).count() == 1


def test_outcomes_are_not_recorded_on_terminated_projects(world, project):
    close_project(project=project, actor=world.incubator, outcome="terminated", note="中止")

    with pytest.raises(IllegalTransition, match="terminated"):
        record_contract(project=project, actor=world.incubator, **contract_data())

    assert TechContract.objects.count() == 0
