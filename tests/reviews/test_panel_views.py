"""Panel chair pages over HTTP: who may open them, what they show, the forms, query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.enums import Role
from proposals.enums import ProposalStatus as S
from proposals.models import AuditEntry
from reviews.models import PanelDecision, PanelRecommendation, RankingAdjustment
from reviews.services.panel import record_panel_recommendation
from reviews.services.results import call_results
from tests.factories import ConflictFactory, UserFactory
from tests.reviews.results_support import PanelWorld

D = Decimal
pytestmark = pytest.mark.django_db
REFUSED = [Role.EXPERT, Role.RESEARCHER, Role.FUND_MANAGER, Role.INCUBATION_MANAGER]
ALLOWED = [Role.PANEL_CHAIR, Role.PROGRAM_OFFICER, Role.ADMINISTRATOR]


WORLD = PanelWorld
WORLD_OPTIONS = {"criteria": ((60, 10, 6, False), (40, 5, 3, True)), "expert_types": ("academic", "investor", "academic")}


@pytest.fixture
def proposal(world):
    return world.reviewed([(8, 4), (5, 2), (9, "na")])


def client_for(client, user):
    """Signed in, pages in English (messages default to Chinese otherwise)."""
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def urls(world, proposal):
    return [reverse("panel:calls"), reverse("panel:call", args=[world.call.pk]),
            reverse("panel:proposal", args=[proposal.pk])]


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_are_refused_on_every_panel_page(client, world, proposal, role):
    c = client_for(client, UserFactory(role=role))
    statuses = [c.get(url).status_code for url in urls(world, proposal)]
    posts = [c.post(reverse("panel:call", args=[world.call.pk]), {"proposal": proposal.pk, "position": 1, "reason": "x"}).status_code,
             c.post(reverse("panel:proposal", args=[proposal.pk]), {"recommendation": "approve", "rationale": "x"}).status_code]
    assert (statuses, posts) == ([403, 403, 403], [403, 403])
    assert (PanelRecommendation.objects.count(), RankingAdjustment.objects.count()) == (0, 0)


@pytest.mark.parametrize("role", ALLOWED)
def test_chairs_officers_and_administrators_open_every_panel_page(client, world, proposal, role):
    c = client_for(client, UserFactory(role=role))
    assert [c.get(url).status_code for url in urls(world, proposal)] == [200, 200, 200]


def test_anonymous_visitors_are_sent_to_the_login_page(client, world, proposal):
    responses = [client.get(url) for url in urls(world, proposal)]
    assert [r.status_code for r in responses] == [302, 302, 302]
    assert all(r.url.startswith(reverse("login")) for r in responses)


def test_the_ranked_table_shows_the_figures_with_the_calibration_method(client, world, proposal):
    low = world.reviewed([(2, 1), (3, 1), (2, "na")])
    record_panel_recommendation(proposal=proposal, chair=world.chair, recommendation="approve", rationale="同意")
    html = client_for(client, world.chair).get(reverse("panel:call", args=[world.call.pk])).content.decode()
    result = call_results(world.call).proposals[0]
    # rows in rank order, with the figures
    assert html.index(proposal.title) < html.index(low.title)
    # the methods in words, their versioned codes kept for audits inside a details element
    assert ">Calibrated</a></th>" in html and "?sort=calibrated&amp;order=desc" in html
    assert "calibrated for each expert&#x27;s leniency across the call <code>offset-als-1</code>" in html
    main = html[html.index("<main"):]  # the page's own <details>, not the layout's menus
    assert main.index("<details") < main.index("<code>offset-als-1</code>") < main.index("</details>")
    assert f"<td class=\"num\">{result.mean}</td><td class=\"num\">{result.calibrated}</td>" in html
    assert "Higher final score (proposals without a score last)" in html
    assert '<span class="verdict pass">' in html and '<span class="verdict fail">' in html
    assert "Approve" in html  # the chair's latest recommendation


def test_the_disagreement_flag_and_its_reason_are_shown(client, world):
    world.reviewed([(10, 5), (2, 1)])  # 100 vs 20: spread 80
    html = client_for(client, world.chair).get(reverse("panel:call", args=[world.call.pk])).content.decode()
    assert '<span class="badge flag">' in html
    assert "80.00" in html


def test_a_chair_with_a_conflict_never_sees_that_proposals_scores(client, world, proposal):
    other = world.reviewed([(7, 3), (6, 3)])
    ConflictFactory(proposal=proposal, expert=world.chair, reason="合作者")
    c = client_for(client, world.chair)
    table = c.get(reverse("panel:call", args=[world.call.pk]))
    page = c.get(reverse("panel:proposal", args=[proposal.pk]))
    decision_page = c.get(reverse("workflows:panel", args=[proposal.pk]))
    html = table.content.decode()
    assert (table.status_code, page.status_code, decision_page.status_code) == (200, 403, 403)
    assert proposal.title not in html and other.title in html
    assert f"机密 {proposal.reviews.first().pk}" not in page.content.decode()


def test_the_proposal_page_shows_every_review_with_names_na_notes_and_vetoes(client, world):
    p, reviews = world.assigned()
    world.submit(reviews[0], (8, 4))
    world.submit(reviews[1], (5, "na"), veto=True, veto_reason="与指南方向不符")
    world.submit(reviews[2], (9, 5), panel_note="团队经验不足")
    html = client_for(client, world.chair).get(reverse("panel:proposal", args=[p.pk])).content.decode()
    assert [world.experts[i].display_name in html for i in range(3)] == [True, True, True]
    assert "(Investor)" in html and "(Academic)" in html
    assert "<td class=\"num\">N/A</td>" in html
    assert "与指南方向不符" in html and "团队经验不足" in html and f"意见 {reviews[0].pk}" in html
    assert "Support" in html and "High — this is my field" in html


def test_the_chair_records_a_recommendation_over_http(client, world, proposal):
    response = client_for(client, world.chair).post(reverse("panel:proposal", args=[proposal.pk]), {
        "recommendation": "approve_with_conditions", "rationale": "技术可行", "conditions": "补充伦理审查"})
    rec = PanelRecommendation.objects.get()
    assert (response.status_code, response.url) == (302, reverse("panel:proposal", args=[proposal.pk]))
    assert (rec.recommendation, rec.rationale, rec.conditions, rec.chair) == ("approve_with_conditions", "技术可行", "补充伦理审查", world.chair)
    assert AuditEntry.objects.filter(action="panel.recommended", proposal=proposal).count() == 1


@pytest.mark.parametrize("data,error", [
    ({"recommendation": "approve", "rationale": ""}, "This field is required."),
    ({"recommendation": "approve_with_conditions", "rationale": "可以", "conditions": ""}, "Write the conditions of the approval."),
])
def test_a_recommendation_without_rationale_or_conditions_is_refused(client, world, proposal, data, error):
    response = client_for(client, world.chair).post(reverse("panel:proposal", args=[proposal.pk]), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert PanelRecommendation.objects.count() == 0


def test_the_chair_reorders_over_http(client, world, proposal):
    low = world.reviewed([(2, 1), (3, 1), (2, "na")])
    response = client_for(client, world.chair).post(reverse("panel:call", args=[world.call.pk]), {
        "proposal": low.pk, "position": 1, "reason": "路演表现突出"})
    results = call_results(world.call)
    assert (response.status_code, response.url) == (302, reverse("panel:call", args=[world.call.pk]))
    assert [(r.proposal_id, r.rank, r.computed_rank) for r in results.proposals] == [(low.pk, 1, 2), (proposal.pk, 2, 1)]
    assert AuditEntry.objects.get(action="panel.reordered").note == "路演表现突出"


def test_a_reorder_without_a_reason_is_refused_and_changes_nothing(client, world, proposal):
    low = world.reviewed([(2, 1), (3, 1), (2, "na")])
    response = client_for(client, world.chair).post(reverse("panel:call", args=[world.call.pk]), {
        "proposal": low.pk, "position": 1, "reason": ""})
    assert response.status_code == 400
    assert (RankingAdjustment.objects.count(), call_results(world.call).order) == (0, [proposal.pk, low.pk])


def test_a_reorder_beyond_the_list_is_refused_with_the_services_message(client, world, proposal):
    low = world.reviewed([(2, 1), (3, 1), (2, "na")])
    response = client_for(client, world.chair).post(reverse("panel:call", args=[world.call.pk]), {
        "proposal": low.pk, "position": 5, "reason": "理由"})
    assert response.status_code == 400
    assert "Choose a position between 1 and 2." in response.content.decode()
    assert RankingAdjustment.objects.count() == 0


# the staff panel decision page (workflows) ----------------------------------------------------------

def test_the_decision_page_shows_the_chairs_recommendation_and_the_figures(client, world, proposal):
    record_panel_recommendation(proposal=proposal, chair=world.chair, recommendation="approve_with_conditions",
                                rationale="团队扎实", conditions="补充专利证明")
    html = client_for(client, world.officer).get(reverse("workflows:panel", args=[proposal.pk])).content.decode()
    assert "团队扎实" in html and "补充专利证明" in html and "Approve with conditions" in html
    assert "offset-als-1" in html and "Median" in html and "Final score" in html


def test_the_decision_form_records_approve_with_conditions(client, world, proposal):
    response = client_for(client, world.officer).post(reverse("workflows:panel", args=[proposal.pk]), {
        "outcome": "approve_with_conditions", "feedback": "同意立项", "conditions": "补充伦理审查"})
    decision = PanelDecision.objects.get()
    proposal.refresh_from_db()
    assert response.status_code == 302
    assert (decision.outcome, decision.conditions, proposal.status != S.PANEL) == ("approve_with_conditions", "补充伦理审查", True)


def test_the_decision_form_refuses_approve_with_conditions_without_conditions(client, world, proposal):
    response = client_for(client, world.officer).post(reverse("workflows:panel", args=[proposal.pk]), {
        "outcome": "approve_with_conditions", "feedback": "同意立项", "conditions": ""})
    proposal.refresh_from_db()
    assert response.status_code == 400
    assert "Write the conditions of the approval." in response.content.decode()
    assert (proposal.status, PanelDecision.objects.count()) == (S.PANEL, 0)


# query counts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 3])
def test_the_ranked_table_takes_a_constant_number_of_queries(client, world, n, django_assert_num_queries):
    for _ in range(n):
        world.reviewed([(8, 4), (6, 3), (7, "na")])
    c = client_for(client, world.chair)
    with django_assert_num_queries(10):
        response = c.get(reverse("panel:call", args=[world.call.pk]))
    assert response.content.decode().count('href="/panel/proposals/') == n


@pytest.mark.parametrize("n", [1, 3])
def test_the_calls_index_takes_a_constant_number_of_queries(client, n, django_assert_num_queries):
    worlds = [PanelWorld(expert_types=("academic",)) for _ in range(n)]
    for w in worlds:
        w.reviewed([(8, 4)])
    c = client_for(client, worlds[0].chair)
    with django_assert_num_queries(4):
        response = c.get(reverse("panel:calls"))
    assert response.content.decode().count('href="/panel/calls/') == n


@pytest.mark.parametrize("n", [1, 3])
def test_the_proposal_page_takes_a_constant_number_of_queries(client, world, n, django_assert_num_queries):
    experts = [world.expert("academic") for _ in range(n)]
    p = world.reviewed([(8, 4)] * n, experts=experts)
    c = client_for(client, world.chair)
    with django_assert_num_queries(9):
        response = c.get(reverse("panel:proposal", args=[p.pk]))
    assert response.content.decode().count('class="card review-card"') == n
