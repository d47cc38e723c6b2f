"""PDF rendering. The only module that imports WeasyPrint.

Letters use the bundled Noto Sans CJK SC subset (decisions/fonts/, SIL OFL 1.1),
declared with @font-face and set on `html` so the @page margin boxes use it too;
they never depend on the fonts installed on the machine. A character the bundled
font lacks is an error (`MissingGlyphError`), not blank space in the PDF.
"""

import html
import time
from functools import lru_cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import strip_tags
from fontTools.ttLib import TTFont
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from core.metrics import observe_render

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_PATH = FONT_DIR / "NotoSansCJKsc-Regular-subset.otf"
# The subset's own names (see fonts/build_subset.py). A PDF lists the font as
# "ABCDEF+Noto-Sans-CJK-SC-Subset"; the embedded font file carries the PostScript name.
FONT_FAMILY = "Noto Sans CJK SC Subset"
FONT_POSTSCRIPT_NAME = "NotoSansCJKscSubset-Regular"

FONT_CSS = f"""
@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{FONT_PATH.name}"); }}
html {{ font-family: "{FONT_FAMILY}"; font-weight: normal; }}
"""


class MissingGlyphError(ValueError):
    """The text holds characters the bundled font cannot draw."""

    def __init__(self, characters: list[str]):
        self.characters = characters
        listed = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in characters)
        super().__init__(f"The letter font has no glyph for: {listed}")


@lru_cache(maxsize=1)
def font_codepoints() -> frozenset[int]:
    """Code points in the bundled font's cmap, loaded once per process."""
    with TTFont(FONT_PATH, lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_characters(text: str) -> list[str]:
    """The distinct non-whitespace characters of `text` the bundled font lacks, sorted."""
    covered = font_codepoints()
    return sorted({c for c in text if not c.isspace() and ord(c) not in covered})


def check_glyphs(markup: str) -> None:
    missing = missing_characters(html.unescape(strip_tags(markup)))
    if missing:
        raise MissingGlyphError(missing)


def render_pdf(*, template_name: str, context: dict, language: str) -> bytes:
    """Render a Django template in `language` and return the PDF bytes (counted and timed for /metrics)."""
    started = time.perf_counter()
    pdf = _render(template_name=template_name, context=context, language=language)
    observe_render(template_name, time.perf_counter() - started)
    return pdf


def _render(*, template_name: str, context: dict, language: str) -> bytes:
    with translation.override(language):
        markup = render_to_string(template_name, context)
    check_glyphs(markup)
    # A fresh font configuration per document: Pango font maps are not thread-safe, and
    # sharing one across renders saved only about 25 ms a letter.
    font_config = FontConfiguration()
    base_url = FONT_DIR.as_uri() + "/"
    font_css = CSS(string=FONT_CSS, base_url=base_url, font_config=font_config)
    return HTML(string=markup, base_url=base_url).write_pdf(stylesheets=[font_css], font_config=font_config)


WARM_TEMPLATE = "decisions/letters/approval.html"


def warm() -> float:
    """Pay once, at a worker's start, what the first document of a process would otherwise pay (Pango,
    fontconfig and the bundled font with its code points, WeasyPrint's stylesheets, the letter templates and
    both languages' catalogs): a server or Celery worker calls this after start-up. The letter is rendered
    with an empty context and thrown away; it is not counted as a rendered document. Returns the seconds."""
    started = time.perf_counter()
    for language in ("zh-hans", "en"):
        _render(template_name=WARM_TEMPLATE, context={}, language=language)
    return time.perf_counter() - started
