"""Every hostile PDF of the corpus is refused for its reason; every clean one is accepted."""

import io

import pikepdf
import pytest
from django.core.exceptions import ValidationError

from forms.uploads import MB, validate_upload
from tests.forms.hostile_pdfs import (
    CLEAN,
    HOSTILE,
    flate_bomb_object_stream,
    js_in_object_stream,
    lzw_bomb_object_stream,
    lzw_zeros,
)
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


def test_object_stream_inflating_past_the_limit_is_refused_as_a_bomb(settings):
    settings.PDF_MAX_DECODED_BYTES = 1 * MB
    content = flate_bomb_object_stream(megabytes=3)
    assert len(content) < 20 * 1024  # tiny on the wire

    with pytest.raises(ValidationError) as caught:
        check(content)

    assert (caught.value.code, caught.value.messages) == ("pdf_bomb", [MESSAGES["pdf_bomb"]])


def test_object_stream_within_the_limit_is_read(settings):
    settings.PDF_MAX_DECODED_BYTES = 1 * MB

    assert check(flate_bomb_object_stream(megabytes=0)) == "pdf"


def test_lzw_corpus_bomb_is_real():
    pdf = pikepdf.new()
    stream = pdf.make_stream(lzw_zeros(1), Filter=pikepdf.Name.LZWDecode)
    assert len(stream.read_bytes()) > 1000 * len(lzw_zeros(1))


def test_lzw_object_stream_past_the_checks_memory_is_refused_as_a_bomb(settings):
    """qpdf has no limit for LZW: the check's own process runs out of memory, not the web server's."""
    settings.PDF_CHECK_MAX_MEMORY = 256 * MB
    content = lzw_bomb_object_stream(cycles=60)  # about 330 KB that unpack to 440 MB
    assert len(content) < MB

    with pytest.raises(ValidationError) as caught:
        check(content)

    assert caught.value.code == "pdf_bomb"
