"""PDFs read with a real parser (pikepdf, on qpdf): active content, metadata.

`find_problem` opens an uploaded PDF the way qpdf does (repairing a broken cross-reference table),
walks every object — including the objects packed in object streams, whatever their filters (qpdf
decodes Flate, LZW, ASCIIHex, ASCII85 and RunLength) — and names the first reason to refuse it:

- ``pdf_active_content``: JavaScript (a ``/JS`` or ``/JavaScript`` key or action); an ``/OpenAction``
  or additional action (``/AA``) that is anything but a plain GoTo inside the document; ``/Launch``,
  ``/SubmitForm``, ``/ImportData``; ``/GoToR`` and ``/GoToE`` (they open another file or one embedded
  in this one: an application attachment has no business doing either, so they are refused, not
  judged); embedded files (``/EmbeddedFile``, ``/EmbeddedFiles``, ``/EF``, file attachment
  annotations); ``/RichMedia``; ``/XFA`` forms; ``/URI`` actions to ``javascript:``, ``vbscript:``,
  ``data:`` or ``file:`` (whitespace, control characters and case ignored).
- ``pdf_encrypted``: the file needs a password to be opened (a PDF that only restricts printing or
  copying opens without one and is checked like any other).
- ``pdf_polyglot``: something other than a PDF before its header or after its last ``%%EOF``, or a
  file that is also a ZIP archive.
- ``pdf_bomb``: a stream qpdf had to decode (an object stream) unpacks to more than
  ``PDF_MAX_DECODED_BYTES`` (qpdf's limits for Flate, RunLength and predictors), or the check ran out
  of the memory or processor time of its process.
- ``corrupt``: qpdf cannot make a PDF of it.

Uploads are checked by `find_problem_isolated`: the same check in a child process
(``python -m forms.pdfs``) limited in address space and processor time, because qpdf has no limit for
LZW (a stream unpacks to about 1,300 times its size) and a parser's crash must not take the web
process with it. The web process itself opens only PDFs that passed (`read_metadata`,
`without_metadata`), under the same qpdf limits set by the forms app when it loads.

Stream data is never decoded except object streams: qpdf decodes them to read the objects in them,
and each is also read on its own (its objects parsed by qpdf from a PDF made of them), so that the
objects of an object stream that no cross-reference entry names, which a repairing viewer may still
read, are checked too. Content, images and fonts stay encoded. An object stream cannot hold another
stream (the format forbids it and qpdf does not read one), so there are no nested object streams to
follow: a file that tries is refused as damaged.
"""

from __future__ import annotations

import io
import logging
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream, String
from pikepdf.settings import qpdf_limit_errors, set_qpdf_limits

# Keys whose mere presence makes a PDF active.
ACTIVE_KEYS = frozenset({
    "/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/XFA",
    "/RichMediaContent", "/RichMediaSettings",
})
# Names that, as any value (an action's /S, an annotation's /Subtype, a stream's /Type), make it active.
ACTIVE_NAMES = frozenset({
    "/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/EmbeddedFile",
    "/RichMedia", "/RichMediaExecute", "/FileAttachment",
})
HOSTILE_URI = re.compile(rb"^(?:javascript|vbscript|data|file):")
# Characters a viewer drops from a URI before it reads the scheme (" java\tscript:" is javascript:).
URI_IGNORED = re.compile(rb"[\x00-\x20\x7f]+")
TRAILING_ALLOWED = re.compile(rb"[\x00\s]*")
MAX_OBJECT_NUMBER = 2_000_000  # far more objects than a document of the upload limit holds


logger = logging.getLogger("pocflow.uploads")
PROJECT_DIR = Path(__file__).resolve().parent.parent  # where `python -m forms.pdfs` finds this module
PROBLEMS = frozenset({"pdf_active_content", "pdf_encrypted", "pdf_polyglot", "pdf_bomb", "corrupt"})


class PdfProblem(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def limit_qpdf(max_decoded_bytes: int) -> None:
    """qpdf's memory limits for decoding one stream (process-wide; called once when the app loads)."""
    set_qpdf_limits(flate_max_memory=max_decoded_bytes, run_length_max_memory=max_decoded_bytes,
                    png_max_memory=max_decoded_bytes, tiff_max_memory=max_decoded_bytes,
                    dct_max_memory=max_decoded_bytes)


def find_problem_isolated(data: bytes, *, max_decoded_bytes: int, max_memory_bytes: int, seconds: int) -> str | None:
    """`find_problem` in a child process that may use at most `max_memory_bytes` of address space and
    `seconds` of processor time. qpdf bounds what it inflates from Flate and RunLength streams, but not
    from LZW (about 1,300 times its size) nor every path through its repairs: a file that makes the
    check run out of memory or time, or crash, is a bomb and is refused as one; the web process never
    pays for it."""
    command = [sys.executable, "-m", "forms.pdfs", str(max_decoded_bytes), str(max_memory_bytes), str(seconds)]
    try:
        result = subprocess.run(command, input=data, capture_output=True, timeout=seconds * 2 + 5, cwd=PROJECT_DIR)
    except subprocess.TimeoutExpired:
        return "pdf_bomb"
    answer = result.stdout.decode("ascii", "replace").strip()
    if result.returncode == 0 and (answer == "ok" or answer in PROBLEMS):
        return None if answer == "ok" else answer
    if result.returncode == 0 or not result.stderr.rstrip().endswith(b"MemoryError"):
        # not a limit: the check itself could not run (a refusal all the same, and a log line for the operator)
        logger.error("The PDF check ended with %s: %s", result.returncode, result.stderr[-2000:].decode("utf-8", "replace"))
    return "pdf_bomb"


def _check_in_child() -> None:
    """`python -m forms.pdfs MAX_DECODED MAX_MEMORY SECONDS` < file.pdf: prints "ok" or the problem's code."""
    max_decoded, max_memory, seconds = (int(arg) for arg in sys.argv[1:4])
    resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    limit_qpdf(max_decoded)
    problem = find_problem(sys.stdin.buffer.read())
    sys.stdout.write(problem or "ok")


def find_problem(data: bytes) -> str | None:
    """The code of the first reason to refuse this PDF, or None when it is a plain document."""
    try:
        _check(data)
    except PdfProblem as problem:
        return problem.code
    return None


def _check(data: bytes) -> None:
    _check_envelope(data)
    limit_errors = qpdf_limit_errors()
    try:
        with _open(data) as pdf:
            _walk_document(pdf, limit_errors)
    except PdfProblem:
        raise
    except pikepdf.PasswordError:
        raise PdfProblem("pdf_encrypted") from None
    except (pikepdf.PikepdfError, RuntimeError, ValueError, OverflowError) as exc:  # what qpdf cannot read or repair
        raise PdfProblem("pdf_bomb" if _over_limit(str(exc), limit_errors) else "corrupt") from None


def _over_limit(message: str, limit_errors: int) -> bool:
    return "memory limit" in message or "bad_alloc" in message or qpdf_limit_errors() > limit_errors


def _open(data: bytes) -> pikepdf.Pdf:
    # The page tree is not touched on opening (inherited attributes are left where they are).
    return pikepdf.open(io.BytesIO(data), inherit_page_attributes=False)


def _check_envelope(data: bytes) -> None:
    """A PDF and nothing else: the header first, nothing but white space after the last %%EOF."""
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise PdfProblem("corrupt")  # truncated
    if not data.startswith(b"%PDF-") or not TRAILING_ALLOWED.fullmatch(data, end + 5):
        raise PdfProblem("pdf_polyglot")
    if zipfile.is_zipfile(io.BytesIO(data)):
        raise PdfProblem("pdf_polyglot")


def _walk_document(pdf: pikepdf.Pdf, limit_errors: int, *, inner: bool = False) -> None:
    objects = list(pdf.objects)  # resolves every object, reading object streams (bounded by qpdf's limits)
    if any(_over_limit(warning, limit_errors) for warning in pdf.get_warnings()):
        raise PdfProblem("pdf_bomb")
    _walk(pdf.trailer)
    for obj in objects:
        _walk(obj)
        if isinstance(obj, Stream) and obj.get("/Type") == Name.ObjStm:
            if inner:
                raise PdfProblem("corrupt")  # a stream inside an object stream: not a PDF any viewer reads
            _walk_object_stream(obj, limit_errors, first_free=max(len(objects), int(pdf.trailer.get("/Size", 0))))


def _walk_object_stream(stream: Stream, limit_errors: int, *, first_free: int) -> None:
    """The objects of an object stream, read by qpdf from a PDF of their own: also those of a stream that
    no cross-reference entry names (a repairing viewer may read them) or that qpdf could not place."""
    data = stream.read_bytes()  # qpdf's decoding limits hold here too
    try:
        count, first = int(stream.get("/N", 0)), int(stream.get("/First", 0))
        header = [int(n) for n in data[:first].split()][: 2 * count]
    except (ValueError, TypeError):
        raise PdfProblem("corrupt") from None
    numbers, offsets = header[0::2], header[1::2]
    if not numbers or len(numbers) != len(offsets):
        return
    if min(numbers) < 1 or min(offsets) < 0:
        raise PdfProblem("corrupt")
    # each object runs from its offset to the next one's (in whatever order the header lists them)
    ends = dict(zip(sorted(set(offsets)), [*sorted(set(offsets))[1:], len(data) - first], strict=True))
    top = max(*numbers, first_free) + 1  # the shell's catalog and pages: numbers nothing in the file refers to
    if top + len(numbers) > MAX_OBJECT_NUMBER:
        raise PdfProblem("corrupt")
    objects = {top: b"<< /Type /Catalog /Pages %d 0 R >>" % (top + 1), top + 1: b"<< /Type /Pages /Kids [] /Count 0 >>"}
    spare = top + 2
    for number, offset in zip(numbers, offsets, strict=True):
        if number in objects:  # the same number twice: both are read, the second under a number of its own
            number, spare = spare, spare + 1
        objects[number] = data[first + offset:first + ends[offset]]
    parts, offsets_in_shell, position = [b"%PDF-1.7\n"], {}, len(b"%PDF-1.7\n")
    for number, body in objects.items():
        part = b"%d 0 obj\n" % number + body + b"\nendobj\n"
        offsets_in_shell[number] = position
        parts.append(part)
        position += len(part)
    # a whole cross-reference table, so that qpdf reads the shell as it is instead of repairing it
    parts.append(b"xref\n0 %d\n" % spare)
    parts.extend(b"%010d 00000 n \n" % offsets_in_shell[n] if n in offsets_in_shell else b"0000000000 65535 f \n"
                 for n in range(spare))
    parts.append(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (spare, top, position))
    shell = b"".join(parts)
    with _open(shell) as inner:  # qpdf's errors here are the caller's: a damaged file
        _walk_document(inner, limit_errors, inner=True)


def _walk(root) -> None:
    """Check one object and the direct objects inside it (indirect ones are checked in their own turn)."""
    stack = [root]
    while stack:
        obj = stack.pop()
        if isinstance(obj, Stream):
            obj = obj.stream_dict
        if isinstance(obj, Dictionary):
            _check_dictionary(obj)
            children = obj.values()
        elif isinstance(obj, Array):
            children = list(obj)
        elif isinstance(obj, Name):
            if str(obj) in ACTIVE_NAMES:
                raise PdfProblem("pdf_active_content")
            continue
        else:
            continue
        # numbers and booleans come back as Python values; indirect objects are walked in their own turn
        stack.extend(child for child in children if isinstance(child, pikepdf.Object) and not child.is_indirect)


def _check_dictionary(dictionary: Dictionary) -> None:
    keys = set(dictionary.keys())
    if keys & ACTIVE_KEYS:
        raise PdfProblem("pdf_active_content")
    if "/OpenAction" in keys and not _plain_goto(dictionary.get("/OpenAction")):
        raise PdfProblem("pdf_active_content")
    if "/AA" in keys:
        actions = dictionary.get("/AA")
        if not isinstance(actions, Dictionary) or not all(_plain_goto(a) for a in actions.values()):
            raise PdfProblem("pdf_active_content")
    if dictionary.get("/S") == Name.URI and _hostile_uri(dictionary.get("/URI")):
        raise PdfProblem("pdf_active_content")


def _plain_goto(action) -> bool:
    """A destination, or a GoTo action inside the document with nothing chained after it."""
    if action is None or isinstance(action, Array | String | Name):
        return True  # an explicit or named destination
    if isinstance(action, Dictionary):
        return action.get("/S") == Name.GoTo and "/Next" not in action
    return False


def _hostile_uri(uri) -> bool:
    if not isinstance(uri, String):
        return False
    return bool(HOSTILE_URI.match(URI_IGNORED.sub(b"", bytes(uri)).lower()))


# metadata: who wrote the file and what it is called, which can name the applicant in a blind review


def read_metadata(stream) -> dict[str, str]:
    """The PDF's author and title from its document information or, failing that, its XMP metadata
    ({} when there are none or the file cannot be read). Opening reads the cross-reference table and
    these objects only, not the pages."""
    found: dict[str, str] = {}
    try:
        with pikepdf.open(stream, inherit_page_attributes=False) as pdf:
            info = pdf.trailer.get("/Info")
            for key, name in (("/Author", "author"), ("/Title", "title")):
                value = info.get(key) if isinstance(info, Dictionary) else None
                if isinstance(value, String) and str(value).strip():
                    found[name] = str(value).strip()
            if len(found) < 2 and "/Metadata" in pdf.Root:
                with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
                    for key, name in (("dc:creator", "author"), ("dc:title", "title")):
                        value = xmp.get(key)
                        value = "; ".join(value) if isinstance(value, list | set | tuple) else value
                        if name not in found and value and str(value).strip():
                            found[name] = str(value).strip()
    except (pikepdf.PikepdfError, RuntimeError, ValueError, OverflowError, KeyError):
        return {}
    return found


def without_metadata(stream) -> bytes:
    """A copy of the PDF without its document information dictionary (Author, Title, Subject, Keywords,
    Creator, Producer, dates and any other entry) and without XMP metadata streams. The copy is written
    whole, so earlier revisions of an incrementally updated file, which may still hold the old
    information, are left out too; streams are copied without being decoded."""
    with pikepdf.open(stream, inherit_page_attributes=False) as pdf:
        if "/Info" in pdf.trailer:
            del pdf.trailer["/Info"]
        for obj in pdf.objects:
            if isinstance(obj, Dictionary | Stream) and "/Metadata" in obj:
                del obj["/Metadata"]
        out = io.BytesIO()
        pdf.save(out, fix_metadata_version=False, stream_decode_level=pikepdf.StreamDecodeLevel.none,
                 compress_streams=False)
        return out.getvalue()


if __name__ == "__main__":
    _check_in_child()
