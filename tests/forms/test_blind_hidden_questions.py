"""Questions marked "hide in blind review": when the call's review is blind, experts neither see the answers
(text or file) nor download the files; in an open call they do; the applicant and staff always do."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

from forms.enums import QuestionKind
from forms.formsets import QuestionFormSet
from forms.models import Question
from proposals.models import Answer
from tests.e2e.html import page_form
from tests.factories import CallFactory, QuestionFactory
from tests.permissions.scene import PDF, Scene

pytestmark = pytest.mark.django_db

TEAM = "团队负责人张三丰，清华大学教授，曾任某公司首席科学家"
CV_FILE = "张三丰简历.pdf"
PLAN = "以钙钛矿叠层结构提升转换效率"


def scene_with_hidden_answers(*, blind: bool):
    """A proposal in review with a visible plan, a hidden team text and a hidden CV file."""
    scene = Scene("in_review")
    scene.world.call.blind_identity = blind
    scene.world.call.save(update_fields=["blind_identity"])
    form = scene.world.call.form
    plan = QuestionFactory(form=form, kind=QuestionKind.LONG_TEXT, label_en="PoC plan")
    team = QuestionFactory(form=form, kind=QuestionKind.LONG_TEXT, label_zh="团队介绍", label_en="Team",
                           hide_in_blind_review=True)
    cv = QuestionFactory(form=form, kind=QuestionKind.FILE, label_zh="主要成员简历", label_en="CVs", file_types=["pdf"],
                         hide_in_blind_review=True)
    Answer.objects.create(proposal=scene.proposal, question=plan, value=PLAN)
    Answer.objects.create(proposal=scene.proposal, question=team, value=TEAM)
    scene.cv_answer = Answer.objects.create(proposal=scene.proposal, question=cv, file=ContentFile(PDF, name="cv.pdf"),
                                            file_name=CV_FILE, content_type="application/pdf")
    return scene


def expert_page(scene):
    return scene.client("assigned_expert").get(reverse("workflows:review", args=[scene.review.pk])).content.decode()


def test_an_expert_of_a_blind_call_sees_no_trace_of_the_hidden_answers_and_cannot_download_their_file():
    scene = scene_with_hidden_answers(blind=True)
    page = expert_page(scene)
    download = scene.client("assigned_expert").get(reverse("proposals:answer_file", args=[scene.cv_answer.pk]))

    assert PLAN in page  # the rest of the form is there
    assert "张三丰" not in page and "团队介绍" not in page and "主要成员简历" not in page
    assert reverse("proposals:answer_file", args=[scene.cv_answer.pk]) not in page
    assert download.status_code == 404
    # the visible attachment keeps its neutral name, numbered among what the expert sees
    assert "附件1-" in page
    visible = scene.client("assigned_expert").get(reverse("proposals:answer_file", args=[scene.answer.pk]))
    assert visible.status_code == 200


def test_an_expert_of_an_open_call_sees_and_downloads_the_answers():
    scene = scene_with_hidden_answers(blind=False)
    page = expert_page(scene)
    download = scene.client("assigned_expert").get(reverse("proposals:answer_file", args=[scene.cv_answer.pk]))
    assert TEAM in page and CV_FILE in page
    assert download.status_code == 200


@pytest.mark.parametrize("role", ["owner", "program_officer"])
def test_the_applicant_and_staff_always_see_and_download_the_hidden_answers(role):
    scene = scene_with_hidden_answers(blind=True)
    client = scene.client(role)
    page = client.get(reverse("proposals:detail", args=[scene.proposal.pk])).content.decode()
    download = client.get(reverse("proposals:answer_file", args=[scene.cv_answer.pk]))
    assert TEAM in page and CV_FILE in page
    assert download.status_code == 200
    assert "%E5%BC%A0%E4%B8%89%E4%B8%B0" in download["Content-Disposition"]  # 张三丰, URL-encoded: the real name


def test_an_unassigned_expert_still_cannot_download_any_file():
    scene = scene_with_hidden_answers(blind=False)
    assert scene.client("expert").get(reverse("proposals:answer_file", args=[scene.cv_answer.pk])).status_code == 403


def test_the_flag_defaults_to_off_and_is_edited_in_the_call_editor_with_a_translated_label_and_help():
    call = CallFactory()
    question = QuestionFactory(form=call.form, kind=QuestionKind.LONG_TEXT, label_zh="团队介绍")
    assert question.hide_in_blind_review is False
    with translation.override("en"):
        field = QuestionFormSet(instance=call.form, prefix="questions").forms[0].fields["hide_in_blind_review"]
        assert (str(field.label), str(field.help_text).startswith("When the call's review is blind")) == (
            "Hide in blind review", True)

    from tests.reviews.test_rubric_call_form import officer_client, post_edit  # noqa: PLC0415 — reason: reuse the editor's round trip

    client = officer_client()
    page = client.get(reverse("proposals:call_step", args=[call.pk, "form"])).content.decode()
    assert 'name="questions-0-hide_in_blind_review"' in page
    response = post_edit(client, call, {"questions-0-hide_in_blind_review": "on"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.hide_in_blind_review is True
    again = dict(page_form(client.get(reverse("proposals:call_step", args=[call.pk, "form"])),
                           action="").defaults)
    assert again["questions-0-hide_in_blind_review"] == "on"


def test_the_demo_form_hides_the_team_question_and_shows_the_plan(db):
    from demo.seed import seed_demo  # noqa: PLC0415 — reason: the seed is heavy; only this test needs it

    seed_demo()
    hidden = {q.label_en: q.hide_in_blind_review for q in Question.objects.all()}
    assert hidden["Team and members' CVs"] is True
    assert hidden["PoC plan"] is False and hidden["Business plan (PDF)"] is False
