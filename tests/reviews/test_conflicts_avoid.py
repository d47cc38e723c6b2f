"""The applicant's "experts to avoid" list (回避申请): on the edit page, within the call's limit, with reasons."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from proposals.enums import ScreeningOutcome
from proposals.models import AuditEntry, ExpertAvoidance
from proposals.services.submission import set_avoid_requests
from tests.factories import CallFactory, UserFactory
from tests.helpers import World
from tests.reviews.pool_support import signed_in
from workflows import services

pytestmark = pytest.mark.django_db


def core_data(proposal):
    return {
        "title": proposal.title, "language": proposal.language, "abstract": proposal.abstract, "keywords": proposal.keywords,
        "field": proposal.field, "trl": "", "ip_status": proposal.ip_status, "institution": proposal.institution,
        "team": proposal.team, "application_scenario": "", "requested_amount": str(proposal.requested_amount),
    }


def avoid_data(rows, *, initial=0, total=None):
    data = {"avoid-TOTAL_FORMS": str(total if total is not None else len(rows)), "avoid-INITIAL_FORMS": str(initial),
            "avoid-MIN_NUM_FORMS": "0", "avoid-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"avoid-{i}-{key}"] = value
    return data


def avoided(proposal):
    return list(ExpertAvoidance.objects.filter(proposal=proposal).values_list("name", "institution", "reason"))


@pytest.fixture
def world():
    return World(call=CallFactory(max_avoid_requests=2))


def test_the_edit_page_offers_as_many_rows_as_the_call_allows(world):
    proposal = world.proposal()
    proposal.applicant.language = "en"
    proposal.applicant.save(update_fields=["language"])
    html = signed_in(proposal.applicant).get(reverse("proposals:edit", args=[proposal.pk])).content.decode()
    assert "You may name up to 2 experts you ask not to review this proposal" in html
    assert 'name="avoid-TOTAL_FORMS" value="2"' in html
    assert 'name="avoid-1-reason"' in html and 'name="avoid-2-reason"' not in html


def test_a_call_that_allows_none_shows_no_list():
    world = World(call=CallFactory(max_avoid_requests=0))
    proposal = world.proposal()
    html = signed_in(proposal.applicant).get(reverse("proposals:edit", args=[proposal.pk])).content.decode()
    assert "avoid-TOTAL_FORMS" not in html


def test_the_applicant_saves_experts_to_avoid_with_reasons(world):
    proposal = world.proposal()
    data = {**core_data(proposal), **avoid_data([
        {"name": "周专家", "institution": "上海交通大学", "reason": "直接竞争团队"},
        {"name": "", "institution": "", "reason": ""},  # an empty row is ignored
    ])}
    response = signed_in(proposal.applicant).post(reverse("proposals:edit", args=[proposal.pk]), data)
    assert response.status_code == 302
    assert avoided(proposal) == [("周专家", "上海交通大学", "直接竞争团队")]
    audit = AuditEntry.objects.get(action="proposal.avoid_list")
    assert (audit.actor, audit.data) == (proposal.applicant, {"experts": [{"name": "周专家", "institution": "上海交通大学"}]})


def test_saving_the_same_list_again_writes_no_audit_row(world):
    proposal = world.proposal()
    rows = [{"name": "周专家", "institution": "", "reason": "竞争"}]
    set_avoid_requests(proposal=proposal, actor=proposal.applicant, rows=rows)
    set_avoid_requests(proposal=proposal, actor=proposal.applicant, rows=rows)
    assert AuditEntry.objects.filter(action="proposal.avoid_list").count() == 1


def test_a_row_without_a_reason_is_refused_and_what_was_typed_is_kept(world):
    proposal = world.proposal()
    applicant = proposal.applicant
    applicant.language = "en"
    applicant.save(update_fields=["language"])
    data = {**core_data(proposal), "title": "新标题", **avoid_data([{"name": "吴专家", "institution": "南京大学", "reason": ""}])}
    response = signed_in(applicant).post(reverse("proposals:edit", args=[proposal.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in html
    assert 'value="吴专家"' in html and 'value="南京大学"' in html
    assert avoided(proposal) == []
    proposal.refresh_from_db()
    assert proposal.title == "新标题"  # the rest of the form was still saved


def test_more_rows_than_the_call_allows_are_refused_and_nothing_is_saved(world):
    proposal = world.proposal()
    applicant = proposal.applicant
    applicant.language = "en"
    applicant.save(update_fields=["language"])
    rows = [{"name": f"专家{i}", "institution": "", "reason": "竞争"} for i in range(3)]
    response = signed_in(applicant).post(reverse("proposals:edit", args=[proposal.pk]), {**core_data(proposal), **avoid_data(rows)})
    assert response.status_code == 400
    assert "This call lets you name at most 2 experts to avoid." in response.content.decode()
    assert avoided(proposal) == []


def test_removing_a_row_deletes_it(world):
    proposal = world.proposal()
    set_avoid_requests(proposal=proposal, actor=proposal.applicant, rows=[
        {"name": "甲", "institution": "", "reason": "一"}, {"name": "乙", "institution": "", "reason": "二"}])
    first, second = ExpertAvoidance.objects.filter(proposal=proposal).order_by("pk")
    data = {**core_data(proposal), **avoid_data([
        {"id": str(first.pk), "proposal": str(proposal.pk), "name": "甲", "institution": "", "reason": "一", "DELETE": "on"},
        {"id": str(second.pk), "proposal": str(proposal.pk), "name": "乙", "institution": "", "reason": "二"},
    ], initial=2)}
    assert signed_in(proposal.applicant).post(reverse("proposals:edit", args=[proposal.pk]), data).status_code == 302
    assert avoided(proposal) == [("乙", "", "二")]


def test_a_post_without_the_list_leaves_it_alone(world):
    proposal = world.proposal()
    set_avoid_requests(proposal=proposal, actor=proposal.applicant, rows=[{"name": "甲", "institution": "", "reason": "一"}])
    assert signed_in(proposal.applicant).post(reverse("proposals:edit", args=[proposal.pk]), core_data(proposal)).status_code == 302
    assert avoided(proposal) == [("甲", "", "一")]


def test_save_and_submit_keeps_the_list(world):
    proposal = world.proposal()
    data = {**core_data(proposal), **avoid_data([{"name": "周专家", "institution": "", "reason": "竞争"}])}
    response = signed_in(proposal.applicant).post(reverse("workflows:submit", args=[proposal.pk]), data)
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, avoided(proposal)) == ("submitted", [("周专家", "", "竞争")])


@pytest.mark.parametrize("case", ["submitted", "not_the_applicant", "over_the_limit", "no_reason", "no_name"])
def test_the_service_refuses_and_changes_nothing(world, case):
    proposal = world.submitted() if case == "submitted" else world.proposal()
    actor = UserFactory(role=Role.RESEARCHER) if case == "not_the_applicant" else proposal.applicant
    rows = {"over_the_limit": [{"name": f"专家{i}", "reason": "竞争"} for i in range(3)],
            "no_reason": [{"name": "周专家", "reason": " "}],
            "no_name": [{"name": "", "reason": "竞争"}]}.get(case, [{"name": "周专家", "reason": "竞争"}])
    error = {"submitted": IllegalTransition, "not_the_applicant": NotPermitted}.get(case, InvalidInput)
    with pytest.raises(error):
        set_avoid_requests(proposal=proposal, actor=actor, rows=rows)
    assert avoided(proposal) == []
    assert AuditEntry.objects.filter(action="proposal.avoid_list").count() == 0


def test_the_limit_message_names_the_limit(world):
    proposal = world.proposal()
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        set_avoid_requests(proposal=proposal, actor=proposal.applicant, rows=[{"name": f"专家{i}", "reason": "x"} for i in range(3)])
    assert str(exc.value) == "This call lets you name at most 2 experts to avoid."


def test_the_list_is_not_editable_once_submitted(world):
    proposal = world.submitted()
    response = signed_in(proposal.applicant).get(reverse("proposals:edit", args=[proposal.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("proposals:detail", args=[proposal.pk])


def test_staff_see_the_list_read_only_and_experts_never_do(world):
    draft = world.proposal()
    set_avoid_requests(proposal=draft, actor=draft.applicant, rows=[{"name": "周回避", "institution": "上海交通大学", "reason": "竞争团队"}])

    services.submit_proposal(proposal=draft, actor=draft.applicant)

    services.screen_proposal(proposal=draft, officer=world.officer, outcome=ScreeningOutcome.PASS,
                             checklist={str(i.pk): True for i in world.checklist})
    reviews = services.assign_experts(proposal=draft, officer=world.officer, experts=world.experts)
    staff_html = signed_in(world.officer).get(reverse("proposals:detail", args=[draft.pk])).content.decode()
    assert "周回避" in staff_html and "竞争团队" in staff_html
    assert 'name="avoid-0-name"' not in staff_html
    expert = signed_in(world.experts[0])
    assert expert.get(reverse("proposals:detail", args=[draft.pk])).status_code == 403
    review_html = expert.get(reverse("workflows:review", args=[reviews[0].pk])).content.decode()
    assert "周回避" not in review_html and "竞争团队" not in review_html
