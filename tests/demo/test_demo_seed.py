"""The demo seed: the researcher's proposals reach every stage through the real services, once."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from decisions.enums import DocumentKind
from decisions.models import Document
from demo import seed as demo
from funding.enums import CommissionEntryKind, Instrument, LedgerKind
from funding.models import CommissionEntry, EligibilityFacts, FundingDecision, LedgerEntry
from funding.services.eligibility import evaluate
from incubation.enums import AgreementStatus, TrancheStatus
from incubation.models import (
    Agreement,
    BudgetLine,
    Company,
    Milestone,
    Project,
    TechContract,
    TechManagerAssignment,
    Tranche,
)
from proposals.enums import ProposalStatus as S
from proposals.models import AuditEntry, Proposal
from reviews.enums import NoticeStatus, ReviewStatus
from reviews.models import PublicNotice, Review
from workflows import services
from workflows.flows import ProposalFlow

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(django_capture_on_commit_callbacks):
    # the test runs inside a transaction: run the after-commit work (PDF rendering, mails) explicitly
    with django_capture_on_commit_callbacks(execute=True):
        result = demo.seed_demo()
        story = demo.seed_demo_story(call=result["call"])
    return story


def story_proposal(title):
    return Proposal.objects.get(title=title, applicant__username="researcher")


def counts():
    return {model.__name__: model.objects.count() for model in (
        Proposal, Review, Project, Agreement, Tranche, Milestone, BudgetLine, LedgerEntry, CommissionEntry,
        FundingDecision, PublicNotice, Company, TechContract, TechManagerAssignment, EligibilityFacts, Document,
        AuditEntry)}


def test_the_story_reaches_every_stage(seeded):
    assert len(seeded["created"]) == len(demo.STORY) == 10 and seeded["skipped"] == ""

    screening = story_proposal(demo.STORY_SCREENING)
    assert screening.status == S.SUBMITTED and screening.answers.count() == 2  # both required questions answered
    assert services.open_task(proposal=screening, node=ProposalFlow.screen) is not None  # the officer's inbox

    in_review = story_proposal(demo.STORY_REVIEW)
    assert in_review.status == S.IN_REVIEW
    statuses = sorted(Review.objects.filter(proposal=in_review).values_list("status", flat=True))
    assert statuses == sorted([ReviewStatus.SUBMITTED, ReviewStatus.ASSIGNED, ReviewStatus.ASSIGNED])

    # the grant project: signed, first tranche paid with its reference in the ledger, commission accrued
    funded = story_proposal(demo.STORY_FUNDED)
    assert funded.status == S.FUNDED
    assert PublicNotice.objects.filter(entries__proposal=funded, status=NoticeStatus.CLOSED).exists()
    agreement = Agreement.objects.get(project__proposal=funded)
    assert agreement.status == AgreementStatus.SIGNED and agreement.instrument == Instrument.GRANT
    assert len(PdfReader(agreement.signed_file.open("rb")).pages) == 1
    lines = BudgetLine.objects.filter(agreement=agreement)
    assert lines.count() == 4 and sum(line.amount for line in lines) == agreement.amount == funded.requested_amount
    assert Milestone.objects.filter(project__proposal=funded).count() == 3
    first, *rest = Tranche.objects.filter(agreement=agreement).order_by("order")
    assert first.status == TrancheStatus.RELEASED and first.payment_reference
    assert [t.status for t in rest] == [TrancheStatus.PLANNED] * len(rest)
    release = LedgerEntry.objects.get(proposal=funded, kind=LedgerKind.RELEASE)
    assert (release.reference, release.amount) == (first.payment_reference, first.amount)
    assert release.actor.username == "fundmanager"
    assert first.ledger_entry_id == release.pk
    assert Company.objects.filter(project__proposal=funded).exists()
    contract = TechContract.objects.get(project__proposal=funded)
    accruals = CommissionEntry.objects.filter(proposal=funded, kind=CommissionEntryKind.ACCRUAL)
    assert {e.manager.username for e in accruals} == {"techmanager"}
    assert sum(e.amount for e in accruals) == contract.amount * Decimal("0.03")  # the demo's staged 3 % rule

    # the invest-first project passed the call's eligibility rules; signed, its first tranche waits for release
    invest = story_proposal(demo.STORY_INVEST_FIRST)
    assert invest.status == S.FUNDED
    assert not [r for r in evaluate(invest, Instrument.INVEST_FIRST) if r.blocks]
    agreement = Agreement.objects.get(project__proposal=invest)
    assert (agreement.instrument, agreement.status) == (Instrument.INVEST_FIRST, AgreementStatus.SIGNED)
    assert agreement.conversion_deadline and agreement.deadline_action
    assert Tranche.objects.filter(agreement=agreement, status=TrancheStatus.PLANNED).exists()

    # the documents were rendered after commit
    kinds = {(d.proposal_id, d.kind) for d in Document.objects.all()}
    for proposal in (funded, invest):
        for kind in (DocumentKind.APPROVAL_LETTER, DocumentKind.REVIEW_SUMMARY, DocumentKind.FUNDING_AGREEMENT):
            assert (proposal.pk, kind) in kinds
    assert (funded.pk, DocumentKind.TRANCHE_NOTICE) in kinds


def test_seeding_again_adds_nothing(seeded, django_capture_on_commit_callbacks):
    before = counts()
    assert before["Proposal"] == len(demo.STORY) and before["Document"] >= 7
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("seed_demo", stdout=out)
    assert counts() == before
    assert callbacks == []
    assert f"all {len(demo.STORY)} already present, nothing added" in out.getvalue()
