"""A researcher's answers to the call's application form: save what validated, report what is missing."""

import hashlib
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import IllegalTransition
from forms.builder import AnswerForm
from forms.enums import QuestionKind
from forms.models import Question
from forms.uploads import CONTENT_TYPES, EXTENSIONS
from proposals.enums import EDITABLE_STATES
from proposals.models import Answer, Proposal
from proposals.services.audit import record_audit


def answers_by_question(*, proposal: Proposal) -> dict[int, Answer]:
    return {answer.question_id: answer for answer in proposal.answers.all()}


def save_answers(*, proposal: Proposal, form: AnswerForm, actor) -> int:
    """Store every answer whose field validated, even when other fields did not.

    So a validation error never loses what was typed or uploaded correctly. An empty text,
    number or choice clears the stored value; an empty file field keeps the stored file.
    Returns the number of answers written. Callers wrap this in a transaction.
    """
    if proposal.status not in EDITABLE_STATES:
        raise IllegalTransition(_("A proposal can only be edited while it is a draft or returned for revision."))
    foreign = [q.pk for q in form.questions.values() if q.form_id != proposal.call.form_id]
    if foreign:
        raise ValueError(f"Questions {foreign} are not on this proposal's application form.")
    form.is_valid()  # fills cleaned_data with the fields that validated
    cleaned = getattr(form, "cleaned_data", {})  # an unbound form has none
    existing = answers_by_question(proposal=proposal)
    written = []
    for field_name, question in form.questions.items():
        if field_name not in cleaned:
            continue
        answer = existing.get(question.pk) or Answer(proposal=proposal, question=question)
        value = cleaned[field_name]
        if question.kind == QuestionKind.FILE:
            if value is None:
                continue  # nothing uploaded: keep the stored file
            _store_file(answer, value, stored_name=field_name)
            form.stored_files[field_name] = answer.file_name
        elif not _store_value(answer, _json_value(value)):
            continue
        answer.save()
        written.append(question.pk)
    if written:
        record_audit(action="proposal.answers_saved", proposal=proposal, actor=actor, data={"questions": written})
    return len(written)


def missing_required_answers(*, proposal: Proposal) -> list[Question]:
    """Required questions of the call's form that have no stored answer."""
    if proposal.call.form_id is None:
        return []
    answers = answers_by_question(proposal=proposal)
    return [
        question
        for question in proposal.call.form.questions.filter(required=True)
        if not _is_answered(question, answers.get(question.pk))
    ]


def _is_answered(question: Question, answer: Answer | None) -> bool:
    if answer is None:
        return False
    if question.kind == QuestionKind.FILE:
        return bool(answer.file)
    return answer.value not in (None, "", [])


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    return value if value not in ("", []) else None


def _store_value(answer: Answer, value) -> bool:
    if value == answer.value or (value is None and answer.pk is None):
        return False
    answer.value = value
    return True


def _store_file(answer: Answer, upload, *, stored_name: str) -> None:
    """Store a checked upload (see forms.builder.UploadField) under a name of our own."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    old_name = answer.file.name if answer.file else ""
    kind = upload.detected_type
    answer.file.save(f"{stored_name}.{EXTENSIONS[kind][0]}", upload, save=False)
    answer.file_name = upload.name
    answer.file_sha256 = digest.hexdigest()
    answer.file_size = upload.size
    answer.content_type = CONTENT_TYPES[kind]
    if old_name:
        storage = answer.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
