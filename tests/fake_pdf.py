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


def fake_pdf(digest: str) -> bytes:
    """A one-page PDF (valid cross-reference table) whose page reads `pocflow test PDF <digest>`."""
    text = b"BT /F1 12 Tf 72 770 Td (pocflow test PDF " + digest.encode("ascii") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
         b"/Resources << /Font << /F1 5 0 R >> >> >>"),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


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
