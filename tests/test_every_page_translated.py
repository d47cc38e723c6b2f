"""Every value in the reader's language: a crawler signs in as each demo role (and visits as an anonymous
visitor) over the seeded demo, reads every page it can reach in Chinese and in English, and fails on a raw
state key (a TextChoices value such as `in_review`), an internal method code or, on a Chinese page, a
Python literal (True, False, None) showing in the page's visible text. Method codes may appear inside <code> (kept for audits)."""

import importlib
import inspect
import re
from html.parser import HTMLParser

import pytest
from django.db import models

from accounts.models import User
from demo import seed as demo
from tests.test_post_twice import Crawl, top_pages

pytestmark = pytest.mark.django_db

APPS = ("accounts", "forms", "proposals", "reviews", "funding", "incubation", "decisions", "workflows", "core")


def state_keys() -> set[str]:
    """Every stored choice key with an underscore (unambiguous: no reader's word looks like it)."""
    keys = set()
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.enums")
        except ImportError:
            continue
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, models.TextChoices) and value is not models.TextChoices:
                keys |= {v for v in value.values if "_" in v}
    return keys


def method_codes() -> set[str]:
    from reviews.services.aggregation import METHODS  # noqa: PLC0415

    return set(METHODS.values())


class VisibleText(HTMLParser):
    """The text a reader sees: no scripts, styles, <code> or attribute values."""

    HIDDEN = {"script", "style", "code", "template"}

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
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def leaks(text: str, keys: set[str], codes: set[str], *, literals: bool) -> set[str]:
    """Raw keys and method codes; with `literals` (a Chinese page, where no English word belongs) also
    Python's True, False and None."""
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9_\-]*", text))
    found = {w for w in words if w in keys or w in codes}
    if literals:
        found |= {w for w in ("True", "False", "None") if re.search(rf"(?<![\w-]){w}(?![\w-])", text)}
    return found


@pytest.fixture
def seeded(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = demo.seed_demo()
        demo.seed_demo_story(call=result["call"])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_page_shows_a_raw_state_key_a_python_literal_or_a_method_code(seeded, client, language):
    keys, codes = state_keys(), method_codes()
    found: dict[str, set[str]] = {}
    users = [None, *User.objects.filter(username__in=[name for name, *_rest in demo.DEMO_USERS]).order_by("pk")]
    for user in users:
        if user is not None:
            User.objects.filter(pk=user.pk).update(language=language)
            client.force_login(user)
        else:
            client.logout()
        client.cookies["django_language"] = language
        crawl = Crawl(client)
        crawl.walk(*top_pages())
        for path, html in crawl.pages.items():
            bad = leaks(visible_text(html), keys, codes, literals=language == "zh-hans")
            if bad:
                found.setdefault(path, set()).update(bad)
    assert found == {}


def test_a_proposals_history_names_other_machines_states_in_the_readers_language():
    from django.utils import translation  # noqa: PLC0415

    from incubation.enums import MilestoneStatus, TrancheStatus  # noqa: PLC0415
    from proposals.models import AuditEntry  # noqa: PLC0415

    with translation.override("zh-hans"):
        moved = AuditEntry(action="project.progress", from_state="planned", to_state="in_progress")
        released = AuditEntry(action="tranche.released", from_state="planned", to_state="released")
        assert (str(moved.to_label), str(released.to_label)) == (str(MilestoneStatus.IN_PROGRESS.label),
                                                                 str(TrancheStatus.RELEASED.label))
        assert str(moved.to_label) != "in_progress"
        assert AuditEntry(action="unknown.thing", to_state="mystery").to_label == "mystery"
