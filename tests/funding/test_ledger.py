from decimal import Decimal

import pytest
from django.urls import reverse

from funding.enums import Instrument, LedgerKind
from funding.models import LedgerEntry
from funding.selectors import fund_balance, funds_with_balances
from tests.factories import FundFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_outstanding_is_committed_less_paid():
    fund = FundFactory(size=Decimal("1000.00"))
    for kind, amount in [(LedgerKind.COMMITMENT, "600.00"), (LedgerKind.RETURN, "100.00"), (LedgerKind.RELEASE, "200.00")]:
        LedgerEntry.objects.create(fund=fund, kind=kind, amount=Decimal(amount))

    assert fund_balance(fund) == {"size": Decimal("1000.00"), "committed": Decimal("500.00"), "paid": Decimal("200.00"),
                                  "available": Decimal("500.00"), "outstanding": Decimal("300.00")}


def test_selector_annotates_every_fund_in_one_query(django_assert_num_queries):
    funds = [FundFactory(size=Decimal("100.00")) for _ in range(3)]
    LedgerEntry.objects.create(fund=funds[1], kind=LedgerKind.COMMITMENT, amount=Decimal("40.00"))

    with django_assert_num_queries(1):
        available = {f.pk: Decimal(f.available) for f in funds_with_balances()}

    assert available == {funds[0].pk: Decimal("100.00"), funds[1].pk: Decimal("60.00"), funds[2].pk: Decimal("100.00")}


def test_fund_pages_show_period_instruments_threshold_and_outstanding(client):
    client.force_login(UserFactory(role="fund_manager"))
    fund = FundFactory(size=Decimal("1000.00"), instruments=[Instrument.GRANT], four_eyes_threshold=Decimal("250.00"))
    LedgerEntry.objects.create(fund=fund, kind=LedgerKind.COMMITMENT, amount=Decimal("300.00"))

    [row] = client.get(reverse("funding:funds")).context["rows"]
    detail = client.get(reverse("funding:fund", args=[fund.pk]))

    assert (str(row["outstanding"]), str(row["threshold"])) == ("300.00 CNY", "250.00 CNY")
    assert (str(detail.context["balance"]["outstanding"]), str(detail.context["threshold"])) == ("300.00 CNY", "250.00 CNY")
    html = detail.content.decode()
    assert f'{fund.starts_on:%Y-%m-%d}' in html and str(Instrument.GRANT.label) in html
