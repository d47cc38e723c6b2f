"""The agreement (任务书) editor: each section saved on its own, refused input changes nothing."""

from decimal import Decimal

import pytest
from django.utils import translation

from core.errors import InvalidInput
from incubation.enums import AgreementStatus, TrancheGate
from incubation.models import Agreement, Kpi, Milestone
from incubation.services.agreement import save_tranches
from tests.incubation.agreement_support import (
    audit_actions,
    budget_data,
    budget_state,
    days,
    formset_data,
    incubating,
    kpi_state,
    login,
    messages_of,
    milestone_state,
    tranche_data,
    tranche_state,
    url,
)

pytestmark = pytest.mark.django_db

S, M, MID, ACC = TrancheGate.SIGNATURE, TrancheGate.MILESTONE, TrancheGate.MIDTERM, TrancheGate.ACCEPTANCE


@pytest.fixture
def draft(client):
    world, project, agreement = incubating()
    login(client, world.incubator)
    return world, project, agreement


def milestone_rows(project):
    return [{"id": m.pk, "title": m.title, "description": m.description, "due_date": m.due_date.isoformat()}
            for m in Milestone.objects.filter(project=project).order_by("pk")]


def milestones_post(ms_rows, kpi_rows=(), *, ms_initial=None, kpi_initial=0):
    data = formset_data("ms", ms_rows, initial=len(ms_rows) if ms_initial is None else ms_initial)
    data.update(formset_data("kpi", list(kpi_rows), initial=kpi_initial))
    return data


# the page


def test_manager_sees_every_section_with_the_default_schedule_and_what_is_missing(client, draft):
    world, project, agreement = draft

    response = client.get(url("agreement", project))

    assert response.status_code == 200
    ctx = response.context
    assert (ctx["can_edit"], ctx["can_release"], ctx["can_upload"]) == (True, False, False)
    assert [(r["tranche"].percent, r["tranche"].gate, r["tranche"].amount) for r in ctx["tranche_rows"]] == [
        (Decimal("60.00"), S, Decimal("120000.00")), (Decimal("30.00"), MID, Decimal("60000.00")),
        (Decimal("10.00"), ACC, Decimal("20000.00"))]
    assert ctx["problems"] == ["The budget adds up to 0.00 but the amount is 200,000.00; they must be equal."]
    html = response.content.decode()
    assert "The budget adds up to 0.00 but the amount is 200,000.00; they must be equal." in html
    assert (ctx["budget_total"], ctx["budget_difference"], ctx["budget_balanced"]) == ("0.00", "200,000.00", False)


# tranches


def test_tranches_not_summing_to_100_are_refused_with_the_sum_and_nothing_changes(client, draft):
    world, project, agreement = draft
    before = tranche_state(agreement)

    response = client.post(url("agreement_tranches", project), tranche_data([(60, S), (30, MID), (5, ACC)]))

    assert response.status_code == 400
    assert messages_of(response) == ["The tranche percentages add up to 95 %; they must sum to exactly 100 %."]
    assert tranche_state(agreement) == before
    assert audit_actions(project, "agreement.") == []
    # the form keeps what was typed
    assert response.context["tranche_forms"].data["tr-2-percent"] == "5"


def test_saved_schedule_computes_amounts_with_the_last_tranche_taking_the_cent_remainder(client):
    world, project, agreement = incubating(amount=Decimal("100000.01"))
    login(client, world.incubator)
    first = Milestone.objects.filter(project=project).order_by("due_date").first()

    response = client.post(url("agreement_tranches", project),
                           tranche_data([(50, S), (20, M, first), (20, MID), (10, ACC)]))

    assert response.status_code == 302
    assert [(order, pct, amount, gate, ms) for _pk, order, pct, amount, gate, ms, _s in tranche_state(agreement)] == [
        (1, Decimal("50.00"), Decimal("50000.01"), S, None),
        (2, Decimal("20.00"), Decimal("20000.00"), M, first.pk),
        (3, Decimal("20.00"), Decimal("20000.00"), MID, None),
        (4, Decimal("10.00"), Decimal("10000.00"), ACC, None),
    ]
    assert audit_actions(project, "agreement.") == ["agreement.tranches_saved"]


def test_milestone_gate_without_a_milestone_is_refused_and_nothing_changes(client, draft):
    world, project, agreement = draft
    before = tranche_state(agreement)

    response = client.post(url("agreement_tranches", project), tranche_data([(60, S), (30, M), (10, ACC)]))

    assert response.status_code == 400
    assert messages_of(response) == ["Tranche 2 is released on a milestone; choose which one."]
    assert tranche_state(agreement) == before


def test_milestone_of_another_project_is_refused_by_the_service():
    world, project, agreement = incubating()
    _w2, other, _a2 = incubating()
    foreign = Milestone.objects.filter(project=other).first()
    before = tranche_state(agreement)

    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        save_tranches(agreement=agreement, actor=world.incubator, rows=[
            {"percent": Decimal("70"), "gate": S}, {"percent": Decimal("30"), "gate": M, "milestone": foreign}])

    assert str(refused.value) == "Tranche 2 is released on a milestone; choose which one."
    assert tranche_state(agreement) == before


def test_acceptance_gate_may_appear_only_once(client, draft):
    world, project, agreement = draft
    before = tranche_state(agreement)

    response = client.post(url("agreement_tranches", project), tranche_data([(60, S), (20, ACC), (20, ACC)]))

    assert response.status_code == 400
    assert messages_of(response) == ["Only one tranche can be retained until final acceptance."]
    assert tranche_state(agreement) == before


# budget


def test_budget_that_does_not_add_up_is_refused_with_both_amounts_and_nothing_changes(client, draft):
    world, project, agreement = draft
    client.post(url("agreement_budget", project), budget_data({"equipment": "200000"}))
    before = budget_state(agreement)

    response = client.post(url("agreement_budget", project),
                           budget_data({"equipment": "100000", "personnel": "50000"}, {"personnel": "两名博士后"}))

    assert response.status_code == 400
    assert messages_of(response) == ["The budget adds up to 150,000.00 but the amount is 200,000.00; they must be equal."]
    assert budget_state(agreement) == before == [("equipment", Decimal("200000.00"), "")]
    # the typed total and the difference are shown with what was typed
    assert (response.context["budget_total"], response.context["budget_difference"]) == ("150,000.00", "50,000.00")
    assert "两名博士后" in response.content.decode()


def test_budget_by_category_is_saved_and_audited(client, draft):
    world, project, agreement = draft

    response = client.post(url("agreement_budget", project),
                           budget_data({"equipment": "120000", "personnel": "80000", "travel": "0"}, {"personnel": "劳务"}))

    assert response.status_code == 302
    assert budget_state(agreement) == [("equipment", Decimal("120000.00"), ""), ("personnel", Decimal("80000.00"), "劳务")]
    assert audit_actions(project, "agreement.") == ["agreement.budget_saved"]


def test_negative_budget_amount_is_a_form_error(client, draft):
    world, project, agreement = draft

    response = client.post(url("agreement_budget", project), budget_data({"equipment": "210000", "travel": "-10000"}))

    assert response.status_code == 400
    assert budget_state(agreement) == []


# milestones and KPIs


def test_milestones_and_kpis_are_added_changed_and_removed_in_one_save(client, draft):
    world, project, agreement = draft
    first, second = Milestone.objects.filter(project=project).order_by("pk")
    rows = milestone_rows(project)
    rows[0]["description"] = "样机一台及测试报告"
    rows[1]["DELETE"] = "on"
    rows.append({"title": "小批量试产", "description": "", "due_date": days(300).isoformat()})

    response = client.post(url("agreement_milestones", project), milestones_post(rows, [
        {"name": "发明专利申请", "unit": "件", "target": "2", "due_date": days(200).isoformat(), "milestone": first.pk}]))

    assert response.status_code == 302
    state = milestone_state(project)
    assert [(t, d) for _pk, t, d, _due in state] == [("样机完成", "样机一台及测试报告"), ("小批量试产", "")]
    assert state[0][0] == first.pk and not Milestone.objects.filter(pk=second.pk).exists()
    assert [(n, t, m) for _pk, n, t, m in kpi_state(project)] == [("发明专利申请", Decimal("2.00"), first.pk)]
    assert audit_actions(project, "agreement.") == ["agreement.milestones_saved"]


def test_removing_a_milestone_a_tranche_gates_on_is_refused(client, draft):
    world, project, agreement = draft
    first = Milestone.objects.filter(project=project).order_by("pk").first()
    client.post(url("agreement_tranches", project), tranche_data([(60, S), (30, M, first), (10, ACC)]))
    before = (milestone_state(project), tranche_state(agreement))
    rows = milestone_rows(project)
    rows[0]["DELETE"] = "on"

    response = client.post(url("agreement_milestones", project), milestones_post(rows))

    assert response.status_code == 400
    assert messages_of(response) == [
        "The milestone “样机完成” cannot be removed: tranche 2 is released on it. Change the tranche schedule first."]
    assert (milestone_state(project), tranche_state(agreement)) == before


def test_removing_every_milestone_is_refused(client, draft):
    world, project, agreement = draft
    before = milestone_state(project)
    rows = [dict(row, DELETE="on") for row in milestone_rows(project)]

    response = client.post(url("agreement_milestones", project), milestones_post(rows))

    assert response.status_code == 400
    assert messages_of(response) == ["Plan at least one milestone."]
    assert milestone_state(project) == before and Kpi.objects.count() == 0


# terms


def test_invest_first_terms_are_validated_and_saved(client):
    world, project, agreement = incubating("invest_first")
    login(client, world.incubator)
    base = {"terms-starts_on": days(0).isoformat(), "terms-ends_on": days(365).isoformat()}

    too_early = client.post(url("agreement_terms", project), {**base, "terms-conversion_deadline": days(0).isoformat(),
                                                              "terms-concession_pct": "10"})
    too_much = client.post(url("agreement_terms", project), {**base, "terms-concession_pct": "120"})
    saved = client.post(url("agreement_terms", project), {
        **base, "terms-concession_pct": "20", "terms-conversion_deadline": days(3 * 365).isoformat(),
        "terms-deadline_action": "buy_back", "terms-buyback_rate_pct": "4.35", "terms-buyback_terms": "按本金加单利回购",
        "terms-pre_money_valuation": "5000000"})

    assert (too_early.status_code, too_much.status_code, saved.status_code) == (400, 400, 302)
    assert too_early.context["terms_form"].errors == {
        "conversion_deadline": ["The conversion deadline must come after the start of the agreement."]}
    assert list(too_much.context["terms_form"].errors) == ["concession_pct"]
    agreement.refresh_from_db()
    assert (agreement.concession_pct, agreement.conversion_deadline, agreement.deadline_action,
            agreement.buyback_rate_pct, agreement.buyback_terms) == (
        Decimal("20.00"), days(3 * 365), "buy_back", Decimal("4.350"), "按本金加单利回购")
    # the equity field is not part of an invest-first agreement: ignored
    assert agreement.pre_money_valuation is None
    assert audit_actions(project, "agreement.") == ["agreement.terms_saved"]


def test_equity_stake_is_shown_after_saving_the_valuation(client):
    world, project, agreement = incubating("equity", amount=Decimal("1000000.00"))
    login(client, world.incubator)
    base = {"terms-starts_on": days(0).isoformat(), "terms-ends_on": days(365).isoformat()}

    refused = client.post(url("agreement_terms", project), {**base, "terms-pre_money_valuation": "0"})
    saved = client.post(url("agreement_terms", project), {**base, "terms-pre_money_valuation": "9000000"}, follow=True)

    assert refused.status_code == 400
    agreement.refresh_from_db()
    assert (agreement.pre_money_valuation, agreement.stake_pct) == (Decimal("9000000.00"), Decimal("10.000000"))
    assert saved.status_code == 200 and "10.000000 %" in saved.content.decode()


def test_period_ending_before_it_starts_is_refused(client, draft):
    world, project, agreement = draft
    before = (agreement.starts_on, agreement.ends_on)

    response = client.post(url("agreement_terms", project), {"terms-starts_on": days(10).isoformat(),
                                                             "terms-ends_on": days(5).isoformat()})

    assert response.status_code == 400
    agreement.refresh_from_db()
    assert (agreement.starts_on, agreement.ends_on) == before


# issuing and editing after issue


def test_issue_is_refused_with_the_problems_listed_and_nothing_changes(client, draft):
    world, project, agreement = draft

    response = client.post(url("agreement_issue", project))

    assert response.status_code == 400
    assert messages_of(response) == ["The agreement is not complete: The budget adds up to 0.00 but the amount is "
                                     "200,000.00; they must be equal."]
    agreement.refresh_from_db()
    assert (agreement.status, agreement.issued_at) == (AgreementStatus.DRAFT, None)
    assert audit_actions(project, "agreement.") == []


def test_issue_then_edit_puts_the_agreement_back_to_draft_until_issued_again(client, draft, django_capture_on_commit_callbacks):
    world, project, agreement = draft
    client.post(url("agreement_budget", project), budget_data({"equipment": "200000"}))

    issued = client.post(url("agreement_issue", project))
    agreement.refresh_from_db()
    assert (issued.status_code, agreement.status) == (302, AgreementStatus.ISSUED)

    edited = client.post(url("agreement_budget", project), budget_data({"equipment": "150000", "materials": "50000"}))

    agreement.refresh_from_db()
    assert (edited.status_code, agreement.status, agreement.issued_at) == (302, AgreementStatus.DRAFT, None)
    assert audit_actions(project, "agreement.") == [
        "agreement.budget_saved", "agreement.issued", "agreement.reopened", "agreement.budget_saved"]
    again = client.post(url("agreement_issue", project))
    agreement.refresh_from_db()
    assert (again.status_code, agreement.status) == (302, AgreementStatus.ISSUED)


def test_refused_edit_of_an_issued_agreement_leaves_it_issued(client, draft):
    world, project, agreement = draft
    client.post(url("agreement_budget", project), budget_data({"equipment": "200000"}))
    client.post(url("agreement_issue", project))

    response = client.post(url("agreement_tranches", project), tranche_data([(60, S), (30, MID), (5, ACC)]))

    agreement.refresh_from_db()
    assert (response.status_code, agreement.status) == (400, AgreementStatus.ISSUED)
    assert "agreement.reopened" not in audit_actions(project)


def test_signed_agreement_can_no_longer_be_edited(client):
    world, project, agreement = incubating()
    agreement = world.signed(project)
    login(client, world.incubator)
    before = tranche_state(agreement)

    response = client.post(url("agreement_tranches", project), tranche_data([(50, S), (40, MID), (10, ACC)]))
    page = client.get(url("agreement", project))

    assert response.status_code == 409
    assert messages_of(response) == ["The agreement is signed and can no longer change."]
    assert tranche_state(agreement) == before
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.SIGNED
    assert page.context["can_edit"] is False
