"""A PDF attachment's metadata (author, title, XMP) reaches the applicant and staff only: anyone else,
an expert above all, downloads a copy without it; staff see the author and title beside the file."""

import io

import pikepdf
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfReader

from tests.forms.samples import PDF, image
from tests.permissions.scene import Scene

pytestmark = pytest.mark.django_db

AUTHOR, TITLE = "张三丰", "张三丰的商业计划书 (清华大学)"


def names_the_author(data: bytes) -> bool:
    """The author's name in the bytes, as a PDF string (UTF-16, raw or hex) or in XMP (UTF-8)."""
    utf16 = AUTHOR.encode("utf-16-be")
    return any(form in data for form in (utf16, utf16.hex().encode(), utf16.hex().upper().encode(),
                                         AUTHOR.encode()))


def pdf_naming_its_author() -> bytes:
    with pikepdf.open(io.BytesIO(PDF)) as pdf:
        pdf.docinfo["/Author"] = AUTHOR
        pdf.docinfo["/Title"] = TITLE
        pdf.docinfo["/Subject"] = "清华大学"
        pdf.docinfo["/Keywords"] = "张三丰"
        pdf.docinfo["/Creator"] = "Word for 张三丰"
        pdf.docinfo["/Producer"] = "清华大学 PDF"
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp["dc:creator"] = [AUTHOR]
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


@pytest.fixture
def scene():
    scene = Scene("in_review")
    scene.world.call.blind_identity = True
    scene.world.call.save(update_fields=["blind_identity"])
    scene.content = pdf_naming_its_author()
    scene.answer.file.save("plan.pdf", ContentFile(scene.content))
    return scene


def download(scene, role, answer=None):
    response = scene.client(role).get(reverse("proposals:answer_file", args=[(answer or scene.answer).pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_experts_copy_has_no_author_title_or_xmp(scene):
    data = download(scene, "assigned_expert")

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1  # still the document
    info = reader.metadata or {}
    assert not {"/Author", "/Title", "/Subject", "/Keywords", "/Creator", "/Producer"} & set(info)
    assert reader.xmp_metadata is None
    assert names_the_author(scene.content) and not names_the_author(data)


@pytest.mark.parametrize("role", ["owner", "program_officer"])
def test_the_applicant_and_staff_download_the_original_byte_for_byte(scene, role):
    assert download(scene, role) == scene.content


def with_neutral_information_appended(original: bytes) -> bytes:
    """An incremental update that replaces the document information; the old one stays in the first revision."""
    with pikepdf.open(io.BytesIO(original)) as pdf:
        info, root, size = pdf.trailer.Info.objgen[0], pdf.Root.objgen[0], int(pdf.trailer.Size)
    previous = int(original.rsplit(b"startxref", 1)[1].split()[0])
    update_at = len(original)
    update = b"%d 0 obj\n<< /Title (neutral) >>\nendobj\n" % info
    xref_at = update_at + len(update)
    update += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (info, update_at)
    update += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size, root, info, previous, xref_at)
    return original + update


def test_an_earlier_revision_does_not_keep_the_old_author_in_the_experts_copy(scene):
    updated = with_neutral_information_appended(scene.content)
    assert names_the_author(updated[:len(scene.content)])  # still there, in the first revision
    scene.answer.file.save("plan.pdf", ContentFile(updated))

    data = download(scene, "assigned_expert")

    assert not names_the_author(data) and b"neutral" not in data


def test_other_attachments_reach_the_expert_unchanged(scene):
    png = image("PNG")
    scene.answer.file.save("photo.png", ContentFile(png))
    scene.answer.content_type = "image/png"
    scene.answer.save(update_fields=["content_type"])

    assert download(scene, "assigned_expert") == png


def test_staff_see_the_pdfs_author_and_title_beside_the_attachment(scene):
    officer = scene.users["program_officer"]
    officer.language = "en"
    officer.save(update_fields=["language"])

    page = scene.client("program_officer").get(reverse("proposals:detail", args=[scene.proposal.pk])).content.decode()

    assert f"PDF author: {AUTHOR}" in page
    assert "PDF title: 张三丰的商业计划书 (清华大学)" in page


def test_an_unreadable_pdf_is_not_sent_to_the_expert_in_place_of_the_copy(scene):
    scene.answer.file.save("plan.pdf", ContentFile(b"%PDF-1.4\nnot really\n%%EOF\n"))

    response = scene.client("assigned_expert").get(reverse("proposals:answer_file", args=[scene.answer.pk]),
                                                    HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert b"not really" not in response.content
