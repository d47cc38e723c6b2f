"""Reading PDFs back in tests: text and embedded fonts (a tofu PDF still extracts perfect text)."""

from io import BytesIO

from fontTools.ttLib import TTFont
from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """All pages' text with whitespace removed (line wrapping is not our concern)."""
    reader = PdfReader(BytesIO(data))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def squash(text: str) -> str:
    return "".join(text.split())


def embedded_fonts(data: bytes) -> list[dict]:
    """Every font the pages use: its PDF name, whether its file is embedded, and the
    PostScript name inside the embedded file."""
    fonts = []
    for page in PdfReader(BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
                postscript_name = None
                if stream is not None:
                    with TTFont(BytesIO(stream.get_object().get_data())) as embedded:
                        postscript_name = embedded["name"].getDebugName(6)
                fonts.append({
                    "pdf_name": str(font["/BaseFont"]).split("+", 1)[-1],
                    "embedded": stream is not None,
                    "postscript_name": postscript_name,
                })
    return fonts
