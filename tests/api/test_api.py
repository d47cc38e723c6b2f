"""The REST API's first endpoints: open calls (public), the caller's own proposals with submit and withdraw
through the proposal's door; per-user tokens (hashed, scoped, revocable, shown once); problem details in the
caller's language; the OpenAPI schema and its docs served without a CDN."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.enums import Role
from api.models import ApiToken, digest
from api.services import create_token
from proposals.enums import ProposalStatus as S
from tests.factories import CallFactory, ProposalFactory, UserFactory
from tests.helpers import World

pytestmark = pytest.mark.django_db


def bearer(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def world():
    return World()


@pytest.fixture
def researcher():
    return UserFactory(role=Role.RESEARCHER)


def test_anyone_lists_the_open_calls_and_a_draft_call_is_not_among_them(world):
    CallFactory(draft=True, title_zh="草稿批次")
    response = APIClient().get("/api/v1/calls/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert world.call.pk in ids and len(ids) == 1
    row = response.json()["results"][0]
    assert row["title"] == world.call.title_en and row["max_request"] == f"{world.call.max_request:.2f}"


def test_a_token_is_shown_once_stored_hashed_and_sees_only_its_owners_proposals(world, researcher):
    mine = ProposalFactory(call=world.call, applicant=researcher)
    others = ProposalFactory(call=world.call)
    token, key = create_token(user=researcher, name="科研管理系统", scope="read")
    assert key.startswith(f"pf_{token.key_id}_") and key.split("_", 2)[2] not in token.secret_hash
    assert token.secret_hash == digest(key.split("_", 2)[2])
    client = bearer(key)
    listed = client.get("/api/v1/proposals/").json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    assert client.get(f"/api/v1/proposals/{others.pk}/").status_code == 404  # existence does not leak
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=None)
    assert client.get(f"/api/v1/proposals/{mine.pk}/").json()["status"] == S.DRAFT
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_a_wrong_forged_or_revoked_token_is_refused_with_a_problem(world, researcher):
    token, key = create_token(user=researcher, name="a", scope="write")
    assert bearer(key.replace(key[-4:], "abcd")).get("/api/v1/proposals/").status_code == 401
    assert bearer("pf_nothing_here").get("/api/v1/proposals/").status_code == 401
    response = bearer("not-a-token").get("/api/v1/proposals/")
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    from api.services import revoke_token  # noqa: PLC0415
    revoke_token(token=token, user=researcher)
    assert bearer(key).get("/api/v1/proposals/").status_code == 401


def test_a_read_only_token_cannot_submit_and_a_write_token_submits_through_the_door(world, researcher):
    proposal = ProposalFactory(call=world.call, applicant=researcher)
    _token, read_key = create_token(user=researcher, name="read", scope="read")
    refused = bearer(read_key).post(f"/api/v1/proposals/{proposal.pk}/submit/")
    assert refused.status_code == 403 and refused.json()["status"] == 403
    proposal.refresh_from_db()
    assert proposal.status == S.DRAFT
    _token, write_key = create_token(user=researcher, name="write", scope="write")
    client = bearer(write_key)
    submitted = client.post(f"/api/v1/proposals/{proposal.pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == S.SUBMITTED
    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED and proposal.audit_entries.filter(to_state=S.SUBMITTED).exists()
    again = client.post(f"/api/v1/proposals/{proposal.pk}/submit/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    body = again.json()
    assert body["status"] == 409 and body["type"] == "/api/problems/illegal-transition"
    assert body["title"] == "与当前状态冲突"
    english = client.post(f"/api/v1/proposals/{proposal.pk}/submit/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["title"] == "Conflict with the current state"


def test_withdraw_validates_its_input_and_changes_nothing_on_bad_input(world, researcher):
    proposal = ProposalFactory(call=world.call, applicant=researcher)
    _token, key = create_token(user=researcher, name="w", scope="write")
    bad = bearer(key).post(f"/api/v1/proposals/{proposal.pk}/withdraw/", {"note": "x" * 3000}, format="json")
    assert bad.status_code == 400 and "note" in bad.json()["errors"]
    proposal.refresh_from_db()
    assert proposal.status == S.DRAFT
    done = bearer(key).post(f"/api/v1/proposals/{proposal.pk}/withdraw/", {"note": "改投下一批次"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == S.WITHDRAWN


def test_roles_without_proposals_of_their_own_are_refused_and_anonymous_callers_must_authenticate(world):
    expert = world.experts[0]
    _token, key = create_token(user=expert, name="e", scope="read")
    assert bearer(key).get("/api/v1/proposals/").status_code == 403
    assert APIClient().get("/api/v1/proposals/").status_code in (401, 403)


def test_the_proposal_list_costs_the_same_queries_for_one_or_twenty(world, researcher, django_assert_max_num_queries):
    _token, key = create_token(user=researcher, name="q", scope="read")
    client = bearer(key)
    ProposalFactory(call=world.call, applicant=researcher)
    with django_assert_max_num_queries(10) as one:
        client.get("/api/v1/proposals/")
    for _ in range(19):
        ProposalFactory(call=world.call, applicant=researcher)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/proposals/").json()["results"]) == 20


@override_settings(REST_FRAMEWORK={**__import__("django.conf").conf.settings.REST_FRAMEWORK,
                                   "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "3/minute"}})
def test_too_many_requests_answer_429_with_retry_after(world):
    from rest_framework.settings import api_settings  # noqa: PLC0415
    from rest_framework.throttling import SimpleRateThrottle  # noqa: PLC0415

    api_settings.reload()
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        cache.clear()
        client = APIClient()
        statuses = [client.get("/api/v1/calls/").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        last = client.get("/api/v1/calls/")
        assert last.status_code == 429 and int(last["Retry-After"]) > 0
        assert last.json()["type"] == "/api/problems/throttled"
    finally:
        api_settings.reload()
        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_the_schema_names_every_route_and_the_docs_load_only_local_assets(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/calls/", "/api/v1/proposals/", "/api/v1/proposals/{id}/submit/",
            "/api/v1/proposals/{id}/withdraw/"} <= set(paths)
    assert "pocflowToken" in schema.json()["components"]["securitySchemes"]
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower() and "//unpkg" not in docs and "jsdelivr" not in docs


def test_the_token_page_creates_shows_once_and_revokes(researcher, client):
    client.force_login(researcher)
    created = client.post(reverse("api:tokens"), {"name": "财务系统", "scope": "read"}, follow=True)
    token = ApiToken.objects.get(user=researcher)
    html = created.content.decode()
    assert f"pf_{token.key_id}_" in html
    assert f"pf_{token.key_id}_" not in client.get(reverse("api:tokens")).content.decode()  # shown once
    empty = client.post(reverse("api:tokens"), {"name": "", "scope": "read"})
    assert empty.status_code == 400 and ApiToken.objects.filter(user=researcher).count() == 1
    someone = UserFactory(role=Role.RESEARCHER)
    foreign, _key = create_token(user=someone, name="x", scope="read")
    assert client.post(reverse("api:tokens"), {"action": "revoke", "token": foreign.pk}).status_code == 404
    client.post(reverse("api:tokens"), {"action": "revoke", "token": token.pk})
    token.refresh_from_db()
    foreign.refresh_from_db()
    assert token.revoked_at is not None and foreign.revoked_at is None


def test_the_token_page_needs_a_signed_in_user(client):
    response = client.get(reverse("api:tokens"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_an_expert_token_lists_only_the_experts_own_reviews_and_never_a_conflicted_one(world):
    from reviews.enums import ConflictSource  # noqa: PLC0415
    from reviews.models import Conflict  # noqa: PLC0415

    proposal = world.assigned()
    other = world.assigned()
    expert = world.experts[0]
    Conflict.objects.create(proposal=other, expert=expert, source=ConflictSource.DECLARED, reason="同一课题组")
    _token, key = create_token(user=expert, name="e", scope="read")
    rows = bearer(key).get("/api/v1/reviews/").json()["results"]
    assert {row["proposal"] for row in rows} == {proposal.pk}
    assert all(row["status"] == "assigned" for row in rows)
    _token, researcher_key = create_token(user=proposal.applicant, name="r", scope="read")
    assert bearer(researcher_key).get("/api/v1/reviews/").status_code == 403


def test_funds_show_ledger_balances_to_fund_staff_only(world):
    funded = world.funded()
    fund = funded.call.fund
    _token, key = create_token(user=world.fund_manager, name="f", scope="read")
    rows = {row["id"]: row for row in bearer(key).get("/api/v1/funds/").json()}
    assert rows[fund.pk]["committed"] == "200000.00"
    assert rows[fund.pk]["available"] == f"{fund.size - 200000:.2f}"
    _token, expert_key = create_token(user=world.experts[0], name="x", scope="read")
    assert bearer(expert_key).get("/api/v1/funds/").status_code == 403


def test_anyone_verifies_a_document_by_its_hash_without_learning_its_content():
    bad = APIClient().get("/api/v1/documents/verify/", {"sha256": "not-hex"})
    assert bad.status_code == 400 and "sha256" in bad.json()["errors"]
    unknown = APIClient().get("/api/v1/documents/verify/", {"sha256": "0" * 64}).json()
    assert unknown["authentic"] is False and unknown["kind"] is None


def test_an_issued_letter_verifies_as_authentic_by_its_hash(world, django_capture_on_commit_callbacks):
    from decisions.models import Document  # noqa: PLC0415

    with django_capture_on_commit_callbacks(execute=True):
        world.approved()
    document = Document.objects.exclude(sha256="").first()
    assert document is not None
    answer = APIClient().get("/api/v1/documents/verify/", {"sha256": document.sha256.upper()},
                             HTTP_ACCEPT_LANGUAGE="en").json()
    assert answer["authentic"] is True and answer["kind"] == document.kind and answer["superseded"] is False
    assert "proposal" not in answer and "title" not in answer


def test_projects_show_paid_amounts_and_open_milestones_to_staff_only(world, django_assert_max_num_queries):
    project = world.incubating()
    _token, key = create_token(user=world.incubator, name="p", scope="read")
    client = bearer(key)
    [row] = client.get("/api/v1/projects/").json()["results"]
    assert row["id"] == project.pk and row["paid"] == "0.00"
    assert [m["title"] for m in row["open_milestones"]] == ["样机完成", "中试验证"]
    with django_assert_max_num_queries(8) as one:
        client.get("/api/v1/projects/")
    world.incubating()
    world.incubating()
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/projects/").json()["results"]) == 3
    _token, researcher_key = create_token(user=project.proposal.applicant, name="r", scope="read")
    assert bearer(researcher_key).get("/api/v1/projects/").status_code == 403


def test_the_funnel_counts_as_the_statistics_page_and_validates_its_query(world):
    world.funded()
    world.submitted()
    _token, key = create_token(user=world.officer, name="s", scope="read")
    client = bearer(key)
    body = client.get("/api/v1/statistics/funnel/", {"group": "call"}).json()
    assert body["total"]["entered"] == 2 and body["total"]["funded"] == 1
    assert body["total"]["committed"] == "200000.00"
    bad = client.get("/api/v1/statistics/funnel/", {"group": "galaxy", "date_from": "yesterday"})
    assert bad.status_code == 400 and {"group", "date_from"} <= set(bad.json()["errors"])
    _token, expert_key = create_token(user=world.experts[0], name="x", scope="read")
    assert bearer(expert_key).get("/api/v1/statistics/funnel/").status_code == 403


def test_four_eyes_through_the_api_two_different_managers_and_the_same_one_refused(world):
    from decimal import Decimal  # noqa: PLC0415

    proposal = world.in_funding()
    fund = proposal.call.fund
    fund.four_eyes_threshold = Decimal("100000.00")
    fund.save(update_fields=["four_eyes_threshold"])
    second_manager = UserFactory(role=Role.FUND_MANAGER)
    _t, first_key = create_token(user=world.fund_manager, name="1", scope="write")
    _t, second_key = create_token(user=second_manager, name="2", scope="write")
    url = f"/api/v1/funding/{proposal.pk}/decision/"
    bad = bearer(first_key).post(url, {"decision": "approve", "amount": "-5"}, format="json")
    assert bad.status_code == 400 and "amount" in bad.json()["errors"]
    first = bearer(first_key).post(url, {"decision": "approve", "amount": "150000.00", "reasons": "初审通过"},
                                   format="json")
    assert first.status_code == 200 and first.json()["outcome"] == "awaiting_second_approval"
    again = bearer(first_key).post(url, {"decision": "approve", "amount": "150000.00"}, format="json")
    assert again.status_code in (400, 403, 409) and again["Content-Type"] == "application/problem+json"
    proposal.refresh_from_db()
    assert proposal.status == S.FUNDING
    confirmed = bearer(second_key).post(url, {"decision": "approve", "amount": "150000.00"}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["outcome"] == "decided"
    assert confirmed.json()["proposal"]["status"] == S.FUNDED
    late = bearer(second_key).post(url, {"decision": "decline", "reasons": "x"}, format="json")
    assert late.status_code == 409
    _t, expert_key = create_token(user=world.experts[0], name="x", scope="write")
    assert bearer(expert_key).post(url, {"decision": "decline"}, format="json").status_code == 403


def test_an_address_under_the_api_that_names_nothing_is_a_problem_not_a_page():
    for path in ("/api/v1/funding/-3/decision/", "/api/v1/nothing/", "/api/v1/funding/x/decision/"):
        response = APIClient().post(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json", path
        assert response.json()["title"] == "Not found"
