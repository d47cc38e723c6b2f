"""The application form's page takes a body as large as its call's file questions allow, and no larger."""

import pytest
from django.urls import reverse

from forms.enums import QuestionKind
from forms.uploads import MB
from proposals.models import Answer
from proposals.selectors import form_body_limit
from tests.core.test_bodylimit import Untouchable
from tests.factories import QuestionFactory
from tests.forms.samples import PDF, upload
from tests.helpers import World
from tests.reviews.pool_support import signed_in
from tests.reviews.test_conflicts_avoid import core_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal():
    proposal = World().proposal()
    for mb in (2, 3):
        QuestionFactory(form=proposal.call.form, kind=QuestionKind.FILE, file_types=["pdf"], max_file_mb=mb,
                        required=False)
    return proposal


def test_the_limit_is_the_sum_of_the_calls_file_limits_and_a_megabyte(proposal):
    assert form_body_limit(proposal_pk=proposal.pk) == 6 * MB
    assert form_body_limit(proposal_pk=proposal.pk + 1000) is None


def test_a_body_over_the_calls_limits_is_refused_unread(proposal):
    stream = Untouchable()

    response = signed_in(proposal.applicant).post(
        reverse("proposals:edit", args=[proposal.pk]), data=b"", content_type="multipart/form-data; boundary=x",
        CONTENT_TYPE="multipart/form-data; boundary=x", CONTENT_LENGTH=str(6 * MB + 1), **{"wsgi.input": stream})

    assert response.status_code == 413
    assert stream.taken == 0
    assert not Answer.objects.filter(proposal=proposal).exclude(file="").exists()


def test_an_attachment_within_the_limits_still_uploads(proposal):
    question = proposal.call.form.questions.filter(kind=QuestionKind.FILE).first()

    response = signed_in(proposal.applicant).post(
        reverse("proposals:edit", args=[proposal.pk]),
        {**core_data(proposal), question.field_name: upload("计划书.pdf", PDF)})

    assert response.status_code == 302
    answer = Answer.objects.get(proposal=proposal, question=question)
    assert answer.file.read() == PDF
