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
    """The text a reader sees: no scripts, styles, <code> or attribute values, and not what is typed into a
    <textarea> (the user's own data, e.g. a question's choices as JSON in the call builder)."""

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
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


# English words that have shown raw on Chinese pages (a boolean, a status, a choice, a placeholder) or would:
# none may appear as a word of a Chinese page's visible text. Maintained: add a word when one leaks.
ENGLISH_WORDS = frozenset({
    "yes", "no", "none", "true", "false", "draft", "submitted", "pending", "approved", "rejected", "declined",
    "active", "issued", "signed", "planned", "released", "requested", "accepted", "returned", "open", "closed",
    "cancelled", "withdrawn", "funded", "eligible", "ineligible", "overdue", "done", "failed", "proposal",
})
PLACEHOLDER = "---------"
# an IANA zone name such as Asia/Shanghai (user data never has this shape)
ZONE_NAME = re.compile(r"\b(?:Africa|America|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)/[A-Z][A-Za-z_]+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def leaks(text: str, keys: set[str], codes: set[str], *, literals: bool) -> set[str]:
    """Raw keys and method codes; with `literals` (a Chinese page, where no English word belongs) also
    Python's True, False and None, a word of ENGLISH_WORDS, Django's `---------` and IANA zone names."""
    text = EMAIL.sub(" ", text)
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9_\-]*", text))
    found = {w for w in words if w in keys or w in codes}
    if literals:
        found |= {w for w in ("True", "False", "None") if re.search(rf"(?<![\w-]){w}(?![\w-])", text)}
        found |= {w for w in words if w.lower() in ENGLISH_WORDS}
        found |= set(ZONE_NAME.findall(text))
        if PLACEHOLDER in text:
            found.add(PLACEHOLDER)
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


def test_the_checker_catches_each_kind_of_leak_on_a_chinese_page():
    keys, codes = {"in_review"}, {"wt-1"}
    assert leaks("状态 in_review 方法 wt-1", keys, codes, literals=False) == {"in_review", "wt-1"}
    page = "是否已有合作企业 yes 时区（Asia/Shanghai） 机构 --------- 状态 Released None expert1@pocflow.local"
    assert leaks(page, keys, codes, literals=True) == {"yes", "Asia/Shanghai", PLACEHOLDER, "Released", "None"}
    assert leaks("专家 expert1@pocflow.local 北京时间，UTC+8 概念验证 PDF", keys, codes, literals=True) == set()
    assert leaks("Released None yes", keys, codes, literals=False) == set()  # English words on an English page


@pytest.mark.parametrize(("zone", "zh", "en"), [
    ("Asia/Shanghai", "北京时间，UTC+8", "Beijing time, UTC+8"),
    ("Asia/Kolkata", "UTC+5:30", "UTC+5:30"),
    ("America/Caracas", "UTC−4", "UTC−4"),
])
def test_a_time_zone_reads_as_words_and_an_offset_never_as_its_iana_name(zone, zh, en):
    from django.utils import translation  # noqa: PLC0415

    from core.timezones import zone_label  # noqa: PLC0415

    with translation.override("zh-hans"):
        assert zone_label(zone) == zh
    with translation.override("en"):
        assert zone_label(zone) == en


def test_a_choice_answer_shows_its_label_in_the_readers_language_and_blanks_read_as_words():
    from django.utils import translation  # noqa: PLC0415

    from accounts.forms import ProfileForm  # noqa: PLC0415
    from forms.enums import QuestionKind  # noqa: PLC0415
    from forms.models import Question  # noqa: PLC0415
    from proposals.models import Answer  # noqa: PLC0415

    question = Question(kind=QuestionKind.SINGLE_CHOICE, choices=[
        {"value": "yes", "zh": "是", "en": "Yes"}, {"value": "no", "zh": "否", "en": "No"}])
    several = Question(kind=QuestionKind.MULTIPLE_CHOICE, choices=[
        {"value": "a", "zh": "甲", "en": "A"}, {"value": "b", "zh": "乙", "en": "B"}])
    with translation.override("zh-hans"):
        assert Answer(question=question, value="yes").display == "是"
        assert Answer(question=several, value=["a", "b"]).display == "甲、乙"
        assert Answer(question=question, value=None).display == ""
        rendered = str(ProfileForm(instance=User(username="x"))["organisation"])
        assert PLACEHOLDER not in rendered and "无所属机构" in rendered
    with translation.override("en"):
        assert Answer(question=question, value="no").display == "No"
        assert Answer(question=several, value=["b", "a"]).display == "B, A"
