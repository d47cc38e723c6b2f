"""A corpus of hostile and clean PDFs, built by code (pikepdf or raw bytes), never kept as binary blobs.

Each builder returns the bytes of one file. `HOSTILE` maps a case name to (builder, the refusal code
`validate_upload` must give); `CLEAN` maps a case name to a builder of a file that must be accepted.
"""

import base64
import binascii
import io
import warnings
import zipfile
import zlib

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from weasyprint import HTML  # tests only; the application renders through decisions/pdf.py

from tests.forms.samples import PDF, pdf_from, pdf_with_stream

JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"


# encoders for the filters qpdf decodes

def _ascii_hex(data: bytes) -> bytes:
    return binascii.hexlify(data) + b">"


def _ascii85(data: bytes) -> bytes:
    return base64.a85encode(data) + b"~>"


def _run_length(data: bytes) -> bytes:
    out = b"".join(bytes([len(chunk) - 1]) + chunk for chunk in (data[i:i + 128] for i in range(0, len(data), 128)))
    return out + b"\x80"


def _lzw(data: bytes) -> bytes:
    """LZW with 9-bit codes only: a clear code before the table would need a tenth bit."""
    codes, table, next_code, word = [256], {bytes([i]): i for i in range(256)}, 258, b""
    for byte in data:
        longer = word + bytes([byte])
        if longer in table:
            word = longer
            continue
        codes.append(table[word])
        if next_code < 450:
            table[longer], next_code = next_code, next_code + 1
        else:
            codes.append(256)
            table, next_code = {bytes([i]): i for i in range(256)}, 258
        word = bytes([byte])
    if word:
        codes.append(table[word])
    codes.append(257)
    bits = "".join(f"{code:09b}" for code in codes)
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


ENCODERS = {
    "/FlateDecode": zlib.compress,
    "/ASCIIHexDecode": _ascii_hex,
    "/ASCII85Decode": _ascii85,
    "/RunLengthDecode": _run_length,
    "/LZWDecode": _lzw,
}


def _encode(data: bytes, filters: list[str]) -> bytes:
    for name in reversed(filters):  # /Filter lists the decoding order
        data = ENCODERS[name](data)
    return data


def object_stream_pdf(packed: dict[int, bytes], *, filters: list[str], catalog_extra: bytes = b"",
                      content: bytes | None = None) -> bytes:
    """A PDF 1.5 whose objects `packed` live in one object stream (encoded with `filters`) that a
    cross-reference stream names; the catalog, pages and page are plain objects 1-3."""
    plain = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << >> >>",
    }
    out, offsets = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n", {}
    for number, body in plain.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    stream_number = max([*plain, *packed]) + 1
    bodies, header, position = b"", [], 0
    for number, body in packed.items():
        header.append(b"%d %d" % (number, position))
        bodies += body + b"\n"
        position = len(bodies)
    head = b" ".join(header) + b"\n"
    content = _encode(head + bodies, filters) if content is None else content
    filter_entry = b"/Filter [" + b" ".join(f.encode() for f in filters) + b"]"
    offsets[stream_number] = len(out)
    out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d %s /Length %d >>\nstream\n"
            % (stream_number, len(packed), len(head), filter_entry, len(content)) + content + b"\nendstream\nendobj\n")
    xref_number = stream_number + 1
    offsets[xref_number] = len(out)
    rows = b""
    for number in range(xref_number + 1):
        if number in packed:
            rows += bytes([2]) + stream_number.to_bytes(4, "big") + list(packed).index(number).to_bytes(2, "big")
        elif number in offsets:
            rows += bytes([1]) + offsets[number].to_bytes(4, "big") + b"\0\0"
        else:
            rows += bytes([0]) + b"\0\0\0\0" + b"\xff\xff"
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
            % (xref_number, xref_number + 1, len(rows)) + rows + b"\nendstream\nendobj\n")
    return out + b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]


def js_in_object_stream(*filters: str) -> bytes:
    return object_stream_pdf({4: JS_ACTION}, filters=list(filters), catalog_extra=b"/OpenAction 4 0 R")


def nested_object_stream() -> bytes:
    """An object stream holding another object stream (with the script): the format forbids streams
    inside object streams, and qpdf does not read one, so the file is refused as damaged."""
    inner_head = b"9 0\n"
    inner = inner_head + JS_ACTION
    packed = {4: b"<< /Type /ObjStm /N 1 /First %d /Length %d >>\nstream\n" % (len(inner_head), len(inner))
              + inner + b"\nendstream"}
    return object_stream_pdf(packed, filters=["/FlateDecode"], catalog_extra=b"/OpenAction 9 0 R")


def orphan_object_stream(pairs: list[tuple[int, int]], body: bytes) -> bytes:
    """The blank page with an object stream that nothing names, its header listing `pairs` (number, offset)."""
    head = b" ".join(b"%d %d" % pair for pair in pairs) + b"\n"
    return pdf_with_stream(zlib.compress(head + body),
                           head=b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(pairs), len(head)))


def duplicate_number_in_object_stream() -> bytes:
    """The script first, then a harmless object under the same number: both must be read."""
    return orphan_object_stream([(4, 0), (4, len(JS_ACTION) + 1)], JS_ACTION + b"\n<< /Type /Annot >>")


def unsorted_object_stream_header() -> bytes:
    harmless = b"<< /Type /Annot >>\n"
    return orphan_object_stream([(5, len(JS_ACTION) + 1), (4, 0)], JS_ACTION + b"\n" + harmless)


def incremental_update_adding_script() -> bytes:
    """A clean first revision, then an update that gives the catalog an OpenAction script."""
    previous_xref = int(PDF.rsplit(b"startxref\n", 1)[1].split()[0])
    out = PDF
    catalog_at = len(out)
    out += b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>\nendobj\n"
    action_at = len(out)
    out += b"4 0 obj\n" + JS_ACTION + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n1 1\n%010d 00000 n \n4 1\n%010d 00000 n \n" % (catalog_at, action_at)
    out += b"trailer\n<< /Size 5 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (previous_xref, xref_at)
    return out


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", "<script>alert(1)</script>")
    return buffer.getvalue()


def _page_pdf(**catalog) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    for key, value in catalog.items():
        pdf.Root[f"/{key}"] = value
    return pdf


def _save(pdf: pikepdf.Pdf, **options) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)  # a widget outside /AcroForm, on purpose
        pdf.save(buffer, static_id=True, **options)
    return buffer.getvalue()


def with_catalog(**catalog) -> bytes:
    pdf = _page_pdf()
    for key, value in catalog.items():
        pdf.Root[f"/{key}"] = pdf.make_indirect(value) if isinstance(value, Dictionary) else value
    return _save(pdf)


def action(kind: str, **entries) -> Dictionary:
    return Dictionary(S=Name(f"/{kind}"), **entries)


def with_link(link_action: Dictionary) -> bytes:
    pdf = _page_pdf()
    pdf.pages[0].Annots = pdf.make_indirect(Array([pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Link, Rect=Array([10, 10, 100, 30]), A=link_action,
    ))]))
    return _save(pdf)


def with_page_aa(page_action: Dictionary) -> bytes:
    pdf = _page_pdf()
    pdf.pages[0].AA = Dictionary(O=page_action)
    return _save(pdf)


def with_annotation(**annotation) -> bytes:
    pdf = _page_pdf()
    pdf.pages[0].Annots = Array([pdf.make_indirect(Dictionary(Type=Name.Annot, Rect=Array([0, 0, 50, 50]),
                                                              **annotation))])
    return _save(pdf)


def with_embedded_file() -> bytes:
    pdf = _page_pdf()
    pdf.attachments["run.bat"] = pikepdf.AttachedFileSpec(pdf, b"format c:", mime_type="text/plain")
    return _save(pdf)


def with_xfa() -> bytes:
    pdf = _page_pdf()
    xfa = pdf.make_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
    pdf.Root.AcroForm = pdf.make_indirect(Dictionary(Fields=Array([]), XFA=xfa))
    return _save(pdf)


def object_stream_via_pikepdf() -> bytes:
    pdf = _page_pdf()
    pdf.Root.OpenAction = pdf.make_indirect(action("JavaScript", JS=String("app.alert(1)")))
    return _save(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def password_locked() -> bytes:
    return _save(_page_pdf(), encryption=pikepdf.Encryption(owner="owner-secret", user="user-secret"))


def flate_bomb_object_stream(megabytes: int) -> bytes:
    """An object stream that inflates to `megabytes` of white space before its one object."""
    padding = b" " * (megabytes * 1024 * 1024)
    packed = {4: padding + b"<< /Type /Annot >>"}
    return object_stream_pdf(packed, filters=["/FlateDecode"])


def lzw_zeros(cycles: int) -> bytes:
    """LZW codes that unpack to runs of zeros, each code one zero longer than the last: 5.4 KB of them
    make 7.4 MB (qpdf has no memory limit for LZW)."""
    bits = []
    for _ in range(cycles):
        bits.append(format(256, "012b" if bits else "09b"))  # clear the table (at the width in use)
        bits.append(format(0, "09b"))  # a zero, which makes entry 258 "00"
        width, code, next_code = 9, 258, 259
        while next_code < 4094:
            bits.append(format(code, f"0{width}b"))  # the entry just made, one zero longer each time
            code, next_code = code + 1, next_code + 1
            if next_code >= (1 << width) and width < 12:
                width += 1
    bits.append(format(257, "012b"))  # end of data
    text = "".join(bits)
    text += "0" * (-len(text) % 8)
    return int(text, 2).to_bytes(len(text) // 8, "big")


def lzw_bomb_object_stream(cycles: int) -> bytes:
    return object_stream_pdf({4: b"<< >>"}, filters=["/LZWDecode"], content=lzw_zeros(cycles))


# clean files

def weasyprint_pdf() -> bytes:
    """A real export: headings (outlines), an internal link and an external one."""
    html = """<html><head><title>Plan</title></head><body>
      <h1 id="top">Business plan</h1><p><a href="#market">Market</a> · <a href="https://example.org/a?b=c">site</a></p>
      <h2 id="market">Market</h2><p>Text.</p><h2>Team</h2><p><a href="mailto:team@example.org">mail</a></p>
    </body></html>"""
    return HTML(string=html).write_pdf()


def goto_open_action() -> bytes:
    pdf = _page_pdf()
    page = pdf.pages[0].obj
    pdf.Root.OpenAction = pdf.make_indirect(action("GoTo", D=Array([page, Name.Fit])))
    pdf.pages[0].AA = Dictionary(O=action("GoTo", D=Array([page, Name.Fit])))
    return _save(pdf)


def destination_open_action() -> bytes:
    pdf = _page_pdf()
    pdf.Root.OpenAction = Array([pdf.pages[0].obj, Name.XYZ, 0, 200, 0])
    return _save(pdf)


def owner_password_only() -> bytes:
    return _save(_page_pdf(), encryption=pikepdf.Encryption(owner="owner-secret", user=""))


def clean_object_streams() -> bytes:
    pdf = _page_pdf()
    pdf.Root.Outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines, Count=0))
    return _save(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def many_linked_pages_in_object_streams(pages: int = 1500) -> bytes:
    """Many object streams whose objects refer to objects in other streams, as big exports have."""
    pdf = pikepdf.new()
    for number in range(pages):
        pdf.add_blank_page()
        link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([0, 0, 10, 10]),
                          A=action("URI", URI=String(f"https://example.org/{number}")))
        pdf.pages[-1].Annots = pdf.make_indirect(Array([pdf.make_indirect(link)]))
    return _save(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def clean_ascii85_object_stream() -> bytes:
    return object_stream_pdf({4: b"<< /Type /Annot /Subtype /Text /Contents (note) >>"},
                             filters=["/ASCII85Decode", "/FlateDecode"])


HOSTILE = {
    "js-openaction-plain-object": (lambda: pdf_from([
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>", JS_ACTION]), "pdf_active_content"),
    "js-in-flate-object-stream": (lambda: js_in_object_stream("/FlateDecode"), "pdf_active_content"),
    "js-in-asciihex-object-stream": (lambda: js_in_object_stream("/ASCIIHexDecode"), "pdf_active_content"),
    "js-in-ascii85-object-stream": (lambda: js_in_object_stream("/ASCII85Decode"), "pdf_active_content"),
    "js-in-lzw-object-stream": (lambda: js_in_object_stream("/LZWDecode"), "pdf_active_content"),
    "js-in-runlength-object-stream": (lambda: js_in_object_stream("/RunLengthDecode"), "pdf_active_content"),
    "js-in-ascii85-over-flate-object-stream": (
        lambda: js_in_object_stream("/ASCII85Decode", "/FlateDecode"), "pdf_active_content"),
    "js-in-hex-over-lzw-over-flate-object-stream": (
        lambda: js_in_object_stream("/ASCIIHexDecode", "/LZWDecode", "/FlateDecode"), "pdf_active_content"),
    "js-in-pikepdf-object-stream": (object_stream_via_pikepdf, "pdf_active_content"),
    "nested-object-stream": (nested_object_stream, "corrupt"),
    "js-in-orphan-object-stream-under-a-repeated-number": (duplicate_number_in_object_stream, "pdf_active_content"),
    "js-in-orphan-object-stream-with-unsorted-header": (unsorted_object_stream_header, "pdf_active_content"),
    "incremental-update-adds-script": (incremental_update_adding_script, "pdf_active_content"),
    "html-before-header": (lambda: b"<html><script>alert(1)</script></html>\n" + PDF, "pdf_polyglot"),
    "html-after-eof": (lambda: PDF + b"<html><script>alert(1)</script></html>\n", "pdf_polyglot"),
    "zip-after-eof": (lambda: PDF + _zip(), "pdf_polyglot"),
    "zip-before-header": (lambda: _zip() + PDF, "pdf_polyglot"),
    "zip-inside-a-stream": (lambda: PDF.replace(b"xref", b"9 0 obj\n<< /Length %d >>\nstream\n" % len(_zip())
                                                + _zip() + b"\nendstream\nendobj\nxref"), "pdf_polyglot"),
    "launch-openaction": (lambda: with_catalog(OpenAction=action("Launch", F=String("cmd.exe"))), "pdf_active_content"),
    "launch-link": (lambda: with_link(action("Launch", F=String("calc.exe"))), "pdf_active_content"),
    "embedded-file": (with_embedded_file, "pdf_active_content"),
    "file-attachment-annotation": (lambda: with_annotation(Subtype=Name.FileAttachment, Contents=String("x")),
                                   "pdf_active_content"),
    "rich-media-annotation": (lambda: with_annotation(Subtype=Name.RichMedia), "pdf_active_content"),
    "xfa-form": (with_xfa, "pdf_active_content"),
    "uri-javascript": (lambda: with_link(action("URI", URI=String("javascript:app.alert(1)"))), "pdf_active_content"),
    "uri-javascript-mixed-case-and-spaces": (
        lambda: with_link(action("URI", URI=String("  JaVa\tScRiPt:app.alert(1)"))), "pdf_active_content"),
    "uri-data": (lambda: with_link(action("URI", URI=String("data:text/html,<script>"))), "pdf_active_content"),
    "page-aa-javascript": (lambda: with_page_aa(action("JavaScript", JS=String("app.alert(1)"))),
                           "pdf_active_content"),
    "page-aa-uri": (lambda: with_page_aa(action("URI", URI=String("https://example.org"))), "pdf_active_content"),
    "link-javascript": (lambda: with_link(action("JavaScript", JS=String("app.alert(1)"))), "pdf_active_content"),
    "widget-aa": (lambda: with_annotation(Subtype=Name.Widget, FT=Name.Tx,
                                          AA=Dictionary(K=action("JavaScript", JS=String("1")))), "pdf_active_content"),
    "submit-form": (lambda: with_link(action("SubmitForm", F=String("https://evil.example/"))), "pdf_active_content"),
    "import-data": (lambda: with_link(action("ImportData", F=String("data.fdf"))), "pdf_active_content"),
    "goto-remote": (lambda: with_link(action("GoToR", F=String("other.pdf"), D=Array([0, Name.Fit]))),
                    "pdf_active_content"),
    "goto-embedded": (lambda: with_link(action("GoToE", D=Array([0, Name.Fit]))), "pdf_active_content"),
    "goto-openaction-chaining-a-script": (
        lambda: with_catalog(OpenAction=action("GoTo", D=Array([0, Name.Fit]),
                                               Next=action("JavaScript", JS=String("1"))), ), "pdf_active_content"),
    "uri-openaction": (lambda: with_catalog(OpenAction=action("URI", URI=String("https://example.org"))),
                       "pdf_active_content"),
    "password-locked": (password_locked, "pdf_encrypted"),
    "not-a-pdf-past-its-header": (lambda: b"%PDF-1.7\n" + b"\x00garbage" * 50 + b"\n%%EOF\n", "corrupt"),
}

CLEAN = {
    "sample-blank-page": lambda: PDF,
    "weasyprint-links-and-outlines": weasyprint_pdf,
    "goto-openaction-and-page-aa": goto_open_action,
    "destination-openaction": destination_open_action,
    "owner-password-only": owner_password_only,
    "pikepdf-object-streams": clean_object_streams,
    "ascii85-over-flate-object-stream": clean_ascii85_object_stream,
    "many-linked-pages-in-object-streams": many_linked_pages_in_object_streams,
    "trailing-white-space-and-nul": lambda: PDF + b"\r\n\x00\x00 \n",
    "http-and-mailto-links": lambda: with_link(action("URI", URI=String("https://example.org/plan"))),
}
