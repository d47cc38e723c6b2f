"""The screening page: the whole application beside the checklist, so the officer never switches pages."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.enums import Role
from proposals.models import Answer
from tests.factories import QuestionFactory, UserFactory
from tests.forms.samples import PDF
from tests.helpers import World
from tests.reviews.pool_support import signed_in

pytestmark = pytest.mark.django_db


def _submitted_with_answers():
    world = World()
    text = QuestionFactory(form=world.call.form, label_zh="技术成熟度说明", kind="long_text", order=1)
    plan = QuestionFactory(form=world.call.form, label_zh="商业计划书", kind="file", order=2)
    QuestionFactory(form=world.call.form, label_zh="团队简历", kind="file", order=3)
    proposal = world.submitted(title="石墨烯传感器")
    Answer.objects.create(proposal=proposal, question=text, value="已完成实验室原型，TRL 4。")
    answer = Answer.objects.create(proposal=proposal, question=plan, file=ContentFile(PDF, name="plan.pdf"),
                                   file_name="商业计划书.pdf", file_size=len(PDF) + 2048, content_type="application/pdf")
    return world, proposal, answer


def test_the_application_and_its_files_are_beside_the_checklist():
    world, proposal, answer = _submitted_with_answers()
    response = signed_in(world.officer).get(reverse("workflows:screen", args=[proposal.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    application, checklist = html.split('<section class="card checklist"', 1)
    assert '<div class="screening">' in application
    for text in ("技术成熟度说明", "已完成实验室原型，TRL 4。", "商业计划书.pdf", proposal.abstract[:10]):
        assert text in application
    assert reverse("proposals:answer_file", args=[answer.pk]) in application
    assert "KB" in application  # the file's size
    assert "团队简历" in application  # a question left unanswered is named
    assert world.checklist[0].text in checklist and 'name="outcome"' in checklist


def test_the_page_uses_the_proposal_pages_rendering():
    world, proposal, _answer = _submitted_with_answers()
    client = signed_in(world.officer)
    screen = client.get(reverse("workflows:screen", args=[proposal.pk]))
    detail = client.get(reverse("proposals:detail", args=[proposal.pk]))
    for response in (screen, detail):
        assert "proposals/_application.html" in [t.name for t in response.templates]
        assert "proposals/_proposal_facts.html" in [t.name for t in response.templates]
    assert "商业计划书.pdf" in detail.content.decode()


def test_a_bad_post_keeps_the_application_on_the_page():
    world, proposal, _answer = _submitted_with_answers()
    response = signed_in(world.officer).post(reverse("workflows:screen", args=[proposal.pk]), {"outcome": "nonsense"})
    assert response.status_code == 400
    assert "商业计划书.pdf" in response.content.decode()


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.EXPERT, Role.PANEL_CHAIR, Role.FUND_MANAGER,
                                  Role.INCUBATION_MANAGER, Role.TECHNOLOGY_MANAGER])
def test_other_roles_are_refused(role):
    _world, proposal, _answer = _submitted_with_answers()
    assert signed_in(UserFactory(role=role)).get(reverse("workflows:screen", args=[proposal.pk])).status_code == 403


def test_query_count_does_not_grow_with_the_answers(django_assert_max_num_queries):
    world, proposal, _answer = _submitted_with_answers()
    client = signed_in(world.officer)
    url = reverse("workflows:screen", args=[proposal.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for i in range(8):
        question = QuestionFactory(form=world.call.form, label_zh=f"补充问题{i}", kind="short_text", order=10 + i)
        Answer.objects.create(proposal=proposal, question=question, value=f"回答{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert "回答7" in response.content.decode()
