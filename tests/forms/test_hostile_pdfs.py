"""Every hostile PDF of the corpus is refused for its reason; every clean one is accepted."""

import io

import pikepdf
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from forms.pdfs import limit_qpdf
from forms.uploads import MB, validate_upload
from tests.forms.hostile_pdfs import CLEAN, HOSTILE, flate_bomb_object_stream, js_in_object_stream
from tests.forms.samples import upload

pytestmark = pytest.mark.usefixtures("english")

MESSAGES = {
    "pdf_active_content": "This PDF contains scripts, launch actions or embedded files. Please upload a plain PDF export.",
    "pdf_encrypted": "This PDF is protected by a password. Please upload a copy without the password.",
    "pdf_polyglot": "This file is a PDF combined with other content. Please upload a plain PDF export.",
    "pdf_bomb": "The PDF unpacks to too much data to be checked safely.",
    "corrupt": "The file is damaged or incomplete.",
}


def check(content: bytes) -> str:
    return validate_upload(upload("plan.pdf", content), allowed_types=["pdf"], max_bytes=5 * MB)


@pytest.mark.parametrize(("build", "code"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_pdf_is_refused_with_its_reason(build, code):
    with pytest.raises(ValidationError) as caught:
        check(build())

    assert (caught.value.code, caught.value.messages) == (code, [MESSAGES[code]])


@pytest.mark.real_pdf
@pytest.mark.parametrize("build", CLEAN.values(), ids=CLEAN.keys())
def test_clean_pdf_is_accepted(build):
    assert check(build()) == "pdf"


@pytest.mark.parametrize("filters", [["/FlateDecode"], ["/ASCIIHexDecode"], ["/ASCII85Decode"], ["/LZWDecode"],
                                     ["/RunLengthDecode"], ["/ASCII85Decode", "/FlateDecode"]], ids=str)
def test_qpdf_reads_the_corpus_object_streams(filters):
    """The corpus is real: qpdf decodes each encoded object stream and finds the script in it."""
    with pikepdf.open(io.BytesIO(js_in_object_stream(*filters))) as pdf:
        assert str(pdf.Root.OpenAction.JS) == "app.alert(1)"


@pytest.fixture
def decoding_limit_of_one_megabyte():
    limit_qpdf(1 * MB)
    yield
    limit_qpdf(settings.PDF_MAX_DECODED_BYTES)


@pytest.mark.usefixtures("decoding_limit_of_one_megabyte")
def test_object_stream_inflating_past_the_limit_is_refused_as_a_bomb():
    content = flate_bomb_object_stream(megabytes=3)
    assert len(content) < 20 * 1024  # tiny on the wire

    with pytest.raises(ValidationError) as caught:
        check(content)

    assert (caught.value.code, caught.value.messages) == ("pdf_bomb", [MESSAGES["pdf_bomb"]])


@pytest.mark.usefixtures("decoding_limit_of_one_megabyte")
def test_object_stream_within_the_limit_is_read():
    assert check(flate_bomb_object_stream(megabytes=0)) == "pdf"
