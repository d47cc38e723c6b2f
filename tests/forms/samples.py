"""Small real files built in memory for upload tests."""

import io
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def pdf_from(objects: list[bytes], *, root: int = 1) -> bytes:
    """A PDF of these objects (numbered from 1), with a correct cross-reference table."""
    out, offsets = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return out


# One blank page: the smallest PDF that qpdf (and every viewer) reads without repairing it.
PDF = pdf_from([
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << >> >>",
])

OOXML_MAIN_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}


def pdf_with(catalog_entry: bytes) -> bytes:
    return PDF.replace(b"/Pages 2 0 R", b"/Pages 2 0 R " + catalog_entry)


def pdf_with_stream(body: bytes, *, head: bytes = b"") -> bytes:
    """The blank page with one more object, 9 0, a stream that nothing refers to (qpdf finds it by repairing)."""
    stream = b"9 0 obj\n<< " + head + b" /Length %d >>\nstream\n" % len(body) + body + b"\nendstream\nendobj\n"
    return PDF.replace(b"xref", stream + b"xref")


def pdf_with_object_stream(objects: bytes) -> bytes:
    return pdf_with_stream(zlib.compress(objects), head=b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode")


def ooxml(kind: str = "docx", *, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(OOXML_MAIN_PARTS[kind], "<document/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def ooxml_unpacking_to(megabytes: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(b"\0" * 1024 * 1024)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


def image(fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "teal").save(buffer, fmt)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
