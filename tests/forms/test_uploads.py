import pytest
from django.core.exceptions import ValidationError

from forms.uploads import MB, accept_attribute, validate_upload
from tests.forms.samples import (
    PDF,
    image,
    ooxml,
    ooxml_unpacking_to,
    pdf_with,
    pdf_with_object_stream,
    pdf_with_stream,
    plain_zip,
    upload,
)

pytestmark = pytest.mark.usefixtures("english")

ALL_TYPES = ["pdf", "docx", "xlsx", "pptx", "png", "jpg"]


def refusal(file, *, allowed_types=ALL_TYPES, max_bytes=5 * MB) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_upload(file, allowed_types=allowed_types, max_bytes=max_bytes)
    return caught.value


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("plan.pdf", PDF, "pdf"),
        ("plan.PDF", PDF, "pdf"),
        ("plan.docx", ooxml("docx"), "docx"),
        ("budget.xlsx", ooxml("xlsx"), "xlsx"),
        ("pitch.pptx", ooxml("pptx"), "pptx"),
        ("photo.png", image("PNG"), "png"),
        ("photo.jpg", image("JPEG"), "jpg"),
        ("photo.jpeg", image("JPEG"), "jpg"),
    ],
)
def test_accepted_file_returns_type_detected_from_content(name, content, expected):
    assert validate_upload(upload(name, content), allowed_types=ALL_TYPES, max_bytes=MB) == expected


def test_validation_rewinds_the_file():
    file = upload("plan.pdf", PDF)

    validate_upload(file, allowed_types=["pdf"], max_bytes=MB)

    assert file.read() == PDF


def test_client_content_type_is_ignored():
    assert validate_upload(upload("plan.pdf", PDF, "image/png"), allowed_types=["pdf"], max_bytes=MB) == "pdf"


def test_empty_file_is_refused():
    error = refusal(upload("plan.pdf", b""))

    assert (error.code, error.messages) == ("empty", ["The file is empty."])


def test_file_over_the_limit_is_refused_with_the_limit_in_megabytes():
    error = refusal(upload("plan.pdf", PDF + b" " * (2 * MB)), max_bytes=2 * MB)

    assert (error.code, error.messages) == ("too_large", ["The file is larger than the limit of 2 MB."])


def test_file_of_exactly_the_limit_is_accepted():
    content = PDF.replace(b"%%EOF", b" " * (MB - len(PDF)) + b"%%EOF")
    assert len(content) == MB

    assert validate_upload(upload("plan.pdf", content), allowed_types=["pdf"], max_bytes=MB) == "pdf"


def test_type_not_allowed_lists_the_allowed_types():
    error = refusal(upload("plan.docx", ooxml("docx")), allowed_types=["pdf", "png"])

    assert error.code == "type_not_allowed"
    assert error.messages == ["This type of file is not accepted here. Allowed types: PDF, PNG."]


def test_extension_that_disagrees_with_content_is_refused():
    error = refusal(upload("plan.pdf", ooxml("docx")))

    assert error.code == "extension_mismatch"
    assert error.messages == ["The file name must end in .docx to match its content (Word document (.docx))."]


def test_png_named_jpg_is_refused():
    error = refusal(upload("photo.jpg", image("PNG")))

    assert error.code == "extension_mismatch"
    assert error.messages == ["The file name must end in .png to match its content (PNG)."]


def test_file_without_extension_is_refused():
    assert refusal(upload("plan", PDF)).code == "extension_mismatch"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + PDF),
        ("evil.png", b"MZ" + image("PNG")),
        ("evil.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\0" * 64),
        ("evil.docx", b"\x7fELF\x02\x01\x01\x00" + ooxml("docx")),
    ],
)
def test_executable_is_refused_whatever_its_name(name, content):
    error = refusal(upload(name, content))

    assert (error.code, error.messages) == ("executable", ["Programs and executable files are not accepted."])


def test_unrecognised_content_is_refused():
    error = refusal(upload("notes.pdf", "就是一段文字".encode()), allowed_types=["pdf", "docx"])

    assert error.code == "unrecognised"
    assert error.messages == [
        "The file's content is not a recognised document or image. Allowed types: PDF, Word document (.docx)."
    ]


@pytest.mark.parametrize(
    "content",
    [
        pdf_with(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        pdf_with(b"/OpenAction 4 0 R /AA << /O << /JS (app.alert(1)) >> >>"),
        pdf_with(b"/OpenAction << /S /J#61vaScript >>"),
        pdf_with(b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
        pdf_with(b"/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>"),
        pdf_with_object_stream(b"4 0 << /S /JavaScript /JS (app.alert(1)) >>"),
    ],
    ids=["javascript", "js-key", "escaped-name", "launch", "embedded-file", "hidden-in-object-stream"],
)
def test_pdf_with_active_content_is_refused(content):
    error = refusal(upload("plan.pdf", content))

    assert error.code == "pdf_active_content"
    assert error.messages == [
        "This PDF contains scripts, launch actions or embedded files. Please upload a plain PDF export."
    ]


def test_pdf_whose_binary_stream_happens_to_contain_js_bytes_is_accepted():
    content = pdf_with_stream(b"\x89\x02/JS\x00\xff binary image data", head=b"/Filter /DCTDecode")

    assert validate_upload(upload("plan.pdf", content), allowed_types=["pdf"], max_bytes=MB) == "pdf"


def test_truncated_pdf_is_refused_as_damaged():
    error = refusal(upload("plan.pdf", PDF[:-8]))

    assert (error.code, error.messages) == ("corrupt", ["The file is damaged or incomplete."])


def test_docx_with_macros_is_refused():
    error = refusal(upload("plan.docx", ooxml("docx", extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})))

    assert error.code == "macros"
    assert error.messages == [
        "Documents with macros are not accepted. Save it as a macro-free .docx, .xlsx or .pptx file."
    ]


def test_document_unpacking_to_over_100_mb_is_refused_as_zip_bomb():
    content = ooxml_unpacking_to(101)
    assert len(content) < MB  # tiny on the wire

    error = refusal(upload("plan.docx", content))

    assert error.code == "zip_bomb"
    assert error.messages == ["The document unpacks to too many parts or too much data to be checked safely."]


def test_document_with_over_2000_parts_is_refused_as_zip_bomb():
    parts = {f"word/media/{n}.xml": b"<x/>" for n in range(2000)}

    assert refusal(upload("plan.docx", ooxml("docx", extra=parts))).code == "zip_bomb"


def test_broken_zip_is_refused_as_damaged():
    assert refusal(upload("plan.docx", ooxml("docx")[:40])).code == "corrupt"


def test_zip_that_is_not_an_office_document_is_unrecognised():
    assert refusal(upload("plan.docx", plain_zip())).code == "unrecognised"


def test_damaged_image_is_refused():
    assert refusal(upload("photo.png", image("PNG")[:30])).code == "corrupt"


def test_accept_attribute_lists_extensions_of_allowed_types():
    assert accept_attribute(["pdf", "jpg"]) == ".pdf,.jpg,.jpeg"

