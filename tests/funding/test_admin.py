from decimal import Decimal

import pytest
from django.urls import reverse

from funding.enums import LedgerKind
from tests.factories import LedgerEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    return LedgerEntryFactory()  # a 1,000.00 commitment in a new fund


def test_ledger_entries_can_be_read_but_not_added_changed_or_deleted_in_the_admin(admin_client, entry):
    statuses = [
        admin_client.get(reverse("admin:funding_ledgerentry_changelist")).status_code,
        admin_client.get(reverse("admin:funding_ledgerentry_change", args=[entry.pk])).status_code,
        admin_client.get(reverse("admin:funding_ledgerentry_add")).status_code,
        admin_client.post(reverse("admin:funding_ledgerentry_change", args=[entry.pk]),
                          {"fund": entry.fund_id, "kind": LedgerKind.RETURN, "amount": "1.00"}).status_code,
        admin_client.post(reverse("admin:funding_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}).status_code,
    ]

    assert statuses == [200, 200, 403, 403, 403]
    entry.refresh_from_db()
    assert (entry.kind, entry.amount) == (LedgerKind.COMMITMENT, Decimal("1000.00"))


def test_fund_page_in_the_admin_shows_its_ledger_read_only(admin_client, entry):
    response = admin_client.get(reverse("admin:funding_fund_change", args=[entry.fund_id]))

    assert response.status_code == 200
    [inline] = response.context["inline_admin_formsets"]
    assert (inline.has_add_permission, inline.has_change_permission, inline.has_delete_permission) == (False, False, False)
    assert len(inline.formset.forms) == 1
