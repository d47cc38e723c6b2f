import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail

from decisions.enums import DocumentKind
from decisions.models import Document
from decisions.pdf import FONT_FAMILY, FONT_POSTSCRIPT_NAME, MissingGlyphError
from decisions.services.letters import LetterNotReady, format_amount, issue_letter
from proposals.models import AuditEntry, Proposal
from proposals.signals import proposal_transitioned
from reviews.models import PanelDecision
from tests.decisions.conftest import (
    EXPECTED_MEAN,
    EXPECTED_TOTALS,
    EXPERTS,
    PANEL_FEEDBACK,
    RARE_NAME,
    approve_funding,
    make_proposal,
)
from tests.decisions.pdfutil import embedded_fonts, pdf_text, squash
from tests.factories import UserFactory

APPROVAL = DocumentKind.APPROVAL_LETTER
REJECTION = DocumentKind.REJECTION_LETTER


def letter_bytes(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        (Decimal("300000"), "CNY", "zh-hans", "人民币 300,000.00 元"),
        (Decimal("300000"), "CNY", "en", "300,000.00 CNY"),
        (Decimal("1234567.5"), "USD", "zh-hans", "1,234,567.50 USD"),
    ],
)
def test_amounts_are_grouped_with_two_decimals_and_an_explicit_currency(amount, currency, language, expected):
    assert format_amount(amount=amount, currency=currency, language=language) == expected


def test_chinese_approval_letter_prints_rare_name_characters_in_the_bundled_font(funded_proposal):
    document = issue_letter(proposal=funded_proposal, kind=APPROVAL)

    pdf = letter_bytes(document)
    text = pdf_text(pdf)
    for expected in (RARE_NAME, "2026年度概念验证项目申报", "POC-2026-0007", "高效钙钛矿电池概念验证",
                     "清华大学", "人民币300,000.00元", "2026年3月5日", funded_proposal.call.fund.name_zh):
        assert expected in text
    assert {(f["pdf_name"], f["embedded"], f["postscript_name"]) for f in embedded_fonts(pdf)} == {
        (FONT_FAMILY.replace(" ", "-"), True, FONT_POSTSCRIPT_NAME)
    }
    assert (document.kind, document.language, document.template_version) == (APPROVAL, "zh-hans", "approval-v1")


def test_english_approval_letter_uses_english_titles_and_amount(applicant, decided_at):
    proposal = make_proposal(applicant=applicant, language="en", reference="POC-2026-0008")
    approve_funding(proposal=proposal, decided_at=decided_at, amount=Decimal("250000.00"))

    document = issue_letter(proposal=proposal, kind=APPROVAL)

    text = pdf_text(letter_bytes(document))
    for expected in ("Notice of project approval", f"Dear {RARE_NAME},", "2026 Proof-of-Concept Call",
                     "250,000.00 CNY", "March 5, 2026", "POC-2026-0008-APP", proposal.call.fund.name_en):
        assert squash(expected) in text
    assert "人民币" not in text
    assert document.language == "en"


def test_rejection_letter_gives_anonymous_expert_opinions_with_totals_and_mean(rejected_proposal):
    document = issue_letter(proposal=rejected_proposal, kind=REJECTION)

    text = pdf_text(letter_bytes(document))
    assert squash(PANEL_FEEDBACK) in text
    for number, ((name, org, _scores, opinion, note), total) in enumerate(zip(EXPERTS, EXPECTED_TOTALS), start=1):
        assert squash(f"Expert {number}") in text
        assert squash(f"Weighted total: {total}") in text
        assert squash(opinion) in text
        assert squash(name) not in text
        assert squash(org) not in text
        assert squash(note) not in text
    assert squash(f"Mean of the weighted totals: {EXPECTED_MEAN}") in text
    assert "Expert 4" not in text
    assert "草稿意见" not in text and "孙草稿" not in text
    assert document.template_version == "rejection-v1"


def test_invitation_to_resubmit_letter_says_so(rejected_proposal):
    # decisions are append-only: the panel's later decision is the one the letter reports
    first = PanelDecision.objects.get(proposal=rejected_proposal)
    PanelDecision.objects.create(proposal=rejected_proposal, outcome="invite_resubmission", feedback=first.feedback,
                                 decided_by=first.decided_by, decided_at=first.decided_at + dt.timedelta(minutes=1))

    document = issue_letter(proposal=rejected_proposal, kind=REJECTION)

    text = pdf_text(letter_bytes(document))
    assert squash("the panel invites you to revise the proposal and resubmit it in the next round") in text
    assert squash("decided not to fund") not in text


def test_letter_is_issued_once_and_stored_with_the_sha256_of_its_file(funded_proposal):
    first = issue_letter(proposal=funded_proposal, kind=APPROVAL)
    again = issue_letter(proposal=funded_proposal, kind=APPROVAL)

    data = letter_bytes(first)
    assert again.pk == first.pk
    assert Document.objects.filter(proposal=funded_proposal).count() == 1
    assert first.sha256 == hashlib.sha256(data).hexdigest()
    assert first.size == len(data)
    assert data.startswith(b"%PDF-")
    audit = list(AuditEntry.objects.filter(proposal=funded_proposal, action="document.issued").values_list("data", flat=True))
    assert audit == [{"kind": "approval_letter", "sha256": first.sha256, "template_version": "approval-v1"}]


def test_applicant_is_mailed_a_download_link_after_commit(funded_proposal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = issue_letter(proposal=funded_proposal, kind=APPROVAL)

    assert [m.to for m in mail.outbox] == [[funded_proposal.applicant.email]]
    assert f"{settings.SITE_URL}/documents/{document.pk}/download/" in mail.outbox[0].body
    assert "POC-2026-0007" in mail.outbox[0].subject


def test_character_outside_the_font_is_an_error_and_nothing_is_stored(applicant, decided_at):
    proposal = make_proposal(applicant=applicant, title="𠮷野家概念验证")
    approve_funding(proposal=proposal, decided_at=decided_at)

    with pytest.raises(MissingGlyphError) as excinfo:
        issue_letter(proposal=proposal, kind=APPROVAL)

    assert excinfo.value.characters == ["𠮷"]
    assert Document.objects.count() == 0
    assert not AuditEntry.objects.filter(action="document.issued").exists()


def test_approval_letter_needs_an_approved_funding_decision(applicant):
    proposal = make_proposal(applicant=applicant)

    with pytest.raises(LetterNotReady):
        issue_letter(proposal=proposal, kind=APPROVAL)
    assert Document.objects.count() == 0


@pytest.mark.parametrize(("to_state", "kind"), [("funded", APPROVAL), ("rejected", REJECTION), ("resubmit_invited", REJECTION)])
def test_decided_transition_queues_the_matching_letter(request, to_state, kind, django_capture_on_commit_callbacks):
    proposal = request.getfixturevalue("funded_proposal" if kind == APPROVAL else "rejected_proposal")

    with django_capture_on_commit_callbacks(execute=True):
        proposal_transitioned.send(sender=Proposal, proposal=proposal, transition="x", from_state="panel",
                                   to_state=to_state, actor=None, note="")

    # the panel decision also issues the review summary (tests/decisions/test_review_docs.py)
    letters = Document.objects.filter(proposal=proposal).exclude(kind=DocumentKind.REVIEW_SUMMARY)
    assert list(letters.values_list("kind", flat=True)) == [kind]


def test_other_transitions_issue_no_letter(funded_proposal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal_transitioned.send(sender=Proposal, proposal=funded_proposal, transition="approve",
                                   from_state="panel", to_state="approved", actor=UserFactory(), note="")

    assert Document.objects.count() == 0
