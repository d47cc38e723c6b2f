"""The operating center's identity on its letters: name in the letter's language, logo and seal, address and
contact, and a document number (文号) given once per letter, counted per center and year."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from centers.models import Center
from centers.services import allocate_number
from decisions.enums import DocumentKind
from decisions.services.letters import issue_letter
from tests.decisions.conftest import approve_funding, make_proposal
from tests.decisions.pdfutil import pdf_text, squash

pytestmark = pytest.mark.django_db


def png(size=(40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (180, 20, 20, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def center():
    center = Center.objects.create(name_zh="杭州概念验证中心", name_en="Hangzhou Proof-of-Concept Center",
                                   address_zh="杭州市西湖区文三路 1 号", contact_person="陈老师", phone="0571-8888 0000",
                                   number_prefix="杭概证", is_default=True)
    center.logo.save("logo.png", SimpleUploadedFile("logo.png", png()), save=False)
    center.seal.save("seal.png", SimpleUploadedFile("seal.png", png((200, 200))), save=True)
    return center


def text_of(document):
    with document.file.open("rb") as handle:
        return pdf_text(handle.read())


def test_a_letter_carries_the_centers_name_contact_and_number_and_the_number_is_given_once(center, applicant,
                                                                                             decided_at):
    proposal = make_proposal(applicant=applicant)
    approve_funding(proposal=proposal, decided_at=decided_at)
    letter = issue_letter(proposal=proposal, kind=DocumentKind.APPROVAL_LETTER)
    year = timezone.localdate().year
    assert letter.number == f"杭概证〔{year}〕1号"
    text = text_of(letter)
    for expected in ("杭州概念验证中心", f"杭概证〔{year}〕1号", "杭州市西湖区文三路1号", "陈老师"):
        assert squash(expected) in text, expected
    with letter.file.open("rb") as handle:
        assert handle.read().count(b"/Subtype /Image") >= 2  # the logo and the seal
    assert issue_letter(proposal=proposal, kind=DocumentKind.APPROVAL_LETTER).number == letter.number  # stored once
    assert allocate_number() == f"杭概证〔{year}〕2号"
    assert allocate_number(year=year + 1) == f"杭概证〔{year + 1}〕1号"  # counted per year


def test_an_english_letter_names_the_center_in_english(center, decided_at):
    from tests.factories import UserFactory  # noqa: PLC0415

    proposal = make_proposal(applicant=UserFactory(language="en"), language="en", reference="POC-2026-0099")
    approve_funding(proposal=proposal, decided_at=decided_at)
    assert squash("Hangzhou Proof-of-Concept Center") in text_of(
        issue_letter(proposal=proposal, kind=DocumentKind.APPROVAL_LETTER))


def test_without_a_prefix_letters_carry_no_number_and_without_a_center_the_fund_signs():
    assert allocate_number() == ""
    Center.objects.create(name_zh="中心", is_default=True)
    assert allocate_number() == ""


@pytest.mark.parametrize("content", [b"<svg onload=alert(1)>", b"GIF89a" + b"\0" * 40, png()[:60]])
def test_a_logo_that_is_not_a_whole_png_or_jpeg_is_refused(content):
    center = Center(name_zh="中心", logo=SimpleUploadedFile("logo.png", content))
    with pytest.raises(ValidationError) as refused:
        center.full_clean()
    assert "logo" in refused.value.message_dict
