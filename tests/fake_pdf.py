"""A fast stand-in for WeasyPrint's layout: a tiny valid one-page PDF.

`render_pdf` still renders the template and checks the glyphs; only `HTML.write_pdf` (the
layout, ~50-500 ms a document) is replaced. The PDF carries the SHA-256 of the parsed markup,
so two different documents never share bytes (Document.sha256 is unique) and the same
document renders to the same bytes, as with the real renderer. Tests that read a PDF's text
or fonts mark themselves `real_pdf` (tests/decisions and tests/e2e get it automatically).
"""

import hashlib
from xml.etree import ElementTree

from weasyprint import HTML

from demo.plain_pdf import one_page_pdf


def fake_pdf(digest: str) -> bytes:
    """A one-page PDF (valid cross-reference table) whose page reads `pocflow test PDF <digest>`."""
    return one_page_pdf(b"pocflow test PDF " + digest.encode("ascii"))


def fake_write_pdf(self: HTML, target=None, **options) -> bytes | None:
    markup = ElementTree.tostring(self.etree_element)
    data = fake_pdf(hashlib.sha256(markup).hexdigest())
    if target is None:
        return data
    if hasattr(target, "write"):
        target.write(data)
    else:
        with open(target, "wb") as fh:
            fh.write(data)
    return None
