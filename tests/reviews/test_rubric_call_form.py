"""The call builder's settings steps: review settings in fieldsets with the panel composition rules (step "review"),
criteria with N/A and pass marks (step "rubric")."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from proposals.models import Call
from reviews.models import CompositionRule, Criterion
from reviews.services.rubric import even_bands, save_rubric_bands
from tests.e2e.html import page_form
from tests.factories import CallFactory, CriterionFactory, UserFactory
from tests.helpers import World
from tests.reviews.scoring_support import signed_in

pytestmark = pytest.mark.django_db

D = Decimal
SETTINGS = ("reminder_days", "max_avoid_requests", "blind_identity", "peer_scores", "veto_enabled", "ranking_basis",
            "disagreement_threshold", "group_divergence_threshold", "roadshow_enabled", "roadshow_weight", "pitch_minutes",
            "qa_minutes", "notice_days", "experts_per_proposal")


def edit_url(call, step=None):
    """The builder's first step (the historical edit URL), or one of its later steps."""
    if step is None:
        return reverse("proposals:call_edit", args=[call.pk])
    return reverse("proposals:call_step", args=[call.pk, step])


def step_of(changes) -> str:
    """The step whose form renders these controls."""
    if any(name.startswith("questions-") or name.startswith("checklist-") for name in changes):
        return "form"
    if any(name.startswith("criteria-") for name in changes):
        return "rubric"
    return "review"


def officer_client():
    client = signed_in(UserFactory(role=Role.PROGRAM_OFFICER))
    client.cookies["django_language"] = "en"
    return client


def settings_of(call):
    call = Call.objects.get(pk=call.pk)
    return {name: getattr(call, name) for name in SETTINGS}


def rules_of(call):
    return list(CompositionRule.objects.filter(call=call).order_by("expert_type").values_list("expert_type", "min_count", "max_count"))


def post_edit(client, call, changes, drop=(), step=None):
    """Post the rendered form of the builder step that has these controls, with `changes` typed in and the
    checkboxes in `drop` unticked."""
    url = edit_url(call, step or step_of(changes))
    form = page_form(client.get(url), action="")
    data = form.data(**changes)
    for name in drop:
        data.pop(name, None)
    with translation.override("en"):
        return client.post(url, data)


def test_the_call_settings_make_a_round_trip_through_the_form():
    # arrange
    call = CallFactory()
    criterion = CriterionFactory(call=call, max_score=D("10"))
    client = officer_client()
    # act
    response = post_edit(client, call, {
        "reminder_days": "5,2", "max_avoid_requests": "2", "blind_identity": "on", "peer_scores": "never",
        "ranking_basis": "median", "disagreement_threshold": "25", "group_divergence_threshold": "12.5",
        "roadshow_enabled": "on", "roadshow_weight": "0.40", "pitch_minutes": "10", "qa_minutes": "5", "notice_days": "5",
        "experts_per_proposal": "5",
        "composition-0-expert_type": "investor", "composition-0-min_count": "1", "composition-0-max_count": "2",
        "composition-1-expert_type": "academic", "composition-1-min_count": "2",
    }, drop=["veto_enabled"])
    rubric = post_edit(client, call, {"criteria-0-na_allowed": "on", "criteria-0-pass_mark": "6"})
    # assert
    criterion.refresh_from_db()
    assert (response.status_code, response.url) == (302, edit_url(call, "review"))
    assert (rubric.status_code, rubric.url) == (302, edit_url(call, "rubric"))
    assert settings_of(call) == {
        "reminder_days": "5,2", "max_avoid_requests": 2, "blind_identity": True, "peer_scores": "never",
        "veto_enabled": False, "ranking_basis": "median", "disagreement_threshold": D("25.00"),
        "group_divergence_threshold": D("12.50"), "roadshow_enabled": True, "roadshow_weight": D("0.40"),
        "pitch_minutes": 10, "qa_minutes": 5, "notice_days": 5, "experts_per_proposal": 5}
    assert rules_of(call) == [("academic", 2, None), ("investor", 1, 2)]
    assert (criterion.na_allowed, criterion.pass_mark) == (True, D("6.00"))
    # the form shows the saved values again
    again = dict(page_form(client.get(edit_url(call, "review")), action="").defaults)
    again.update(page_form(client.get(edit_url(call, "rubric")), action="").defaults)
    assert (again["peer_scores"], again["ranking_basis"], again["blind_identity"], "veto_enabled" in again,
            again["composition-0-expert_type"], again["criteria-0-pass_mark"]) == ("never", "median", "on", False,
                                                                                    "academic", "6.00")


def test_the_settings_are_grouped_in_fieldsets_with_help_texts():
    call = CallFactory()
    client = officer_client()
    with translation.override("en"):
        html = "".join(client.get(edit_url(call, step)).content.decode()
                       for step in (None, "form", "rubric", "review", "funding"))
    headings = [h for h in ("The call", "Expert review", "Blind review and veto", "Aggregation and flags",
                            "Roadshow (路演)", "Public notice (公示)", "Panel composition", "Rubric", "Funding",
                            "Application form questions", "Formal screening checklist") if f"<h2>{h}</h2>" not in html]
    assert headings == []
    assert ("Experts never see the applicant&#x27;s name, institution, team or organisation; staff still do.") in html


def _refused(call, changes, message, drop=()):
    before = (settings_of(call), rules_of(call), list(Criterion.objects.filter(call=call).values_list(
        "name_zh", "max_score", "na_allowed", "pass_mark")))
    response = post_edit(officer_client(), call, changes, drop)
    assert response.status_code == 400
    assert message in response.content.decode()
    after = (settings_of(call), rules_of(call), list(Criterion.objects.filter(call=call).values_list(
        "name_zh", "max_score", "na_allowed", "pass_mark")))
    assert after == before
    return response


def test_a_rule_whose_maximum_is_below_its_minimum_is_refused():
    call = CallFactory()
    _refused(call, {"composition-0-expert_type": "investor", "composition-0-min_count": "2",
                    "composition-0-max_count": "1", "experts_per_proposal": "7"}, "“At most” must not be below “at least”.")


def test_minimums_adding_up_to_more_than_the_panel_size_are_refused():
    call = CallFactory(experts_per_proposal=3)
    _refused(call, {"experts_per_proposal": "3",
                    "composition-0-expert_type": "investor", "composition-0-min_count": "2",
                    "composition-1-expert_type": "academic", "composition-1-min_count": "2"},
             "The minimums add up to 4 experts, but each proposal gets only 3.")


def test_two_rules_for_the_same_type_are_refused():
    call = CallFactory()
    _refused(call, {"composition-0-expert_type": "investor", "composition-0-min_count": "1",
                    "composition-1-expert_type": "investor", "composition-1-min_count": "1"},
             "Give one rule per expert type: “Investor” appears twice.")


def test_a_pass_mark_above_the_maximum_is_refused():
    call = CallFactory()
    CriterionFactory(call=call, max_score=D("10"))
    _refused(call, {"criteria-0-pass_mark": "11"}, "The pass mark cannot exceed the maximum score.")


def test_a_negative_pass_mark_is_refused():
    call = CallFactory()
    CriterionFactory(call=call, max_score=D("10"))
    _refused(call, {"criteria-0-pass_mark": "-1"}, "The pass mark cannot be negative.")


def test_a_criterion_experts_have_scored_cannot_be_deleted_or_have_its_maximum_lowered_below_a_score():
    world = World()
    world.assigned()
    world.score(world.reviews[0], values=(D("8"), D("4")))
    with translation.override("en"):  # the officer reads the page in English, whatever an earlier test left active
        name = world.criteria[0].name
    _refused(world.call, {"criteria-0-DELETE": "on"}, f"{name} has been scored by experts and cannot be deleted.")
    _refused(world.call, {"criteria-0-max_score": "7"},
             "An expert has already given 8 on this criterion; the maximum cannot be lower.")


def test_the_maximum_cannot_fall_below_the_criterions_rubric_levels():
    call = CallFactory()
    criterion = CriterionFactory(call=call, max_score=D("10"))
    save_rubric_bands(call=call, bands={criterion.pk: even_bands(criterion)}, actor=UserFactory(role=Role.PROGRAM_OFFICER))
    _refused(call, {"criteria-0-max_score": "8"},
             "The rubric levels of this criterion reach 10; change them first on the rubric levels page.")


def test_the_call_page_shows_review_settings_and_composition_to_call_managers_only():
    call = CallFactory(blind_identity=True, peer_scores="never", veto_enabled=False)
    CompositionRule.objects.create(call=call, expert_type="investor", min_count=1, max_count=2)
    CompositionRule.objects.create(call=call, expert_type="academic", min_count=1)
    url = reverse("proposals:call", args=[call.pk])
    with translation.override("en"):
        officer_html = officer_client().get(url).content.decode()
        researcher = signed_in(UserFactory(role=Role.RESEARCHER))
        researcher.cookies["django_language"] = "en"
        researcher_html = researcher.get(url).content.decode()
    assert "<dt>Panel composition</dt><dd>Academic: at least 1; Investor: 1 to 2</dd>" in officer_html
    assert "<dd>The applicant's identity and institution are hidden from experts.</dd>" in officer_html
    assert f'href="{reverse("reviews:rubric", args=[call.pk])}"' in officer_html
    assert ("Review settings" in researcher_html, "reviews:rubric" in researcher_html,
            reverse("reviews:rubric", args=[call.pk]) in researcher_html) == (False, False, False)


@pytest.mark.parametrize("role", [Role.EXPERT, Role.PANEL_CHAIR, Role.RESEARCHER, Role.FUND_MANAGER, Role.INCUBATION_MANAGER,
                                  Role.TECHNOLOGY_MANAGER])
def test_the_call_settings_form_is_refused_to_everyone_but_call_managers(role):
    call = CallFactory(blind_identity=False)
    client = signed_in(UserFactory(role=role))
    for step in (None, "form", "rubric", "review", "funding"):
        get = client.get(edit_url(call, step))
        post = client.post(edit_url(call, step), {"blind_identity": "on"})
        assert (get.status_code, post.status_code) == (403, 403)
    new = (client.get(reverse("proposals:call_new")), client.post(reverse("proposals:call_new"), {"title_zh": "新"}))
    preview = client.get(reverse("proposals:call_preview", args=[call.pk]))
    opened = client.post(reverse("proposals:call_open", args=[call.pk]))
    assert [r.status_code for r in (*new, preview, opened)] == [403, 403, 403, 403]
    assert Call.objects.count() == 1
    assert Call.objects.get(pk=call.pk).blind_identity is False


def test_an_anonymous_visitor_is_sent_to_log_in_from_the_call_settings_form():
    call = CallFactory()
    response = Client().get(edit_url(call))
    assert (response.status_code, response.url) == (302, f"{reverse('login')}?next={edit_url(call)}")
