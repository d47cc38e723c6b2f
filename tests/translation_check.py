"""What a reader must never see: the shared checker of the page crawler (tests/test_every_page_translated.py)
and the browser walks (tests/browser). It reads a page's visible text and names every raw value in it: a
stored state key (a TextChoices value such as `in_review`, or the key of any registered state machine), an
internal method code, and on a Chinese page any English word of a maintained list (yes, draft, released…),
a Python literal (True, False, None), a choice placeholder (`---------`) or an IANA time-zone name."""

import importlib
import inspect
import re
import zoneinfo
from html.parser import HTMLParser

from django.db import models

APPS = ("accounts", "forms", "proposals", "reviews", "funding", "incubation", "decisions", "workflows", "core")

# English words a Chinese page never shows as text of its own: booleans, empty values and the states of
# the state machines (each has a Chinese label).
ENGLISH_WORDS = frozenset({
    "yes", "no", "none", "true", "false", "null", "draft", "submitted", "pending", "approved", "rejected",
    "active", "inactive", "issued", "signed", "planned", "released", "requested", "open", "closed", "accepted",
    "returned", "withdrawn", "declined", "funded", "completed", "cancelled", "overdue", "proposed",
})
PLACEHOLDER = "---------"
# Region/City (Asia/Shanghai, America/New_York): an IANA name the reader should see as a zone label.
ZONE_NAMES = frozenset(name for name in zoneinfo.available_timezones() if "/" in name)


def choices_classes():
    """Every TextChoices class of the project apps' enums modules."""
    found = []
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.enums")
        except ImportError:
            continue
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, models.TextChoices) and value is not models.TextChoices:
                found.append(value)
    return found


def state_keys() -> set[str]:
    """Every stored choice key with an underscore (unambiguous: no reader's word looks like it)."""
    return {v for choices in choices_classes() for v in choices.values if "_" in v}


def machine_keys() -> set[str]:
    """Every state key of every registered state machine (proposals.models.register_state_choices),
    the one-word keys included: on a Chinese page none of them belongs."""
    from proposals.models import _STATE_CHOICES  # noqa: PLC0415

    return {v for registered in _STATE_CHOICES.values() for choices in registered for v in choices.values}


def method_codes() -> set[str]:
    from reviews.services.aggregation import METHODS  # noqa: PLC0415

    return set(METHODS.values())


class VisibleText(HTMLParser):
    """The text a reader sees, one part per text node: no scripts, styles, <code>, attribute values or
    what a <textarea> holds (data being edited, like an input's value). An <option> is a text node too
    (a select's `---------` shows)."""

    HIDDEN = {"script", "style", "code", "template", "textarea"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth and data.strip():
            self.parts.append(data.strip())


def text_nodes(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.parts


def visible_text(html: str) -> str:
    return " ".join(text_nodes(html))


def leaks(text: str, keys: set[str], codes: set[str], *, literals: bool, machines: set[str] = frozenset()) -> set[str]:
    """Raw keys and method codes; with `literals` (a Chinese page, where no English word belongs) also
    Python's True, False and None, the words of ENGLISH_WORDS (any case), the keys of `machines`, the
    choice placeholder and IANA zone names."""
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9_\-]*", text))
    found = {w for w in words if w in keys or w in codes}
    if literals:
        found |= {w for w in ("True", "False", "None") if re.search(rf"(?<![\w-]){w}(?![\w-])", text)}
        found |= {w for w in words if w.lower() in ENGLISH_WORDS or w in machines}
        if PLACEHOLDER in text:
            found.add(PLACEHOLDER)
        found |= {z for z in re.findall(r"[A-Z][A-Za-z_]+/[A-Za-z_/\-]+", text) if z in ZONE_NAMES}
    return found


def page_leaks(html: str, *, chinese: bool) -> set[str]:
    """Every raw value on a page, for a reader of Chinese (`chinese`) or English."""
    return leaks(visible_text(html), state_keys(), method_codes(), literals=chinese,
                 machines=machine_keys() if chinese else frozenset())
