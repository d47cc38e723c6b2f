"""Releasing tranches: only through their gate, once, against the ledger with the payment reference."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import IllegalTransition, InvalidInput
from funding.enums import LedgerKind
from funding.models import LedgerEntry
from funding.selectors import proposal_position
from incubation.enums import MilestoneStatus, TrancheGate, TrancheStatus
from incubation.models import Milestone, Tranche
from incubation.selectors.agreement import gate_status, tranches_of
from incubation.services import close_project
from incubation.services.agreement import save_tranches
from incubation.services.money import release_tranche
from proposals.models import AuditEntry
from tests.incubation.agreement_support import (
    accept,
    audit_actions,
    incubating,
    login,
    messages_of,
    pass_midterm,
    progressed,
    releases,
    signed,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def release_url(tranche):
    return reverse("incubation:release_tranche", args=[tranche.pk])


def release_post(tranche, reference="银行凭证 2026-0042", back=None):
    data = {f"release-{tranche.pk}-reference": reference}
    if back:
        data[f"release-{tranche.pk}-back"] = back
    return data


def with_milestone_gate(world, project, agreement):
    """Schedule 50 % on signature, 40 % on the first milestone, 10 % at acceptance, then sign."""
    first = Milestone.objects.filter(project=project).order_by("due_date").first()
    save_tranches(agreement=agreement, actor=world.incubator, rows=[
        {"percent": Decimal("50"), "gate": TrancheGate.SIGNATURE},
        {"percent": Decimal("40"), "gate": TrancheGate.MILESTONE, "milestone": first},
        {"percent": Decimal("10"), "gate": TrancheGate.ACCEPTANCE}])
    return world.signed(project), first


def test_release_before_signature_is_refused_and_the_ledger_is_unchanged():
    world, project, agreement = incubating()
    tranche = agreement.tranches.get(order=1)

    with pytest.raises(InvalidInput) as refused:
        release_tranche(tranche=tranche, actor=world.fund_manager, reference="V-1")

    assert str(refused.value) == "This tranche cannot be released yet: The agreement has not been signed yet."
    assert releases(project) == []
    assert Tranche.objects.get(pk=tranche.pk).status == TrancheStatus.PLANNED


def test_release_before_the_milestone_is_accepted_is_refused_then_allowed_after_acceptance():
    world, project, agreement = incubating()
    agreement, milestone = with_milestone_gate(world, project, agreement)
    tranche = agreement.tranches.get(order=2)
    progressed(milestone, MilestoneStatus.DONE, by=world.incubator)  # done is not accepted

    with pytest.raises(InvalidInput) as refused:
        release_tranche(tranche=tranche, actor=world.fund_manager, reference="V-2")
    assert str(refused.value) == "This tranche cannot be released yet: The milestone “样机完成” has not been accepted yet."
    assert releases(project) == []

    accept(world, milestone)
    tranche, now = release_tranche(tranche=tranche, actor=world.fund_manager, reference="V-2")

    assert (now, tranche.status, tranche.amount) == (True, TrancheStatus.RELEASED, Decimal("80000.00"))
    assert releases(project) == [(Decimal("80000.00"), "V-2")]


def test_release_before_the_midterm_check_is_refused_then_allowed_after_it():
    world, project, agreement = signed()
    tranche = agreement.tranches.get(gate=TrancheGate.MIDTERM)
    pass_midterm(world, project, outcome="stop")  # a stopping check does not open the gate

    with pytest.raises(InvalidInput) as refused:
        release_tranche(tranche=tranche, actor=world.fund_manager, reference="V-3")
    assert str(refused.value) == "This tranche cannot be released yet: The mid-term check has not been passed yet."
    assert releases(project) == []

    pass_midterm(world, project, outcome="adjust")
    release_tranche(tranche=tranche, actor=world.fund_manager, reference="V-3")

    assert releases(project) == [(Decimal("60000.00"), "V-3")]


def test_release_over_http_after_the_gate_pays_with_the_reference_and_audits(client):
    world, project, agreement = signed()
    tranche = agreement.tranches.get(order=1)
    login(client, world.fund_manager)

    response = client.post(release_url(tranche), release_post(tranche), follow=True)

    tranche.refresh_from_db()
    entry = LedgerEntry.objects.get(proposal=project.proposal, kind=LedgerKind.RELEASE)
    assert response.status_code == 200
    assert messages_of(response, "success") == [
        "Tranche 1 of 120,000.00 CNY was released (reference 银行凭证 2026-0042)."]
    assert (entry.amount, entry.reference, entry.actor) == (Decimal("120000.00"), "银行凭证 2026-0042", world.fund_manager)
    assert (tranche.status, tranche.ledger_entry, tranche.payment_reference, tranche.released_by) == (
        TrancheStatus.RELEASED, entry, "银行凭证 2026-0042", world.fund_manager)
    audit = AuditEntry.objects.get(proposal=project.proposal, action="tranche.released")
    assert (audit.actor, audit.note, audit.data["amount"], audit.data["ledger_entry"]) == (
        world.fund_manager, "银行凭证 2026-0042", "120000.00", entry.pk)
    assert proposal_position(proposal=project.proposal) == {
        "committed": Decimal("200000.00"), "paid": Decimal("120000.00"), "outstanding": Decimal("80000.00")}


def test_release_over_http_before_the_gate_is_a_400_with_the_reason(client):
    world, project, agreement = signed()
    tranche = agreement.tranches.get(gate=TrancheGate.ACCEPTANCE)
    login(client, world.fund_manager)

    response = client.post(release_url(tranche), release_post(tranche))

    assert response.status_code == 400
    assert messages_of(response) == ["This tranche cannot be released yet: Final acceptance has not been passed yet."]
    assert releases(project) == []
    assert audit_actions(project, "tranche.") == []
    # the typed reference is kept
    assert response.context["tranche_rows"][2]["release_form"].data[f"release-{tranche.pk}-reference"] == "银行凭证 2026-0042"


def test_release_without_reference_is_a_form_error(client):
    world, project, agreement = signed()
    tranche = agreement.tranches.get(order=1)
    login(client, world.fund_manager)

    response = client.post(release_url(tranche), release_post(tranche, reference=""))

    assert response.status_code == 400
    assert releases(project) == []


def test_releasing_twice_through_the_service_pays_once():
    world, project, agreement = signed()
    tranche = agreement.tranches.get(order=1)

    first, first_now = release_tranche(tranche=tranche, actor=world.fund_manager, reference="V-1")
    second, second_now = release_tranche(tranche=tranche, actor=world.fund_manager, reference="V-1 again")

    assert (first_now, second_now, first.pk, second.pk) == (True, False, tranche.pk, tranche.pk)
    assert second.payment_reference == "V-1"
    assert releases(project) == [(Decimal("120000.00"), "V-1")]
    assert audit_actions(project, "tranche.") == ["tranche.released"]


def test_double_submit_pays_once_and_says_already_released(client):
    world, project, agreement = signed()
    tranche = agreement.tranches.get(order=1)
    login(client, world.fund_manager)

    first = client.post(release_url(tranche), release_post(tranche))
    second = client.post(release_url(tranche), release_post(tranche), follow=True)

    tranche.refresh_from_db()
    assert (first.status_code, second.status_code) == (302, 200)
    assert releases(project) == [(Decimal("120000.00"), "银行凭证 2026-0042")]
    [info] = messages_of(second, "info")
    assert info.startswith("Tranche 1 was already released on ")
    assert info.endswith("(reference 银行凭证 2026-0042); nothing was paid again.")


def test_release_from_the_queue_returns_to_the_queue(client):
    world, project, agreement = signed()
    tranche = agreement.tranches.get(order=1)
    login(client, world.fund_manager)

    response = client.post(release_url(tranche), release_post(tranche, back="queue"))

    assert (response.status_code, response["Location"]) == (302, reverse("incubation:disbursements"))
    assert releases(project) == [(Decimal("120000.00"), "银行凭证 2026-0042")]


def test_the_agreement_page_shows_each_tranche_with_its_gate_in_words(client):
    world, project, agreement = signed()
    release_tranche(tranche=agreement.tranches.get(order=1), actor=world.fund_manager, reference="V-1")
    login(client, world.fund_manager)

    response = client.get(url("agreement", project))

    rows = response.context["tranche_rows"]
    assert [(r["tranche"].order, r["tranche"].status, r["met"], r["why"], r["release_form"] is not None) for r in rows] == [
        (1, TrancheStatus.RELEASED, True, "", False),
        (2, TrancheStatus.PLANNED, False, "The mid-term check has not been passed yet.", True),
        (3, TrancheStatus.PLANNED, False, "Final acceptance has not been passed yet.", True),
    ]
    html = response.content.decode()
    assert "V-1" in html and "The mid-term check has not been passed yet." in html


def test_gate_status_reads_prefetched_checks_without_queries(django_assert_num_queries):
    world, project, agreement = signed()
    pass_midterm(world, project)

    tranches = list(tranches_of(agreement=agreement))
    with django_assert_num_queries(0):
        statuses = [gate_status(t) for t in tranches]

    assert statuses == [(True, ""), (True, ""), (False, "Final acceptance has not been passed yet.")]


def test_terminated_project_tranches_cannot_be_released():

    world, project, agreement = signed()
    close_project(project=project, actor=world.incubator, outcome="terminated", note="中期检查不合格")
    tranche = agreement.tranches.get(order=1)

    with pytest.raises(IllegalTransition):
        release_tranche(tranche=tranche, actor=world.fund_manager, reference="V-1")

    assert releases(project) == []
