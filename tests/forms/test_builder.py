from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from forms.builder import build_answer_form
from proposals.models import Answer
from tests.factories import ProposalFactory, QuestionFactory
from tests.forms.samples import PDF, ooxml, upload

pytestmark = pytest.mark.usefixtures("english")

COLOURS = [{"value": "red", "zh": "红色", "en": "Red"}, {"value": "blue", "zh": "蓝色", "en": ""}]


def error_codes(form) -> dict[str, list[str]]:
    return {name: [e.code for e in errors] for name, errors in form.errors.as_data().items()}


@pytest.mark.django_db
def test_fields_follow_the_questions_in_order_with_localized_labels():
    first = QuestionFactory(label_zh="项目名称", label_en="Project name", help_zh="简短", help_en="Short")
    second = QuestionFactory(form=first.form, kind="long_text", label_zh="摘要", label_en="")

    form = build_answer_form(questions=[first, second])

    assert list(form.fields) == [f"q_{first.pk}", f"q_{second.pk}"]
    assert [(f.label, f.help_text) for f in form.fields.values()] == [("Project name", "Short"), ("摘要", "")]
    assert [type(f.widget) for f in form.fields.values()] == [forms.TextInput, forms.Textarea]


@pytest.mark.django_db
def test_help_text_is_escaped():
    question = QuestionFactory(help_en="<script>x</script>")

    form = build_answer_form(questions=[question])

    assert form.fields[question.field_name].help_text == "&lt;script&gt;x&lt;/script&gt;"


@pytest.mark.django_db
def test_required_question_must_be_answered_on_submission():
    question = QuestionFactory(required=True)

    form = build_answer_form(questions=[question], data={question.field_name: ""}, require=True)

    assert error_codes(form) == {question.field_name: ["required"]}


@pytest.mark.django_db
def test_required_question_may_stay_empty_in_a_draft():
    question = QuestionFactory(required=True)

    form = build_answer_form(questions=[question], data={question.field_name: ""}, require=False)

    assert form.is_valid()
    assert form.cleaned_data == {question.field_name: ""}


@pytest.mark.django_db
def test_browser_is_not_asked_to_enforce_required_fields():
    question = QuestionFactory(required=True)

    html = str(build_answer_form(questions=[question], require=True)[question.field_name])

    assert " required" not in html
    assert 'aria-required="true"' in html


@pytest.mark.django_db
def test_text_longer_than_max_length_is_refused_even_in_a_draft():
    question = QuestionFactory(max_length=5)

    form = build_answer_form(questions=[question], data={question.field_name: "六个汉字啊啊"})

    assert error_codes(form) == {question.field_name: ["max_length"]}


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "code"), [("-1", "min_value"), ("11", "max_value"), ("abc", "invalid")])
def test_number_outside_bounds_or_not_a_number_is_refused(typed, code):
    question = QuestionFactory(kind="number", min_value=Decimal("0"), max_value=Decimal("10"))

    form = build_answer_form(questions=[question], data={question.field_name: typed})

    assert error_codes(form) == {question.field_name: [code]}


@pytest.mark.django_db
def test_number_within_bounds_is_cleaned_to_decimal():
    question = QuestionFactory(kind="number", min_value=Decimal("0"), max_value=Decimal("10"))

    form = build_answer_form(questions=[question], data={question.field_name: "7.25"})

    assert form.is_valid()
    assert form.cleaned_data == {question.field_name: Decimal("7.25")}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "labels"), [("zh-hans", ["红色", "蓝色"]), ("en", ["Red", "蓝色"])]
)
def test_choices_are_labelled_in_the_active_language_with_fallback(language, labels):
    question = QuestionFactory(kind="single_choice", choices=COLOURS)

    with translation.override(language):
        form = build_answer_form(questions=[question])

    assert form.fields[question.field_name].choices == list(zip(["red", "blue"], labels))


@pytest.mark.django_db
def test_multiple_choice_refuses_unknown_values():
    question = QuestionFactory(kind="multiple_choice", choices=COLOURS)

    form = build_answer_form(questions=[question], data={question.field_name: ["red", "green"]})

    assert error_codes(form) == {question.field_name: ["invalid_choice"]}


@pytest.mark.django_db
def test_stored_answers_are_the_initial_values():
    text = QuestionFactory()
    colours = QuestionFactory(form=text.form, kind="multiple_choice", choices=COLOURS)
    proposal = ProposalFactory(call__form=text.form)
    answers = {
        text.pk: Answer.objects.create(proposal=proposal, question=text, value="已填写"),
        colours.pk: Answer.objects.create(proposal=proposal, question=colours, value=["blue"]),
    }

    form = build_answer_form(questions=[text, colours], answers=answers)

    assert form.initial == {text.field_name: "已填写", colours.field_name: ["blue"]}


@pytest.mark.django_db
def test_file_input_accepts_only_the_allowed_types_and_says_the_limit():
    question = QuestionFactory(kind="file", file_types=["pdf", "docx"], max_file_mb=30, help_en="Your plan.")

    form = build_answer_form(questions=[question], max_upload_bytes=10 * 1024 * 1024)

    field = form.fields[question.field_name]
    assert field.max_bytes == 10 * 1024 * 1024
    assert field.widget.attrs["accept"] == ".pdf,.docx"
    assert field.help_text == "Your plan. Allowed types: PDF, Word document (.docx); at most 10 MB."


@pytest.mark.django_db
def test_file_field_checks_the_content():
    question = QuestionFactory(kind="file", file_types=["pdf"])

    form = build_answer_form(questions=[question], data={}, files={question.field_name: upload("plan.pdf", ooxml())})

    assert error_codes(form) == {question.field_name: ["extension_mismatch"]}


@pytest.mark.django_db
def test_valid_upload_carries_its_detected_type():
    question = QuestionFactory(kind="file", file_types=["pdf"])

    form = build_answer_form(questions=[question], data={}, files={question.field_name: upload("plan.pdf", PDF)})

    assert form.is_valid()
    assert form.cleaned_data[question.field_name].detected_type == "pdf"


@pytest.mark.django_db
def test_required_file_is_needed_on_submission_when_none_is_stored():
    question = QuestionFactory(kind="file", required=True)

    form = build_answer_form(questions=[question], data={}, files={}, require=True)

    assert error_codes(form) == {question.field_name: ["required"]}
    assert form.stored_files == {}


@pytest.mark.django_db
def test_stored_file_satisfies_a_required_file_question():
    question = QuestionFactory(kind="file", required=True)
    proposal = ProposalFactory(call__form=question.form)
    answer = Answer(proposal=proposal, question=question, file_name="计划书.pdf")
    answer.file.save("plan.pdf", upload("plan.pdf", PDF))

    form = build_answer_form(questions=[question], data={}, files={}, answers={question.pk: answer}, require=True)

    assert form.is_valid()
    assert form.cleaned_data == {question.field_name: None}
    assert form.stored_files == {question.field_name: "计划书.pdf"}
