import pytest
from fontTools.ttLib import TTFont

from decisions.pdf import (
    FONT_FAMILY,
    FONT_PATH,
    FONT_POSTSCRIPT_NAME,
    MissingGlyphError,
    missing_characters,
    render_pdf,
)
from tests.decisions.pdfutil import embedded_fonts, pdf_text

BLOCKS = {
    "ASCII": (0x21, 0x7E),
    "CJK symbols and punctuation": (0x3001, 0x3003),
    # Noto Sans CJK 2.004 has no glyphs yet for U+9FF0–9FFF (Unicode 13–14 additions)
    "CJK unified ideographs": (0x4E00, 0x9FEF),
}


def test_bundled_font_is_the_named_subset_and_covers_the_whole_ideograph_block():
    with TTFont(FONT_PATH, lazy=True) as font:
        cmap = font.getBestCmap()
        names = (font["name"].getDebugName(1), font["name"].getDebugName(6))
    assert names == (FONT_FAMILY, FONT_POSTSCRIPT_NAME)
    for name, (first, last) in BLOCKS.items():
        assert [hex(cp) for cp in range(first, last + 1) if cp not in cmap] == [], name
    assert 0x20BB7 not in cmap  # 𠮷 lies outside the subset


def test_missing_characters_lists_each_uncovered_character_once_and_ignores_whitespace():
    assert missing_characters("吉田 𠮷𠮷\u3000\n喆") == ["𠮷"]


def test_render_pdf_refuses_a_character_the_font_lacks(settings, tmp_path):
    template = tmp_path / "glyph.html"
    template.write_text("<p>{{ name }}</p>", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    with pytest.raises(MissingGlyphError) as excinfo:
        render_pdf(template_name="glyph.html", context={"name": "𠮷野家"}, language="zh-hans")
    assert excinfo.value.characters == ["𠮷"]
    assert "U+20BB7" in str(excinfo.value)


def test_render_pdf_embeds_only_the_bundled_font(settings, tmp_path):
    template = tmp_path / "plain.html"
    template.write_text("<html><body><p>{{ name }} · “Test” 1,234.56</p></body></html>", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    pdf = render_pdf(template_name="plain.html", context={"name": "王喆堃昇珺玥"}, language="en")
    assert pdf_text(pdf) == "王喆堃昇珺玥·“Test”1,234.56"
    assert {(f["pdf_name"], f["embedded"], f["postscript_name"]) for f in embedded_fonts(pdf)} == {
        (FONT_FAMILY.replace(" ", "-"), True, FONT_POSTSCRIPT_NAME)
    }
