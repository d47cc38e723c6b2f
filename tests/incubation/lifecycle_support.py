"""Projects with a signed agreement for the lifecycle tests (reports, mid-term, changes, acceptance)."""

import datetime as dt
from decimal import Decimal

from django.test import Client

from funding.enums import LedgerKind
from funding.models import LedgerEntry
from funding.selectors import fund_balance
from incubation.enums import TrancheGate
from incubation.models import Agreement, Tranche
from incubation.services.money import release_tranche
from proposals.models import AuditEntry
from tests.factories import UserFactory
from tests.helpers import World

AMOUNT = Decimal("200000.00")


class LifecycleWorld(World):
    """The standard world (one expert) with a second incubation manager (four eyes)."""

    def __init__(self, **kwargs):
        super().__init__(experts=1, **kwargs)
        self.fund = self.call.fund
        self.other_incubator = UserFactory(role="incubation_manager")

    def signed_project(self, amount=AMOUNT, *, signed_on: dt.date | None = None, **kwargs):
        """A project whose agreement is signed (optionally back-dated to `signed_on`)."""
        project = self.incubating(amount=amount, **kwargs)
        agreement = self.signed(project)
        if signed_on is not None:
            Agreement.objects.filter(pk=agreement.pk).update(signed_on=signed_on)
        project.refresh_from_db()
        return project

    def release(self, project, gate=TrancheGate.SIGNATURE, reference="BANK-001"):
        tranche = Tranche.objects.get(agreement__project=project, gate=gate)
        tranche, _released = release_tranche(tranche=tranche, actor=self.fund_manager, reference=reference)
        return tranche

    def available(self):
        return fund_balance(self.fund)["available"]


def team_of(project):
    return project.proposal.applicant


def client_for(user, language="en"):
    user.language = language
    user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def returns_of(project):
    return list(LedgerEntry.objects.filter(proposal=project.proposal, kind=LedgerKind.RETURN)
                .values_list("amount", flat=True))


def audit_rows(project, prefix=""):
    return list(AuditEntry.objects.filter(proposal=project.proposal, action__startswith=prefix)
                .order_by("pk").values_list("action", "from_state", "to_state"))
