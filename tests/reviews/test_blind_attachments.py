"""Blind review: experts see and download the applicant's attachments under neutral names built from the
question's label; the applicant and staff see the real names; an open call shows the real names."""

import pytest
from django.urls import reverse

from tests.permissions.scene import Scene

pytestmark = pytest.mark.django_db
REVEALING = "张三丰-清华大学-商业计划书.pdf"


def scene_with_revealing_file(blind: bool):
    scene = Scene("in_review")
    scene.world.call.blind_identity = blind
    scene.world.call.save(update_fields=["blind_identity"])
    scene.file_question.label_zh, scene.file_question.label_en = "商业计划书", "Business plan"
    scene.file_question.save()
    scene.answer.file_name = REVEALING
    scene.answer.save(update_fields=["file_name"])
    return scene


def download_name(response):
    disposition = response["Content-Disposition"]
    return disposition.split("filename*=utf-8''", 1)[-1] if "filename*=" in disposition else disposition


def test_in_a_blind_call_the_expert_sees_and_downloads_a_neutral_name():
    scene = scene_with_revealing_file(blind=True)
    client = scene.client("assigned_expert")
    page = client.get(reverse("workflows:review", args=[scene.review.pk])).content.decode()
    download = client.get(reverse("proposals:answer_file", args=[scene.answer.pk]))

    assert "张三丰" not in page and "清华大学" not in page
    assert "附件1-商业计划书.pdf" in page
    assert download.status_code == 200
    assert "%E5%BC%A0%E4%B8%89%E4%B8%B0" not in download["Content-Disposition"]  # 张三丰, URL-encoded
    assert "%E9%99%84%E4%BB%B61-" in download["Content-Disposition"]  # 附件1-


@pytest.mark.parametrize("role", ["owner", "program_officer"])
def test_the_applicant_and_staff_keep_the_real_name(role):
    scene = scene_with_revealing_file(blind=True)
    download = scene.client(role).get(reverse("proposals:answer_file", args=[scene.answer.pk]))
    assert download.status_code == 200
    assert "%E5%BC%A0%E4%B8%89%E4%B8%B0" in download["Content-Disposition"]


def test_an_open_call_shows_the_expert_the_real_name():
    scene = scene_with_revealing_file(blind=False)
    page = scene.client("assigned_expert").get(reverse("workflows:review", args=[scene.review.pk])).content.decode()
    assert REVEALING in page
