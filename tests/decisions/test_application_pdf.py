"""The printable application (申报书): every answer in order, attachments with their SHA-256, and the institution's
endorsement page with a place for its seal; for the applicant and staff, never for experts or strangers."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tests.decisions.pdfutil import pdf_text, squash
from tests.helpers import World

pytestmark = pytest.mark.django_db


def get(user, proposal):
    client = Client()
    client.force_login(user)
    return client.get(reverse("decisions:application_pdf", args=[proposal.pk]))


def test_the_applicant_prints_the_application_with_the_endorsement_page():
    world = World()
    proposal = world.submitted()
    response = get(proposal.applicant, proposal)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    text = pdf_text(pdf)
    for expected in ("申报书", proposal.title, proposal.reference, "单位推荐意见", "盖章处", "年____月____日"):
        assert squash(expected) in text, expected
    for answer in proposal.answers.select_related("question"):
        assert squash(answer.question.label) in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2  # the endorsement starts a page of its own


def test_staff_may_print_it_and_experts_and_other_researchers_may_not():
    world = World()
    proposal = world.assigned()
    assert get(world.officer, proposal).status_code == 200
    assert get(world.experts[0], proposal).status_code == 403
    from accounts.enums import Role  # noqa: PLC0415
    from tests.factories import UserFactory  # noqa: PLC0415

    assert get(UserFactory(role=Role.RESEARCHER), proposal).status_code == 403
