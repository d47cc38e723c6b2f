"""Eligibility pages: the rules editor per call, the facts and results on the funding task page,
the rules on the call page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from accounts.enums import Role
from funding.enums import EligibilityKind as K, Instrument
from funding.models import EligibilityFacts, EligibilityRule, FundingDecision, LedgerEntry
from proposals.enums import ProposalStatus as S
from proposals.models import AuditEntry
from tests.e2e.html import page_form
from tests.factories import CallFactory, UserFactory
from tests.helpers import World

pytestmark = pytest.mark.django_db


def signed_in(user, language="en"):
    user.language = language
    user.save()
    client = Client()
    assert client.login(request=HttpRequest(), username=user.username, password="pw-secret-123")
    return client


def rules_of(call):
    return list(EligibilityRule.objects.filter(call=call).order_by("order").values_list("kind", "threshold", "instruments"))


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# the rules editor

def test_a_fund_manager_sets_the_rules_of_a_call_through_the_formset():
    call = CallFactory()
    client = signed_in(UserFactory(role=Role.FUND_MANAGER))
    url = reverse("funding:eligibility_rules", args=[call.pk])
    form = page_form(client.get(url), has="rules-TOTAL_FORMS")

    response = client.post(url, form.data(**{"rules-0-kind": K.COMPANY_AGE_MAX_YEARS, "rules-0-threshold": "5",
                                             "rules-0-instruments": [Instrument.INVEST_FIRST, Instrument.EQUITY]}))
    assert (response.status_code, response.url) == (302, url)
    form = page_form(client.get(url), has="rules-TOTAL_FORMS")
    response = client.post(url, form.data(**{"rules-1-kind": K.FOUNDERS_PAID_IN_MIN_PCT, "rules-1-threshold": "10"}))

    assert response.status_code == 302
    assert rules_of(call) == [(K.COMPANY_AGE_MAX_YEARS, Decimal("5.00"), [Instrument.INVEST_FIRST, Instrument.EQUITY]),
                              (K.FOUNDERS_PAID_IN_MIN_PCT, Decimal("10.00"), [])]
    audits = AuditEntry.objects.filter(action="funding.eligibility_rules_changed").order_by("pk")
    assert [len(a.data["after"]) for a in audits] == [1, 2]
    assert audits.last().data["call"] == call.pk


def test_deleting_a_rule_through_the_formset_removes_it():
    call = CallFactory()
    EligibilityRule.objects.create(call=call, kind=K.COMPANY_REQUIRED)
    EligibilityRule.objects.create(call=call, kind=K.COMPANY_AGE_MAX_YEARS, threshold=Decimal("5"), order=1)
    client = signed_in(UserFactory(role=Role.PROGRAM_OFFICER))
    url = reverse("funding:eligibility_rules", args=[call.pk])
    form = page_form(client.get(url), has="rules-TOTAL_FORMS")

    response = client.post(url, form.data(**{"rules-0-DELETE": "on"}))

    assert response.status_code == 302
    assert rules_of(call) == [(K.COMPANY_AGE_MAX_YEARS, Decimal("5.00"), [])]


@pytest.mark.parametrize("row, field, message", [
    ({"rules-0-kind": K.FOUNDERS_PAID_IN_MIN_PCT, "rules-0-threshold": "120"}, "threshold",
     "The percentage must be above 0 and at most 100."),
    ({"rules-0-kind": K.FOUNDERS_PAID_IN_MIN_PCT, "rules-0-threshold": "0"}, "threshold",
     "The percentage must be above 0 and at most 100."),
    ({"rules-0-kind": K.COMPANY_AGE_MAX_YEARS, "rules-0-threshold": ""}, "threshold", "Enter the threshold for this rule."),
    ({"rules-0-kind": K.COMPANY_AGE_MAX_YEARS, "rules-0-threshold": "-2"}, "threshold",
     "The age limit must be a positive number of years."),
    ({"rules-0-kind": K.COMPANY_REQUIRED, "rules-0-threshold": "3"}, "threshold",
     "This rule takes no threshold; leave it empty."),
])
def test_a_bad_rule_keeps_the_form_with_a_message_and_changes_nothing(row, field, message):
    call = CallFactory()
    EligibilityRule.objects.create(call=call, kind=K.COMPANY_REQUIRED)
    client = signed_in(UserFactory(role=Role.FUND_MANAGER))
    url = reverse("funding:eligibility_rules", args=[call.pk])
    form = page_form(client.get(url), has="rules-TOTAL_FORMS")

    response = client.post(url, form.data(**row))

    assert response.status_code == 400
    assert messages_of(response) == ["Please correct the rules below."]
    assert response.context["formset"].forms[0].errors[field] == [message]
    assert response.context["formset"].forms[0]["threshold"].value() == row["rules-0-threshold"]
    assert rules_of(call) == [(K.COMPANY_REQUIRED, None, [])]
    assert AuditEntry.objects.filter(action="funding.eligibility_rules_changed").count() == 0


def test_the_same_kind_twice_is_refused():
    call = CallFactory()
    client = signed_in(UserFactory(role=Role.FUND_MANAGER))
    url = reverse("funding:eligibility_rules", args=[call.pk])
    data = {"rules-TOTAL_FORMS": "2", "rules-INITIAL_FORMS": "0", "rules-MIN_NUM_FORMS": "0", "rules-MAX_NUM_FORMS": "3",
            "rules-0-kind": K.COMPANY_REQUIRED, "rules-1-kind": K.COMPANY_REQUIRED}

    response = client.post(url, data)

    assert response.status_code == 400
    assert response.context["formset"].non_form_errors() == [
        "Each rule may appear only once per call; “A company must already exist” is listed twice."]
    assert rules_of(call) == []


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.EXPERT, Role.INCUBATION_MANAGER, Role.TECHNOLOGY_MANAGER,
                                  Role.PANEL_CHAIR])
def test_other_roles_cannot_open_or_post_the_rules_editor(role):
    call = CallFactory()
    client = signed_in(UserFactory(role=role))
    url = reverse("funding:eligibility_rules", args=[call.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"rules-TOTAL_FORMS": "1", "rules-INITIAL_FORMS": "0", "rules-0-kind": K.COMPANY_REQUIRED}
                       ).status_code == 403
    assert rules_of(call) == []


# the call page

def test_applicants_see_the_calls_rules_on_the_call_page_without_the_edit_link():
    call = CallFactory()
    EligibilityRule.objects.create(call=call, kind=K.COMPANY_AGE_MAX_YEARS, threshold=Decimal("5"),
                                   instruments=[Instrument.INVEST_FIRST])
    EligibilityRule.objects.create(call=call, kind=K.FOUNDERS_PAID_IN_MIN_PCT, threshold=Decimal("10"), order=1)
    researcher = signed_in(UserFactory(role=Role.RESEARCHER))
    officer = signed_in(UserFactory(role=Role.PROGRAM_OFFICER))

    html = researcher.get(reverse("proposals:call", args=[call.pk])).content.decode()

    assert ("<td>The company was founded at most 5 years before the funding decision.</td>"
            "<td>Invest first, equity later (先投后股)</td>") in html
    assert ("<td>The founders&#x27; paid-in cash is at least 10 % of the total project budget.</td>"
            "<td>every instrument</td>") in html
    edit = reverse("funding:eligibility_rules", args=[call.pk])
    assert edit not in html
    assert edit in officer.get(reverse("proposals:call", args=[call.pk])).content.decode()


# the funding task page

@pytest.fixture
def funding_world():
    world = World()
    EligibilityRule.objects.create(call=world.call, kind=K.FOUNDERS_PAID_IN_MIN_PCT, threshold=Decimal("10"))
    EligibilityRule.objects.create(call=world.call, kind=K.COMPANY_REQUIRED, instruments=[Instrument.EQUITY], order=1)
    proposal = world.in_funding()
    return world, proposal


def test_the_funding_page_shows_each_rule_with_its_result(funding_world):
    world, proposal = funding_world
    EligibilityFacts.objects.create(proposal=proposal, project_budget=Decimal("500000.00"),
                                    founders_paid_in=Decimal("40000.00"), recorded_by=world.fund_manager)
    client = signed_in(world.fund_manager)

    response = client.get(reverse("workflows:funding", args=[proposal.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert [(r.symbol, r.result) for r in response.context["eligibility"]] == [("✗", "failed"), ("✗", "failed")]
    assert '<span aria-hidden="true">✗</span> <span class="status">Not met</span>' in html
    assert "Founders&#x27; paid-in 8.00 % of the budget; at least 10 % required." in html
    assert "Funding cannot be approved while a rule that applies is not met or cannot be checked." in html


def test_the_fund_manager_records_the_facts_on_the_funding_page(funding_world):
    world, proposal = funding_world
    client = signed_in(world.fund_manager)
    url = reverse("workflows:funding", args=[proposal.pk])
    form = page_form(client.get(url), has="record_facts")

    response = client.post(url, form.data(**{"facts-company_name": "星辰科技有限公司", "facts-company_founded_on": "2024-05-06",
                                             "facts-project_budget": "500000", "facts-founders_paid_in": "60000"}))

    assert (response.status_code, response.url) == (302, url)
    facts = EligibilityFacts.objects.get(proposal=proposal)
    assert (facts.company_name, facts.company_founded_on, facts.project_budget, facts.founders_paid_in) == (
        "星辰科技有限公司", dt.date(2024, 5, 6), Decimal("500000.00"), Decimal("60000.00"))
    assert AuditEntry.objects.filter(proposal=proposal, action="funding.eligibility_recorded").count() == 1
    page = client.get(url)
    assert [(r.symbol, r.result) for r in page.context["eligibility"]] == [("✓", "passed"), ("✓", "passed")]


def test_bad_facts_keep_the_form_and_store_nothing(funding_world):
    world, proposal = funding_world
    client = signed_in(world.fund_manager)
    url = reverse("workflows:funding", args=[proposal.pk])
    form = page_form(client.get(url), has="record_facts")

    response = client.post(url, form.data(**{"facts-company_name": "星辰科技有限公司", "facts-project_budget": "500000"}))

    assert response.status_code == 400
    assert messages_of(response) == ["Please correct the eligibility facts below."]
    assert response.context["facts_form"].errors["company_founded_on"] == ["Enter the date the company was founded."]
    assert response.context["facts_form"]["company_name"].value() == "星辰科技有限公司"
    assert EligibilityFacts.objects.count() == 0


def test_approving_over_http_with_a_failing_rule_is_refused_and_nothing_changes(funding_world):
    world, proposal = funding_world
    EligibilityFacts.objects.create(proposal=proposal, project_budget=Decimal("500000.00"),
                                    founders_paid_in=Decimal("40000.00"), recorded_by=world.fund_manager)
    client = signed_in(world.fund_manager)
    url = reverse("workflows:funding", args=[proposal.pk])
    form = page_form(client.get(url), has="decision")

    response = client.post(url, form.data(decision="approve", amount="200000", instrument=Instrument.GRANT))

    proposal.refresh_from_db()
    assert response.status_code == 400
    assert messages_of(response) == [
        "Funding as “Grant (无偿资助)” cannot be approved; the call's eligibility rules are not met: "
        "Founders' paid-in 8.00 % of the budget; at least 10 % required."]
    assert (proposal.status, FundingDecision.objects.count(), LedgerEntry.objects.count()) == (S.FUNDING, 0, 0)


def test_the_results_follow_the_instrument_typed_in_the_decision_form(funding_world):
    world, proposal = funding_world
    EligibilityFacts.objects.create(proposal=proposal, project_budget=Decimal("500000.00"),
                                    founders_paid_in=Decimal("60000.00"), recorded_by=world.fund_manager)
    client = signed_in(world.fund_manager)
    url = reverse("workflows:funding", args=[proposal.pk])

    response = client.post(url, {"decision": "approve", "amount": "", "instrument": Instrument.GRANT})

    assert [r.result for r in response.context["eligibility"]] == ["passed", "not_applicable"]


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.EXPERT, Role.PROGRAM_OFFICER, Role.TECHNOLOGY_MANAGER])
def test_other_roles_cannot_record_facts(funding_world, role):
    world, proposal = funding_world
    client = signed_in(UserFactory(role=role))

    response = client.post(reverse("workflows:funding", args=[proposal.pk]),
                           {"record_facts": "1", "facts-project_budget": "500000", "facts-founders_paid_in": "60000"})

    assert response.status_code == 403
    assert EligibilityFacts.objects.count() == 0


def test_the_applicant_who_is_also_a_fund_manager_cannot_record_their_own_facts():
    world = World()
    applicant = UserFactory(role=Role.FUND_MANAGER)
    proposal = world.in_funding(applicant=applicant)
    client = signed_in(applicant)

    response = client.post(reverse("workflows:funding", args=[proposal.pk]),
                           {"record_facts": "1", "facts-project_budget": "500000", "facts-founders_paid_in": "60000"})

    assert response.status_code == 403
    assert messages_of(response) == ["You are the applicant of this proposal and cannot decide on its funding."]
    assert EligibilityFacts.objects.count() == 0


def test_a_call_without_rules_says_so_on_the_funding_page():
    world = World()
    proposal = world.in_funding()
    client = signed_in(world.fund_manager)

    response = client.get(reverse("workflows:funding", args=[proposal.pk]))

    assert response.context["eligibility"] == []
    assert "This call sets no eligibility rules for funding." in response.content.decode()
