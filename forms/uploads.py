"""Upload checks: a file is what its content says it is, never what its name or browser claim.

`validate_upload` recognises PDF, OOXML (docx/xlsx/pptx), PNG and JPEG by their bytes, refuses
programs, macros, zip bombs and PDFs with active content (read with pikepdf: `forms.pdfs`), and insists that the file name's
extension agrees with the content.
"""

import io
import zipfile
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image

from forms.enums import FileType
from forms.pdfs import find_problem_isolated

MB = 1024 * 1024

EXTENSIONS: dict[str, tuple[str, ...]] = {
    FileType.PDF: ("pdf",),
    FileType.DOCX: ("docx",),
    FileType.XLSX: ("xlsx",),
    FileType.PPTX: ("pptx",),
    FileType.PNG: ("png",),
    FileType.JPG: ("jpg", "jpeg"),
}
CONTENT_TYPES: dict[str, str] = {
    FileType.PDF: "application/pdf",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileType.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    FileType.PNG: "image/png",
    FileType.JPG: "image/jpeg",
}
OOXML_MAIN_FOLDERS = {"word/": FileType.DOCX, "xl/": FileType.XLSX, "ppt/": FileType.PPTX}
EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",  # Linux and other Unix
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O
)
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNCOMPRESSED = 100 * MB

MESSAGES = {
    "empty": _("The file is empty."),
    "too_large": _("The file is larger than the limit of %(limit)s MB."),
    "executable": _("Programs and executable files are not accepted."),
    "unrecognised": _("The file's content is not a recognised document or image. Allowed types: %(types)s."),
    "type_not_allowed": _("This type of file is not accepted here. Allowed types: %(types)s."),
    "extension_mismatch": _("The file name must end in %(extensions)s to match its content (%(detected)s)."),
    "corrupt": _("The file is damaged or incomplete."),
    "macros": _("Documents with macros are not accepted. Save it as a macro-free .docx, .xlsx or .pptx file."),
    "zip_bomb": _("The document unpacks to too many parts or too much data to be checked safely."),
    "pdf_active_content": _(
        "This PDF contains scripts, launch actions or embedded files. Please upload a plain PDF export."
    ),
    "pdf_encrypted": _("This PDF is protected by a password. Please upload a copy without the password."),
    "pdf_polyglot": _("This file is a PDF combined with other content. Please upload a plain PDF export."),
    "pdf_bomb": _("The PDF unpacks to too much data to be checked safely."),
}


def _refuse(code: str, **params) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params or None)


def type_labels(types: list[str]) -> str:
    return ", ".join(str(FileType(t).label) for t in types if t in FileType.values)


def accept_attribute(types: list[str]) -> str:
    """The `accept` attribute for a file input: `.pdf,.docx,…`."""
    return ",".join(f".{ext}" for t in types for ext in EXTENSIONS.get(t, ()))


def validate_upload(uploaded_file, *, allowed_types: list[str], max_bytes: int) -> str:
    """Check an upload by content and return its type key (a `FileType` value)."""
    uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    uploaded_file.seek(0)
    if not data:
        raise _refuse("empty")
    if len(data) > max_bytes or (getattr(uploaded_file, "size", 0) or 0) > max_bytes:
        raise _refuse("too_large", limit=format_mb(max_bytes))
    if data.startswith(EXECUTABLE_MAGIC):
        raise _refuse("executable")

    kind = _detect(data)
    if kind is None:
        raise _refuse("unrecognised", types=type_labels(allowed_types))
    extension = PurePath(uploaded_file.name or "").suffix.lower().lstrip(".")
    if extension not in EXTENSIONS[kind]:
        extensions = " / ".join(f".{ext}" for ext in EXTENSIONS[kind])
        raise _refuse("extension_mismatch", extensions=extensions, detected=str(FileType(kind).label))
    if kind not in allowed_types:
        raise _refuse("type_not_allowed", types=type_labels(allowed_types))
    return FileType(kind).value


def format_mb(num_bytes: int) -> str:
    mb = num_bytes / MB
    return f"{mb:.0f}" if mb == int(mb) else f"{mb:.1f}"


def _detect(data: bytes) -> str | None:
    """Recognise the content; raise for a recognised but damaged or hostile file."""
    if b"%PDF-" in data[:1024]:
        _check_pdf(data)
        return FileType.PDF
    if data.startswith(b"PK\x03\x04"):
        return _check_ooxml(data)
    guess = filetype.guess(data[:8192])
    if guess is not None and guess.mime in ("image/png", "image/jpeg"):
        _check_image(data)
        return FileType.PNG if guess.mime == "image/png" else FileType.JPG
    return None


def _check_pdf(data: bytes) -> None:
    problem = find_problem_isolated(data, max_decoded_bytes=settings.PDF_MAX_DECODED_BYTES,
                                    max_memory_bytes=settings.PDF_CHECK_MAX_MEMORY, seconds=settings.PDF_CHECK_SECONDS)
    if problem is not None:
        raise _refuse(problem)


def _check_ooxml(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _refuse("corrupt") from None
    if len(entries) > ZIP_MAX_ENTRIES or sum(e.file_size for e in entries) > ZIP_MAX_UNCOMPRESSED:
        raise _refuse("zip_bomb")
    names = [e.filename for e in entries]
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _refuse("macros")
    if "[Content_Types].xml" not in names:
        return None
    kinds = {kind for folder, kind in OOXML_MAIN_FOLDERS.items() if any(n.startswith(folder) for n in names)}
    return kinds.pop() if len(kinds) == 1 else None


def _check_image(data: bytes) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception:  # Pillow raises many types for broken or bomb-sized images
        raise _refuse("corrupt") from None
