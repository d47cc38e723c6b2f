"""An answer reads in the reader's language: a choice by its label, never its stored value."""

import pytest
from django.utils import translation

from forms.enums import QuestionKind
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

CHOICES = [{"value": "yes", "zh": "是", "en": "Yes"}, {"value": "no", "zh": "否", "en": "No"},
           {"value": "later", "zh": "以后", "en": ""}]


def test_a_choice_shows_its_label_in_the_readers_language():
    single = QuestionFactory(kind=QuestionKind.SINGLE_CHOICE, choices=CHOICES)
    several = QuestionFactory(kind=QuestionKind.MULTIPLE_CHOICE, choices=CHOICES)
    with translation.override("zh-hans"):
        assert single.display_value("yes") == "是"
        assert several.display_value(["yes", "no"]) == "是、否"
    with translation.override("en"):
        assert single.display_value("no") == "No"
        assert single.display_value("later") == "以后"  # no English label: the Chinese one
        assert several.display_value(["yes", "no"]) == "Yes, No"


def test_other_answers_show_as_typed_and_no_answer_shows_nothing():
    text = QuestionFactory(kind=QuestionKind.SHORT_TEXT)
    assert text.display_value("yes") == "yes"
    assert text.display_value(12) == "12"
    assert text.display_value(None) == ""
    assert QuestionFactory(kind=QuestionKind.SINGLE_CHOICE, choices=CHOICES).display_value("gone") == "gone"
