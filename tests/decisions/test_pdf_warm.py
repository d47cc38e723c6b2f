"""A worker warms WeasyPrint at start (decisions.pdf.warm): the bundled font and the document templates are
loaded once, and a real PDF comes out of the same stack the letters use."""

from decisions import pdf
from tests.decisions.pdfutil import embedded_fonts, pdf_text


def test_warming_renders_the_letter_in_both_languages_with_the_bundled_font_uncounted(monkeypatch):
    rendered = []
    original = pdf.HTML.write_pdf

    def spy(self, *args, **kwargs):
        out = original(self, *args, **kwargs)
        rendered.append(out)
        return out

    monkeypatch.setattr(pdf.HTML, "write_pdf", spy)
    counted = []
    monkeypatch.setattr(pdf, "observe_render", lambda *args: counted.append(args))
    pdf.font_codepoints.cache_clear()
    seconds = pdf.warm()
    assert seconds > 0
    assert pdf.font_codepoints.cache_info().currsize == 1
    assert counted == []  # not a document anyone asked for: /metrics does not count it
    chinese, english = rendered  # the letter in both languages: both catalogs and the template are loaded
    assert "项目立项通知" in pdf_text(chinese) and "Noticeofprojectapproval" in pdf_text(english)
    assert {(f["embedded"], f["postscript_name"]) for f in embedded_fonts(chinese)} == {(True, pdf.FONT_POSTSCRIPT_NAME)}
