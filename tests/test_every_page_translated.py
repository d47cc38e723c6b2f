"""Every value in the reader's language: a crawler signs in as each demo role (and visits as an anonymous
visitor) over the seeded demo, reads every page it can reach in Chinese and in English, and fails on a raw
state key (a TextChoices value such as `in_review`), an internal method code or, on a Chinese page, a
Python literal (True, False, None), an English word of a maintained list (yes, draft, released…), a choice
placeholder, a time-zone name or the raw key of any registered state machine showing in the page's visible
text (tests/translation_check.py, shared with the browser walks). Method codes may appear inside <code> (kept for audits)."""

import pytest

from accounts.models import User
from demo import seed as demo
from tests.test_post_twice import Crawl, top_pages
from tests.translation_check import page_leaks

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = demo.seed_demo()
        demo.seed_demo_story(call=result["call"])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_page_shows_a_raw_state_key_a_python_literal_or_a_method_code(seeded, client, language):
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
            bad = page_leaks(html, chinese=language == "zh-hans")
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


def test_every_state_machine_names_its_states_through_the_registry():
    """Every FSMField's states are registered (proposals.models.register_state_choices), so a history
    row of any machine reads in the reader's language."""
    from django.apps import apps  # noqa: PLC0415
    from django_fsm import FSMFieldMixin  # noqa: PLC0415

    from proposals.models import _STATE_CHOICES  # noqa: PLC0415

    registered = [set(choices.values) for known in _STATE_CHOICES.values() for choices in known]
    unnamed = []
    for model in apps.get_models():
        if model._meta.app_label not in {"proposals", "reviews", "funding", "incubation", "decisions"}:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, FSMFieldMixin) and {key for key, _label in field.choices} not in registered:
                unnamed.append(f"{model.__name__}.{field.name}")
    assert unnamed == []


def test_the_checker_names_each_kind_of_raw_value_on_a_chinese_page_and_spares_an_english_one():
    from tests.translation_check import page_leaks  # noqa: PLC0415

    html = ("<main><p>是否公开：yes</p><select><option>---------</option></select><p>截止 (Asia/Shanghai)</p>"
            "<td>active</td><td>in_review</td><p>None</p><textarea>no</textarea><code>commission-v1</code>"
            "<p>PDF · pocflow · UTC+8</p></main>")
    assert page_leaks(html, chinese=True) == {"yes", "---------", "Asia/Shanghai", "active", "in_review", "None"}
    assert page_leaks(html, chinese=False) == {"in_review"}
