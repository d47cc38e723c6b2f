import io
from pathlib import PurePosixPath

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from pikepdf import PikepdfError

from core import outbox
from core.errors import DomainError
from forms.enums import FileType, QuestionKind
from forms.models import Question
from forms.pdfs import read_metadata, without_metadata
from forms.uploads import CONTENT_TYPES, MB
from proposals.models import Answer, AuditEntry, Call, Proposal


def open_calls(*, at=None):
    at = at or timezone.now()
    return Call.objects.filter(draft=False, opens_at__lte=at, closes_at__gt=at).select_related("fund").order_by("closes_at", "pk")


def all_calls():
    return Call.objects.select_related("fund").order_by("-opens_at", "pk")


def proposals_for_pages():
    """Proposals with what every proposal page shows beside them: the call, its fund, the applicant."""
    return Proposal.objects.select_related("call", "applicant", "call__fund")


def proposals_for_editing():
    """Proposals with the call and its application form, for the edit page."""
    return Proposal.objects.select_related("call", "call__form")


def answers_of(*, proposal):
    """The proposal's answers in the form's order, each with its question."""
    return Answer.objects.filter(proposal=proposal).select_related("question").order_by("question__order", "pk")


def readable_answers(*, answers, see_hidden: bool) -> list:
    """The answers a reader may see: all of them, or (`see_hidden` False: an expert in a blind call, as the
    predicate `proposals.see_blind_hidden_answers` says) none to a question marked "hide in blind review"."""
    return [a for a in answers if see_hidden or not a.question.hide_in_blind_review]


def attachment_names(*, answers, real: bool) -> dict[int, str]:
    """The name each file answer is shown and downloaded under: its own, or in a blind review a neutral
    one from the question's label and the file's position ("附件1-商业计划书.pdf")."""
    names, position = {}, 0
    for answer in sorted(answers, key=lambda a: (a.question.order, a.pk)):
        if not answer.file:
            continue
        position += 1
        if real:
            names[answer.pk] = answer.file_name or "file"
        else:
            extension = PurePosixPath(answer.file_name or answer.file.name).suffix.lower()
            label = "".join(ch for ch in str(answer.question.label) if ch not in '\\/:*?"<>|')[:60]
            names[answer.pk] = f"{_('Attachment')}{position}-{label}{extension}"
    return names


def form_body_limit(*, proposal_pk) -> int | None:
    """The largest request the application form's page takes for this proposal: the limit of each of its
    call's file questions, and a megabyte for the typed answers (core.bodylimit). None: no such proposal."""
    forms_of_call = list(Proposal.objects.filter(pk=proposal_pk).values_list("call__form_id", flat=True))
    if not forms_of_call:
        return None
    sizes = Question.objects.filter(form_id=forms_of_call[0], kind=QuestionKind.FILE).values_list("max_file_mb", flat=True)
    return sum(min(mb * MB, settings.UPLOAD_MAX_BYTES) for mb in sizes) + MB


def is_pdf_answer(answer) -> bool:
    return bool(answer.file) and answer.content_type == CONTENT_TYPES[FileType.PDF]


def attachment_metadata(*, answers) -> dict[int, dict[str, str]]:
    """answer pk -> the author and title named in each PDF answer's metadata (read from the stored file)."""
    found = {}
    for answer in answers:
        if is_pdf_answer(answer):
            with answer.file.open("rb") as handle:
                metadata = read_metadata(handle)
            if metadata:
                found[answer.pk] = metadata
    return found


def file_for_download(*, answer, original: bool):
    """The stored file, or for a PDF that must not show its metadata a copy without it."""
    if original or not is_pdf_answer(answer):
        return answer.file.open("rb")
    with answer.file.open("rb") as handle:
        try:
            return io.BytesIO(without_metadata(handle))
        except (PikepdfError, RuntimeError, ValueError) as exc:  # never send the original in its place
            raise DomainError(_("This file cannot be prepared for download. Ask the program office for a copy.")) from exc


def answer_files():
    """Answers with their proposal, call and question, for the file download (its permissions ask about
    the proposal and whether the question is hidden in a blind review)."""
    return Answer.objects.select_related("proposal", "proposal__call", "question")


def proposals_of(*, applicant):
    return Proposal.objects.filter(applicant=applicant).select_related("call").order_by("-created_at", "-pk")


def staff_proposals(*, call=None, status=None, q=None):
    qs = Proposal.objects.exclude(status="draft").select_related("call", "applicant")
    if call:
        qs = qs.filter(call=call)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(reference__icontains=q) | Q(keywords__icontains=q))
    return qs.order_by("-submitted_at", "-pk")


# Rows of the expert-review machines (reviews, objections) carry their own states, not the proposal's;
# the applicant's history never listed them (reviews are blind, objections confidential).
REVIEW_MACHINE_ACTIONS = ("review.", "notice.")


def history(*, proposal):
    rows = AuditEntry.objects.filter(proposal=proposal)
    for prefix in REVIEW_MACHINE_ACTIONS:
        rows = rows.exclude(action__startswith=prefix)
    return rows.select_related("actor").order_by("created_at", "pk")


# -- what is still owed on a proposal (core.outbox): letters and documents being prepared ----------

DOCUMENT_DELIVERY_PREFIX = "document."


def outbox_subject(proposal_id: int) -> str:
    """How outbox deliveries about a proposal name it (decisions records its documents so)."""
    return f"proposal:{proposal_id}"


def documents_being_prepared(*, proposal) -> bool:
    return outbox.owed(subject=outbox_subject(proposal.pk), kinds_prefix=DOCUMENT_DELIVERY_PREFIX).exists()
