from decimal import Decimal

import pytest

from accounts.enums import Role
from proposals.models import Call
from tests.factories import FundFactory, UserFactory

pytestmark = pytest.mark.django_db


def management(prefix, total=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


# the call form's review settings as a browser posts them unchanged (checkboxes left unticked)
REVIEW_SETTINGS = {
    "reminder_days": "3,1", "max_avoid_requests": "3", "peer_scores": "after_own", "ranking_basis": "trimmed_mean",
    "disagreement_threshold": "20", "group_divergence_threshold": "15", "roadshow_weight": "0.30",
    "pitch_minutes": "8", "qa_minutes": "7", "notice_days": "7",
}


def test_program_officer_creates_a_bilingual_call_with_rubric_checklist_and_form(client):
    """The call builder, one step after another, as a browser posts each step."""
    officer = UserFactory(role=Role.PROGRAM_OFFICER)
    fund = FundFactory()
    client.force_login(officer)
    basics = {"title_zh": "2027年度概念验证", "title_en": "2027 PoC call", "description_zh": "说明", "description_en": "About",
              "opens_at": "2027-01-01T09:00", "closes_at": "2027-03-01T17:00", "time_zone": "Asia/Shanghai"}
    response = client.post("/calls/new/", basics)
    call = Call.objects.get(title_en="2027 PoC call")
    assert response.status_code == 302
    steps = {
        "form": {**management("checklist", 1), "checklist-0-order": "1", "checklist-0-text_zh": "材料齐全",
                 "checklist-0-text_en": "Complete",
                 **management("questions", 1), "questions-0-order": "1", "questions-0-kind": "file",
                 "questions-0-label_zh": "商业计划书", "questions-0-label_en": "Business plan", "questions-0-required": "on",
                 "questions-0-choices": "[]", "questions-0-file_types": '["pdf"]', "questions-0-max_file_mb": "20"},
        "rubric": {**management("criteria", 1), "criteria-0-order": "1", "criteria-0-name_zh": "创新性",
                   "criteria-0-name_en": "Novelty", "criteria-0-weight": "100", "criteria-0-max_score": "10"},
        "review": {"experts_per_proposal": "5", "review_days": "14", **REVIEW_SETTINGS, **management("composition")},
        "funding": {"fund": fund.pk, "max_request": "500000.00", "currency": "CNY"},
    }
    for step, data in steps.items():
        assert client.post(f"/calls/{call.pk}/edit/{step}/", data).status_code == 302, step
    call.refresh_from_db()
    assert (call.max_request, call.experts_per_proposal, call.fund_id) == (Decimal("500000.00"), 5, fund.pk)
    assert call.opens_at.isoformat() == "2027-01-01T01:00:00+00:00"
    assert [c.name_zh for c in call.criteria.all()] == ["创新性"]
    assert [i.text_zh for i in call.checklist_items.all()] == ["材料齐全"]
    assert [(q.kind, q.required, q.file_types) for q in call.form.questions.all()] == [("file", True, ["pdf"])]


def test_a_call_closing_before_it_opens_is_refused_and_nothing_is_saved(client):
    officer = UserFactory(role=Role.PROGRAM_OFFICER)
    client.force_login(officer)
    data = {"title_zh": "错误", "opens_at": "2027-03-01T09:00", "closes_at": "2027-01-01T09:00", "time_zone": "Asia/Shanghai",
            "max_request": "1000", "currency": "CNY", "experts_per_proposal": "3", "review_days": "14",
            **REVIEW_SETTINGS, **management("composition"), **management("checklist"), **management("criteria"), **management("questions")}
    response = client.post("/calls/new/", data)
    assert response.status_code == 400
    assert "错误" in response.content.decode()
    assert Call.objects.count() == 0


def test_a_researcher_cannot_create_a_call(client):
    client.force_login(UserFactory(role=Role.RESEARCHER))
    assert client.get("/calls/new/").status_code == 403
