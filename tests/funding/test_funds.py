from decimal import Decimal

import pytest
from django.urls import reverse

from funding.enums import FundingOutcome, Instrument, LedgerKind
from funding.models import FundingDecision, LedgerEntry
from funding.selectors import fund_balance
from funding.views.funds import Money
from tests.factories import FundFactory, ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db

# session, user, the user's groups (role check), funds with balances and decision counts
FUNDS_LIST_QUERIES = 4
# session, user, groups, fund with balance, ledger with proposal and actor, decisions with proposal and actor
FUND_DETAIL_QUERIES = 6


def signed_in(client, role):
    user = UserFactory(role=role)
    client.force_login(user)
    return user


def ledger(fund, kind, amount, **extra):
    return LedgerEntry.objects.create(fund=fund, kind=kind, amount=Decimal(amount), **extra)


def fund_with_movements(actor=None):
    """Size 1,000,000.00: commitments 300,000.10 + 200,000.20, a return of 50,000.05 and a
    release of 120,000.33, so 450,000.25 committed, 120,000.33 paid, 549,999.75 available."""
    fund = FundFactory(size=Decimal("1000000.00"))
    ledger(fund, LedgerKind.COMMITMENT, "300000.10", actor=actor)
    ledger(fund, LedgerKind.COMMITMENT, "200000.20", actor=actor)
    ledger(fund, LedgerKind.RETURN, "50000.05", actor=actor)
    ledger(fund, LedgerKind.RELEASE, "120000.33", actor=actor)
    return fund


def test_balance_nets_returns_against_commitments_and_counts_releases_as_paid():
    fund = fund_with_movements()

    balance = fund_balance(fund)

    assert balance == {
        "size": Decimal("1000000.00"),
        "committed": Decimal("450000.25"),
        "paid": Decimal("120000.33"),
        "available": Decimal("549999.75"),
        "outstanding": Decimal("329999.92"),
    }


def test_a_fund_without_movements_has_its_whole_size_available():
    fund = FundFactory(size=Decimal("250000.00"))

    assert fund_balance(fund) == {
        "size": Decimal("250000.00"), "committed": Decimal("0.00"),
        "paid": Decimal("0.00"), "available": Decimal("250000.00"), "outstanding": Decimal("0.00"),
    }


def test_cent_amounts_add_up_exactly():
    fund = FundFactory(size=Decimal("1.00"))
    for _ in range(3):
        ledger(fund, LedgerKind.COMMITMENT, "0.10")
    ledger(fund, LedgerKind.COMMITMENT, "0.20")

    balance = fund_balance(fund)

    assert (balance["committed"], balance["available"]) == (Decimal("0.50"), Decimal("0.50"))


def test_funds_list_shows_exact_balances_with_thousands_separators_and_currency(client):
    signed_in(client, "fund_manager")
    fund = fund_with_movements()
    proposal = ProposalFactory(call__fund=fund)
    FundingDecision.objects.create(proposal=proposal, fund=fund, outcome=FundingOutcome.DECLINED,
                                   reasons="预算不足", decided_by=UserFactory(role="fund_manager"))

    response = client.get(reverse("funding:funds"))

    assert response.status_code == 200
    [row] = response.context["rows"]
    assert (row["fund"], row["size"], row["committed"], row["paid"], row["available"], row["decision_count"]) == (
        fund,
        Money(Decimal("1000000.00"), "CNY"),
        Money(Decimal("450000.25"), "CNY"),
        Money(Decimal("120000.33"), "CNY"),
        Money(Decimal("549999.75"), "CNY"),
        1,
    )
    html = response.content.decode()
    for text in ("1,000,000.00 CNY", "450,000.25 CNY", "120,000.33 CNY", "549,999.75 CNY"):
        assert f'<td class="num">{text}</td>' in html


def test_decision_count_does_not_inflate_the_balances(client):
    signed_in(client, "fund_manager")
    fund = fund_with_movements()
    manager = UserFactory(role="fund_manager")
    for _ in range(3):
        FundingDecision.objects.create(proposal=ProposalFactory(call__fund=fund), fund=fund,
                                       outcome=FundingOutcome.DECLINED, reasons="-", decided_by=manager)

    [row] = client.get(reverse("funding:funds")).context["rows"]

    assert (row["committed"].amount, row["paid"].amount, row["decision_count"]) == (
        Decimal("450000.25"), Decimal("120000.33"), 3)


@pytest.mark.parametrize("count", [1, 3])
def test_funds_list_query_count_does_not_grow_with_funds(client, django_assert_num_queries, count):
    signed_in(client, "fund_manager")
    manager = UserFactory(role="fund_manager")
    for _ in range(count):
        fund = fund_with_movements(actor=manager)
        FundingDecision.objects.create(proposal=ProposalFactory(call__fund=fund), fund=fund,
                                       outcome=FundingOutcome.DECLINED, reasons="-", decided_by=manager)

    with django_assert_num_queries(FUNDS_LIST_QUERIES):
        response = client.get(reverse("funding:funds"))

    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_fund_page_query_count_does_not_grow_with_ledger_rows(client, django_assert_num_queries, count):
    manager = signed_in(client, "fund_manager")
    fund = FundFactory()
    for _ in range(count):
        proposal = ProposalFactory(call__fund=fund)
        ledger(fund, LedgerKind.COMMITMENT, "1000.00", proposal=proposal, actor=manager)
        FundingDecision.objects.create(proposal=proposal, fund=fund, outcome=FundingOutcome.APPROVED,
                                       amount=Decimal("1000.00"), decided_by=manager)

    with django_assert_num_queries(FUND_DETAIL_QUERIES):
        response = client.get(reverse("funding:fund", args=[fund.pk]))

    assert (len(response.context["entries"]), len(response.context["decisions"])) == (count, count)


def test_fund_page_lists_ledger_entries_and_decisions_linked_to_their_proposals(client):
    manager = signed_in(client, "fund_manager")
    fund = FundFactory(size=Decimal("2000000.00"))
    proposal = ProposalFactory(call__fund=fund, reference="POC-2026-0007", title="固态电池隔膜")
    ledger(fund, LedgerKind.COMMITMENT, "300000.00", proposal=proposal, actor=manager, reference="POC-2026-0007")
    ledger(fund, LedgerKind.RELEASE, "100000.00", proposal=proposal, actor=manager)
    FundingDecision.objects.create(proposal=proposal, fund=fund, outcome=FundingOutcome.APPROVED,
                                   instrument=Instrument.INVEST_FIRST, amount=Decimal("300000.00"),
                                   decided_by=manager)

    response = client.get(reverse("funding:fund", args=[fund.pk]))

    assert response.status_code == 200
    balance = response.context["balance"]
    assert (balance["committed"], balance["paid"], balance["available"]) == (
        Money(Decimal("300000.00"), "CNY"), Money(Decimal("100000.00"), "CNY"), Money(Decimal("1700000.00"), "CNY"))
    assert [(e.kind, str(e.money)) for e in response.context["entries"]] == [
        (LedgerKind.COMMITMENT, "300,000.00 CNY"), (LedgerKind.RELEASE, "100,000.00 CNY")]
    html = response.content.decode()
    link = f'<a href="{reverse("proposals:detail", args=[proposal.pk])}">POC-2026-0007 固态电池隔膜</a>'
    assert html.count(link) == 3  # two ledger rows and the decision
    assert manager.display_name in html


@pytest.mark.parametrize("role", ["fund_manager", "program_officer", "administrator"])
def test_funding_staff_can_open_the_fund_pages(client, role):
    signed_in(client, role)
    fund = FundFactory()

    statuses = [client.get(reverse("funding:funds")).status_code,
                client.get(reverse("funding:fund", args=[fund.pk])).status_code]

    assert statuses == [200, 200]


@pytest.mark.parametrize("role", ["researcher", "expert", "incubation_manager"])
def test_other_roles_are_refused_every_funding_page(client, role):
    signed_in(client, role)
    fund = FundFactory()

    statuses = [client.get(reverse("funding:funds")).status_code,
                client.get(reverse("funding:fund", args=[fund.pk])).status_code]

    assert statuses == [403, 403]


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    fund = FundFactory()

    for url in (reverse("funding:funds"), reverse("funding:fund", args=[fund.pk])):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")


def test_unknown_fund_is_404_for_a_fund_manager(client):
    signed_in(client, "fund_manager")

    assert client.get(reverse("funding:fund", args=[999999])).status_code == 404
