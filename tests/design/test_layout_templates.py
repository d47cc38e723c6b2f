"""The layout's templates carry no inline script or style (a strict Content-Security-Policy stays possible),
and every asset they load is served by the app (no CDN)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = sorted([*ROOT.glob("templates/*.html"), *ROOT.glob("templates/errors/*.html")])
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=", re.I)
EXTERNAL_ASSET = re.compile(r'<(?:script|link|img)\b[^>]*(?:src|href)="(?:https?:)?//', re.I)


def test_the_layout_templates_exist():
    names = {p.relative_to(ROOT).as_posix() for p in LAYOUT}
    assert {"templates/base.html", "templates/_breadcrumbs.html", "templates/_filter_bar.html",
            "templates/_pagination.html", "templates/_empty.html", "templates/_nav.html",
            "templates/errors/403.html", "templates/errors/404.html", "templates/errors/500.html"} <= names


def test_no_inline_script_style_or_event_handler_in_the_layout():
    offenders = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in LAYOUT
                 for pattern in (INLINE_SCRIPT, INLINE_STYLE) for m in pattern.finditer(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_every_asset_is_vendored():
    offenders = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in LAYOUT
                 for m in EXTERNAL_ASSET.finditer(p.read_text(encoding="utf-8"))]
    assert offenders == []
    assert (ROOT / "static/vendor/htmx/htmx.min.js").stat().st_size > 40_000
    assert "Zero-Clause BSD" in (ROOT / "static/vendor/htmx/LICENSE").read_text(encoding="utf-8")
