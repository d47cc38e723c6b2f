import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from decisions.enums import DocumentKind
from decisions.services.letters import issue_letter
from tests.factories import UserFactory


@pytest.fixture
def letter(funded_proposal):
    return issue_letter(proposal=funded_proposal, kind=DocumentKind.APPROVAL_LETTER)


def letter_bytes(document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def download(client, user, document):
    client.force_login(user)
    return client.get(reverse("decisions:download", args=[document.pk]))


def test_applicant_downloads_their_letter_as_a_pdf_attachment(client, letter):
    response = download(client, letter.proposal.applicant, letter)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="approval_letter-POC-2026-0007.pdf"'
    assert b"".join(response.streaming_content) == letter_bytes(letter)


def test_program_officer_downloads_any_letter(client, letter):
    response = download(client, UserFactory(role="program_officer"), letter)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == letter_bytes(letter)


@pytest.mark.parametrize("role", ["researcher", "expert"])
def test_other_users_may_not_download_a_letter(client, letter, role):
    response = download(client, UserFactory(role=role), letter)

    assert response.status_code == 403


def test_anonymous_download_goes_to_login(client, letter):
    response = client.get(reverse("decisions:download", args=[letter.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_verify_page_is_public(client):
    response = client.get(reverse("decisions:verify"))

    assert response.status_code == 200
    assert response.context["checked"] is False


def test_uploaded_original_letter_is_authentic(client, letter):
    upload = _upload(letter_bytes(letter))

    response = client.post(reverse("decisions:verify"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert (response.context["checked"], response.context["document"]) == (True, letter)
    content = response.content.decode()
    assert "Authentic: this is an unaltered document issued by pocflow." in content
    assert "POC-2026-0007" in content
    assert letter.proposal.title not in content  # the content of the letter is not disclosed


def test_modified_letter_is_not_authentic(client, letter):
    data = bytearray(letter_bytes(letter))
    data[len(data) // 2] ^= 0x01

    response = client.post(reverse("decisions:verify"), {"file": _upload(bytes(data))}, HTTP_ACCEPT_LANGUAGE="en")

    assert (response.context["checked"], response.context["document"]) == (True, None)
    assert "Not authentic" in response.content.decode()


def test_pasted_fingerprint_is_checked_case_and_space_insensitively(client, letter):
    pasted = " ".join([letter.sha256[:32].upper(), letter.sha256[32:]])

    response = client.post(reverse("decisions:verify"), {"sha256": pasted})

    assert (response.context["checked"], response.context["document"]) == (True, letter)


def test_verify_form_needs_a_file_or_a_well_formed_fingerprint(client):
    empty = client.post(reverse("decisions:verify"), {"sha256": ""})
    malformed = client.post(reverse("decisions:verify"), {"sha256": "abc123"})

    assert empty.context["checked"] is False and empty.context["form"].non_field_errors()
    assert malformed.context["checked"] is False and "sha256" in malformed.context["form"].errors
    assert (empty.status_code, malformed.status_code) == (400, 400)  # invalid input is not a 200


def _upload(data: bytes):
    return SimpleUploadedFile("letter.pdf", data, content_type="application/pdf")
