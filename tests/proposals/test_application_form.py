"""The researcher's application form: every question of the call from the first view, `*` on what must be
answered to submit (and not on optional rows), an error summary at the top linking to each field, uploads kept,
and no dead address after a failed submit."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.enums import Role
from forms.enums import QuestionKind
from proposals.enums import ProposalStatus as S
from proposals.models import Proposal
from tests.e2e.html import page_form
from tests.factories import CallFactory, ProposalFactory, QuestionFactory, UserFactory
from tests.forms.samples import PDF

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def call():
    call = CallFactory(max_avoid_requests=2)
    QuestionFactory(form=call.form, order=1, kind=QuestionKind.LONG_TEXT, label_en="PoC plan", required=True)
    QuestionFactory(form=call.form, order=2, kind=QuestionKind.SHORT_TEXT, label_en="Website", required=False)
    QuestionFactory(form=call.form, order=3, kind=QuestionKind.FILE, label_en="Business plan", required=True,
                    file_types=["pdf"], max_file_mb=5)
    return call


def marked(html, label):
    """Whether the label `label` carries the required marker."""
    match = re.search(rf">{re.escape(label)} <span class=\"req\" aria-hidden=\"true\">\*</span>", html)
    return match is not None


def test_the_first_view_shows_every_question_with_required_marks_on_required_ones_only(call):
    html = signed_in(UserFactory(role=Role.RESEARCHER)).get(reverse("proposals:new", args=[call.pk])).content.decode()
    for label in ("PoC plan", "Website", "Business plan"):
        assert f">{label}" in html, label
    assert marked(html, "PoC plan") and marked(html, "Business plan") and not marked(html, "Website")
    assert 'enctype="multipart/form-data"' in html and "error-summary" not in html


def test_saving_the_first_draft_keeps_the_answers_and_the_upload(call):
    researcher = UserFactory(role=Role.RESEARCHER)
    client = signed_in(researcher)
    url = reverse("proposals:new", args=[call.pk])
    form = page_form(client.get(url), has="title")
    plan, website, plan_file = (f"q_{q.pk}" for q in call.form.questions.order_by("order"))
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    data = form.data(title="钙钛矿叠层电池", abstract="摘要", requested_amount="300000.00", **{plan: "三阶段验证"})
    data[plan_file] = SimpleUploadedFile("plan.pdf", PDF, "application/pdf")
    response = client.post(url, data)
    proposal = Proposal.objects.get(applicant=researcher)
    assert response.status_code == 302 and response.url == reverse("proposals:edit", args=[proposal.pk])
    answers = {a.question.label_en: a for a in proposal.answers.select_related("question")}
    assert answers["PoC plan"].value == "三阶段验证" and answers["Business plan"].file_name == "plan.pdf"


def test_optional_experts_to_avoid_rows_carry_no_required_mark(call):
    proposal = ProposalFactory(call=call)
    html = signed_in(proposal.applicant).get(reverse("proposals:edit", args=[proposal.pk])).content.decode()
    avoid = html[html.index("avoid-TOTAL_FORMS"):]
    assert '<span class="req"' not in avoid.split("</section>")[0]
    assert marked(html, "PoC plan")


def test_a_failed_submit_lists_each_problem_at_the_top_linking_to_its_field_and_a_reload_is_no_dead_end(call):
    proposal = ProposalFactory(call=call)
    client = signed_in(proposal.applicant)
    edit = page_form(client.get(reverse("proposals:edit", args=[proposal.pk])), has="title")
    plan = call.form.questions.get(order=1)
    response = client.post(reverse("workflows:submit", args=[proposal.pk]), edit.data())
    assert response.status_code == 400
    html = response.content.decode()
    summary = html[html.index('id="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert f'href="#id_q_{plan.pk}"' in summary and f'id="id_q_{plan.pk}"' in html
    assert html.index('id="error-summary"') < html.index(f'id="id_q_{plan.pk}"')
    proposal.refresh_from_db()
    assert proposal.status == S.DRAFT
    reload = client.get(reverse("workflows:submit", args=[proposal.pk]))
    assert reload.status_code == 302 and reload.url == reverse("proposals:edit", args=[proposal.pk])


def test_reloading_the_submit_address_of_a_submitted_proposal_leads_to_its_page():
    from tests.helpers import World  # noqa: PLC0415

    proposal = World().submitted()
    client = signed_in(proposal.applicant)
    response = client.get(reverse("workflows:submit", args=[proposal.pk]))
    assert response.status_code == 302 and response.url == reverse("proposals:detail", args=[proposal.pk])
    stranger = signed_in(UserFactory(role=Role.RESEARCHER))
    assert stranger.get(reverse("workflows:submit", args=[proposal.pk])).status_code == 403
