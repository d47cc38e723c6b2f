import hashlib
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from core.errors import IllegalTransition
from forms.builder import build_answer_form
from proposals.models import Answer, AuditEntry
from proposals.services.answers import answers_by_question, missing_required_answers, save_answers
from proposals.services.transition import transition_proposal
from tests.factories import ProposalFactory, QuestionFactory
from tests.forms.samples import PDF, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def proposal():
    return ProposalFactory()


def question(proposal, **kwargs):
    return QuestionFactory(form=proposal.call.form, **kwargs)


def bind(proposal, questions, data, files=None, require=False):
    return build_answer_form(
        questions=questions, data=data, files=files or {},
        answers=answers_by_question(proposal=proposal), require=require,
    )


def test_valid_text_and_upload_are_kept_when_another_field_is_invalid(proposal):
    title = question(proposal)
    budget = question(proposal, kind="number", max_value=Decimal("100"))
    plan = question(proposal, kind="file", file_types=["pdf"])
    form = bind(
        proposal, [title, budget, plan],
        data={title.field_name: "钙钛矿叠层电池", budget.field_name: "1000"},
        files={plan.field_name: upload("计划书.pdf", PDF, "text/plain")},
    )

    written = save_answers(proposal=proposal, form=form, actor=proposal.applicant)

    assert written == 2
    assert list(form.errors) == [budget.field_name]
    saved = answers_by_question(proposal=proposal)
    assert sorted(saved) == [title.pk, plan.pk]
    assert saved[title.pk].value == "钙钛矿叠层电池"
    stored = saved[plan.pk]
    assert (stored.file_name, stored.file_size, stored.content_type, stored.file_sha256) == (
        "计划书.pdf", len(PDF), "application/pdf", hashlib.sha256(PDF).hexdigest(),
    )
    assert stored.file.read() == PDF
    assert stored.file.name == f"proposals/{proposal.pk}/answers/{plan.pk}/{plan.field_name}.pdf"
    assert form.stored_files == {plan.field_name: "计划书.pdf"}


def test_save_is_audited_with_the_questions_written(proposal):
    title = question(proposal)
    form = bind(proposal, [title], data={title.field_name: "标题"})

    save_answers(proposal=proposal, form=form, actor=proposal.applicant)

    entry = AuditEntry.objects.get(action="proposal.answers_saved")
    assert (entry.proposal, entry.actor, entry.data) == (proposal, proposal.applicant, {"questions": [title.pk]})


def test_numbers_and_choices_are_stored_as_json(proposal):
    budget = question(proposal, kind="number")
    colours = question(proposal, kind="multiple_choice", choices=[{"value": "red", "zh": "红", "en": "Red"}])
    form = bind(proposal, [budget, colours], data={budget.field_name: "12.50", colours.field_name: ["red"]})

    save_answers(proposal=proposal, form=form, actor=proposal.applicant)

    assert {q: a.value for q, a in answers_by_question(proposal=proposal).items()} == {
        budget.pk: "12.50", colours.pk: ["red"],
    }


def test_unchanged_answers_are_not_rewritten_or_audited(proposal):
    title = question(proposal)
    Answer.objects.create(proposal=proposal, question=title, value="标题")
    form = bind(proposal, [title], data={title.field_name: "标题"})

    assert save_answers(proposal=proposal, form=form, actor=proposal.applicant) == 0
    assert AuditEntry.objects.filter(action="proposal.answers_saved").count() == 0


def test_empty_text_clears_the_stored_value(proposal):
    title = question(proposal)
    Answer.objects.create(proposal=proposal, question=title, value="旧标题")
    form = bind(proposal, [title], data={title.field_name: ""})

    assert save_answers(proposal=proposal, form=form, actor=proposal.applicant) == 1
    assert Answer.objects.get(question=title).value is None


def test_empty_answer_to_a_new_question_creates_no_row(proposal):
    title = question(proposal)
    form = bind(proposal, [title], data={title.field_name: ""})

    assert save_answers(proposal=proposal, form=form, actor=proposal.applicant) == 0
    assert Answer.objects.count() == 0


def test_empty_file_field_keeps_the_stored_file(proposal):
    plan = question(proposal, kind="file")
    save_answers(
        proposal=proposal, actor=proposal.applicant,
        form=bind(proposal, [plan], data={}, files={plan.field_name: upload("plan.pdf", PDF)}),
    )

    written = save_answers(proposal=proposal, form=bind(proposal, [plan], data={}), actor=proposal.applicant)

    assert written == 0
    assert Answer.objects.get(question=plan).file_name == "plan.pdf"


def test_replaced_file_is_deleted_after_commit(proposal, django_capture_on_commit_callbacks):
    plan = question(proposal, kind="file")
    save_answers(
        proposal=proposal, actor=proposal.applicant,
        form=bind(proposal, [plan], data={}, files={plan.field_name: upload("v1.pdf", PDF)}),
    )
    old_name = Answer.objects.get(question=plan).file.name

    with django_capture_on_commit_callbacks(execute=True):
        save_answers(
            proposal=proposal, actor=proposal.applicant,
            form=bind(proposal, [plan], data={}, files={plan.field_name: upload("v2.pdf", PDF + b"\n")}),
        )

    answer = Answer.objects.get(question=plan)
    assert (answer.file_name, answer.file_size) == ("v2.pdf", len(PDF) + 1)
    assert default_storage.exists(old_name) is False
    assert default_storage.exists(answer.file.name) is True


def test_refused_upload_is_not_stored(proposal):
    plan = question(proposal, kind="file", file_types=["pdf"])
    form = bind(proposal, [plan], data={}, files={plan.field_name: upload("evil.pdf", b"MZ\x90\x00" + PDF)})

    assert save_answers(proposal=proposal, form=form, actor=proposal.applicant) == 0
    assert form.errors.as_data()[plan.field_name][0].code == "executable"
    assert Answer.objects.count() == 0


def test_answers_cannot_change_after_submission(proposal):
    title = question(proposal)
    transition_proposal(proposal=proposal, transition="submit", actor=proposal.applicant)
    form = bind(proposal, [title], data={title.field_name: "迟到的修改"})

    with pytest.raises(IllegalTransition):
        save_answers(proposal=proposal, form=form, actor=proposal.applicant)
    assert Answer.objects.count() == 0


def test_questions_of_another_form_are_refused(proposal):
    stranger = QuestionFactory()
    form = bind(proposal, [stranger], data={stranger.field_name: "x"})

    with pytest.raises(ValueError):
        save_answers(proposal=proposal, form=form, actor=proposal.applicant)


def test_missing_required_answers_lists_required_questions_without_a_stored_answer(proposal):
    answered_text = question(proposal, required=True)
    cleared_text = question(proposal, required=True)
    unanswered_choice = question(proposal, kind="single_choice", required=True, choices=[{"value": "a", "zh": "甲"}])
    stored_file = question(proposal, kind="file", required=True)
    missing_file = question(proposal, kind="file", required=True)
    question(proposal, required=False)
    Answer.objects.create(proposal=proposal, question=answered_text, value="有")
    Answer.objects.create(proposal=proposal, question=cleared_text, value=None)
    Answer.objects.create(proposal=proposal, question=missing_file, value=None)
    answer = Answer(proposal=proposal, question=stored_file, file_name="plan.pdf")
    answer.file.save("plan.pdf", upload("plan.pdf", PDF))

    assert missing_required_answers(proposal=proposal) == [cleared_text, unanswered_choice, missing_file]


def test_call_without_form_has_no_missing_answers():
    assert missing_required_answers(proposal=ProposalFactory(call__form=None)) == []


def test_stored_file_lets_a_required_file_question_pass_submission_checks(proposal):
    plan = question(proposal, kind="file", required=True)
    save_answers(
        proposal=proposal, actor=proposal.applicant,
        form=bind(proposal, [plan], data={}, files={plan.field_name: upload("plan.pdf", PDF)}),
    )

    form = bind(proposal, [plan], data={}, require=True)

    assert form.is_valid()
    assert missing_required_answers(proposal=proposal) == []
