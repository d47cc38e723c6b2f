"""Who may open which page: every view × every role, then the confidentiality rules."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from decisions.enums import DocumentKind
from decisions.services.letters import issue_letter
from proposals.enums import ProposalStatus as S
from reviews.enums import ReviewStatus
from tests.factories import CallFactory
from tests.permissions.scene import EXPERT_NAMES, ROLES, Scene
from workflows.flows import ProposalFlow

pytestmark = pytest.mark.django_db

SIGNED_IN = [r for r in ROLES if r != "anonymous"]
STAFF = ["program_officer", "panel_chair", "fund_manager", "incubation_manager"]


def ok(*roles, status=200):
    return {role: status for role in roles}


@dataclass(frozen=True)
class Case:
    id: str
    url_name: str
    state: str
    allowed: dict  # role → status; every other signed-in role gets 403
    args: Callable = lambda scene: []
    method: str = "get"
    data: Callable = lambda scene: {}


def closed_call(scene):
    now = timezone.now()
    return [CallFactory(opens_at=now - dt.timedelta(days=30), closes_at=now - dt.timedelta(days=1)).pk]


def approval_letter(scene):
    return [issue_letter(proposal=scene.proposal, kind=DocumentKind.APPROVAL_LETTER).pk]


def complete_draft(scene):
    return {"title": "钙钛矿叠层电池", "language": "zh-hans", "abstract": "摘要", "field": "other",
            "ip_status": "none", "requested_amount": "100000.00"}


def proposal_pk(scene):
    return [scene.proposal.pk]


CASES = [
    Case("home", "home", "draft", ok(*SIGNED_IN)),
    Case("calls", "proposals:calls", "draft", ok(*SIGNED_IN)),
    Case("call-open", "proposals:call", "draft", ok(*SIGNED_IN), args=lambda s: [s.world.call.pk]),
    Case("call-closed", "proposals:call", "draft", ok("program_officer"), args=closed_call),
    Case("call_new", "proposals:call_new", "draft", ok("program_officer")),
    Case("call_edit", "proposals:call_edit", "draft", ok("program_officer"), args=lambda s: [s.world.call.pk]),
    *(Case(f"call_step-{step}", "proposals:call_step", "draft", ok("program_officer"),
           args=lambda s, step=step: [s.world.call.pk, step]) for step in ("form", "rubric", "review", "funding")),
    Case("call_preview", "proposals:call_preview", "draft", ok("program_officer"), args=lambda s: [s.world.call.pk]),
    Case("call-draft", "proposals:call", "draft", ok("program_officer"),
         args=lambda s: [CallFactory(draft=True).pk]),
    Case("mine", "proposals:mine", "draft", ok("researcher", "owner")),
    Case("all", "proposals:all", "submitted", ok(*STAFF)),
    Case("detail", "proposals:detail", "in_review", ok("owner", *STAFF), args=proposal_pk),
    Case("edit", "proposals:edit", "draft", ok("owner"), args=proposal_pk),
    Case("answer_file", "proposals:answer_file", "in_review", ok("owner", "assigned_expert", *STAFF),
         args=lambda s: [s.answer.pk]),
    Case("screen", "workflows:screen", "submitted", ok("program_officer"), args=proposal_pk),
    Case("assign_experts", "workflows:assign_experts", "in_review", ok("program_officer"), args=proposal_pk),
    Case("panel", "workflows:panel", "panel", ok("program_officer", "panel_chair"), args=proposal_pk),
    Case("funding", "workflows:funding", "funding", ok("fund_manager"), args=proposal_pk),
    Case("start_incubation", "workflows:start_incubation", "funded", ok("incubation_manager"), args=proposal_pk),
    Case("review", "workflows:review", "in_review", ok("assigned_expert"), args=lambda s: [s.review.pk]),
    Case("decline", "workflows:decline", "in_review", ok("assigned_expert", status=302), args=lambda s: [s.review.pk],
         method="post", data=lambda s: {"reason": "同单位"}),
    Case("submit", "workflows:submit", "draft", ok("owner", status=302), args=proposal_pk, method="post",
         data=complete_draft),
    Case("withdraw", "workflows:withdraw", "submitted", ok("owner", status=302), args=proposal_pk, method="post",
         data=lambda s: {"note": "转让给企业"}),
    Case("reviews_mine", "reviews:mine", "in_review", ok("expert", "assigned_expert")),
    Case("create_user", "accounts:create_user", "draft", ok("program_officer")),
    Case("profile", "accounts:profile", "draft", ok(*SIGNED_IN)),
    Case("registered", "accounts:registered", "draft", ok(*ROLES)),
    Case("activate", "accounts:activate", "draft", ok(*ROLES, status=400), args=lambda s: ["forged:link"]),
    Case("confirm_email", "accounts:confirm_email", "draft", ok(*ROLES, status=400), args=lambda s: ["forged:link"]),
    Case("login_code", "accounts:login_code", "draft", ok(*ROLES, status=302)),  # no password step: back to login
    Case("two_factor", "accounts:two_factor", "draft", ok(*STAFF)),
    Case("two_factor_remove", "accounts:two_factor_remove", "draft", ok(*STAFF, status=302), method="post"),
    Case("funds", "funding:funds", "draft", ok("program_officer", "fund_manager")),
    Case("fund", "funding:fund", "draft", ok("program_officer", "fund_manager"), args=lambda s: [s.world.call.fund.pk]),
    Case("projects", "incubation:projects", "draft", ok("program_officer", "fund_manager", "incubation_manager")),
    Case("letter", "decisions:download", "funded", ok("owner", *STAFF), args=approval_letter),
    Case("verify", "decisions:verify", "draft", ok(*ROLES)),
    Case("deliveries", "workflows:deliveries", "draft", ok("program_officer")),
    Case("retry_failed_deliveries", "workflows:retry_failed_deliveries", "draft", ok("program_officer", status=302),
         method="post"),
    Case("reissue_letter", "decisions:reissue_letter", "funded", ok("program_officer", status=302),
         args=lambda s: [approval_letter(s) and s.proposal.pk, DocumentKind.APPROVAL_LETTER], method="post",
         data=lambda s: {"reason": "damaged copy"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_role_gets_the_expected_status_from_each_view(case, role):
    # arrange
    scene = Scene(case.state)
    url = reverse(case.url_name, args=case.args(scene))
    client = scene.client(role)
    # act
    response = getattr(client, case.method)(url, case.data(scene))
    # assert
    if role == "anonymous" and role not in case.allowed:
        assert (response.status_code, response.url) == (302, f"{reverse('login')}?next={url}")
    else:
        assert response.status_code == case.allowed.get(role, 403)


# who may act, beyond the status code


def test_a_researcher_cannot_open_another_researchers_proposal():
    scene = Scene("submitted")
    response = scene.client("researcher").get(reverse("proposals:detail", args=[scene.proposal.pk]))
    assert response.status_code == 403
    assert scene.proposal.title not in response.content.decode()


@pytest.mark.parametrize("url_name", ["workflows:screen", "workflows:assign_experts", "workflows:panel",
                                      "workflows:funding", "workflows:start_incubation", "proposals:all",
                                      "proposals:call_new", "accounts:create_user"])
def test_the_applicant_gets_403_on_staff_pages(url_name):
    scene = Scene("submitted")
    args = [] if url_name in ("proposals:all", "proposals:call_new", "accounts:create_user") else [scene.proposal.pk]
    response = scene.client("owner").get(reverse(url_name, args=args))
    assert response.status_code == 403


def test_an_unassigned_expert_cannot_open_the_proposal_or_another_experts_review():
    scene = Scene("in_review")
    client = scene.client("expert")
    detail = client.get(reverse("proposals:detail", args=[scene.proposal.pk]))
    review = client.get(reverse("workflows:review", args=[scene.review.pk]))
    assert (detail.status_code, review.status_code) == (403, 403)


def test_an_assigned_expert_cannot_open_a_fellow_experts_review():
    scene = Scene("in_review")
    fellow_review = scene.proposal.reviews.get(expert=scene.world.experts[1])
    response = scene.client("assigned_expert").get(reverse("workflows:review", args=[fellow_review.pk]))
    assert response.status_code == 403


def test_an_expert_who_declined_for_a_conflict_loses_the_review_page_and_the_list_entry():
    # arrange
    scene = Scene("in_review")
    client = scene.client("assigned_expert")
    review_url = reverse("workflows:review", args=[scene.review.pk])
    # act
    declined = client.post(reverse("workflows:decline", args=[scene.review.pk]), {"reason": "同单位，近五年合作"})
    page = client.get(review_url)
    listing = client.get(reverse("reviews:mine"))
    # assert
    scene.review.refresh_from_db()
    html = listing.content.decode()
    assert (declined.status_code, declined.url) == (302, reverse("reviews:mine"))
    assert scene.review.status == ReviewStatus.DECLINED
    assert page.status_code == 403
    assert listing.status_code == 200
    assert scene.proposal.title not in html
    assert review_url not in html
    assert "同单位，近五年合作" in html


def test_claiming_the_screening_is_refused_to_everyone_but_program_officers():
    # arrange
    scene = Scene("submitted")
    task = Task.objects.get(process_id=scene.proposal.process.pk, flow_task=ProposalFlow.screen)
    url = reverse("workflows:claim", args=[task.pk])
    # act
    refused = {role: scene.client(role).post(url) for role in SIGNED_IN if role != "program_officer"}
    # assert: each is sent home with a message; the task and the proposal are untouched
    task.refresh_from_db()
    scene.proposal.refresh_from_db()
    assert {role: (r.status_code, r.url) for role, r in refused.items()} == {
        role: (302, reverse("home")) for role in refused}
    assert (task.status, task.owner_id, scene.proposal.status) == (STATUS.NEW, None, S.SUBMITTED)
    claimed = scene.client("program_officer").post(url)
    task.refresh_from_db()
    assert (claimed.status_code, claimed.url) == (302, reverse("workflows:screen", args=[scene.proposal.pk]))
    assert (task.status, task.owner_id) == (STATUS.ASSIGNED, scene.world.officer.pk)


# experts stay anonymous to each other and to the applicant


@pytest.mark.parametrize("state", ["in_review", "panel"])
def test_an_expert_never_sees_the_other_experts_names_on_the_review_page(state):
    scene = Scene(state)
    response = scene.client("assigned_expert").get(reverse("workflows:review", args=[scene.review.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert [name for name in EXPERT_NAMES[1:] if name in html] == []
    assert EXPERT_NAMES[0] in html  # the page does show names: the signed-in expert's own


def test_an_expert_never_sees_the_other_experts_names_in_the_review_list():
    scene = Scene("in_review")
    response = scene.client("assigned_expert").get(reverse("reviews:mine"))
    html = response.content.decode()
    assert response.status_code == 200
    assert [name for name in EXPERT_NAMES[1:] if name in html] == []


@pytest.mark.parametrize("state", ["panel", "funding", "funded"])
def test_the_applicant_never_sees_expert_names_or_confidential_panel_notes(state):
    # arrange
    scene = Scene(state)
    notes = [f"机密 {review.pk}" for review in scene.reviews]
    # act
    response = scene.client("owner").get(reverse("proposals:detail", args=[scene.proposal.pk]))
    # assert
    html = response.content.decode()
    assert response.status_code == 200
    assert [name for name in EXPERT_NAMES if name in html] == []
    assert [note for note in notes if note in html] == []
    assert len(notes) == 3


def test_staff_do_see_the_confidential_panel_notes_on_the_panel_page():
    scene = Scene("panel")
    response = scene.client("panel_chair").get(reverse("workflows:panel", args=[scene.proposal.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert [f"机密 {r.pk}" in html for r in scene.reviews] == [True, True, True]


# illegal transitions over HTTP


def test_withdrawing_a_funded_proposal_is_refused_with_409_and_changes_nothing():
    scene = Scene("funded")
    response = scene.client("owner").post(reverse("workflows:withdraw", args=[scene.proposal.pk]), {"note": "不做了"})
    scene.proposal.refresh_from_db()
    assert response.status_code == 409
    assert scene.proposal.status == S.FUNDED


def test_screening_a_proposal_already_in_review_is_refused_with_409_and_changes_nothing():
    scene = Scene("in_review")
    check = scene.world.checklist[0]
    response = scene.client("program_officer").post(
        reverse("workflows:screen", args=[scene.proposal.pk]), {"outcome": "pass", f"check_{check.pk}": "on"})
    scene.proposal.refresh_from_db()
    assert response.status_code == 409
    assert scene.proposal.status == S.IN_REVIEW
    assert scene.proposal.screenings.count() == 1
