"""The call builder: basics, application form, rubric, review settings and funding, each its own page saved on
its own; a draft may be incomplete and is never open; the preview shows the applicant's form read-only; only a
complete draft opens."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from proposals.models import AuditEntry, Call
from proposals.selectors import open_calls
from tests.e2e.html import page_form
from tests.factories import CallFactory, FundFactory, UserFactory
from tests.reviews.scoring_support import signed_in

pytestmark = pytest.mark.django_db


def officer():
    client = signed_in(UserFactory(role=Role.PROGRAM_OFFICER))
    client.cookies["django_language"] = "en"
    return client


def step_url(call, step):
    return reverse("proposals:call_step", args=[call.pk, step])


def post_step(client, url, changes, *, go_next=True):
    """Post the step's rendered form as a browser would, with `changes` typed in."""
    data = page_form(client.get(url), action="").data(**changes)
    if go_next:
        data["go"] = "next"
    with translation.override("en"):
        return client.post(url, data)


BASICS = {"title_zh": "2027年度概念验证项目", "title_en": "2027 PoC call", "opens_at": "2026-01-01T09:00",
          "closes_at": "2030-01-01T17:00"}


def test_a_call_is_built_step_by_step_previewed_then_opened():
    client = officer()
    fund = FundFactory()
    # basics: creates a draft, and "save and continue" goes to the next step
    response = post_step(client, reverse("proposals:call_new"), BASICS)
    call = Call.objects.get()
    assert (response.status_code, response.url) == (302, step_url(call, "form"))
    assert call.draft and call.form_id and call.max_request is None
    assert call not in open_calls() and not call.is_open()  # a draft never opens, whatever its dates
    assert signed_in(UserFactory(role=Role.RESEARCHER)).get(reverse("proposals:call", args=[call.pk])).status_code == 403
    # application form: a question and a checklist line
    response = post_step(client, step_url(call, "form"), {
        "questions-0-kind": "long_text", "questions-0-label_zh": "技术路线", "questions-0-label_en": "Technical route",
        "questions-0-order": "1", "questions-0-required": "on",
        "checklist-0-text_zh": "申报书签字盖章", "checklist-0-order": "1"})
    assert (response.status_code, response.url) == (302, step_url(call, "rubric"))
    # rubric
    response = post_step(client, step_url(call, "rubric"), {
        "criteria-0-name_zh": "技术先进性", "criteria-0-weight": "100", "criteria-0-max_score": "10", "criteria-0-order": "1"})
    assert (response.status_code, response.url) == (302, step_url(call, "review"))
    # review settings
    response = post_step(client, step_url(call, "review"), {"experts_per_proposal": "5", "review_days": "10"})
    assert (response.status_code, response.url) == (302, step_url(call, "funding"))
    # funding, then the preview
    response = post_step(client, step_url(call, "funding"), {"fund": str(fund.pk), "max_request": "300000"})
    assert (response.status_code, response.url) == (302, reverse("proposals:call_preview", args=[call.pk]))
    call.refresh_from_db()
    assert (call.experts_per_proposal, call.review_days, call.fund, call.max_request) == (5, 10, fund, 300000)
    assert [q.label_zh for q in call.form.questions.all()] == ["技术路线"]
    assert [c.name_zh for c in call.criteria.all()] == ["技术先进性"]
    with translation.override("en"):
        preview = client.get(reverse("proposals:call_preview", args=[call.pk]))
    html = preview.content.decode()
    assert preview.status_code == 200
    disabled = html.split("<fieldset disabled>", 1)[1].split("</fieldset>", 1)[0]
    assert "Technical route" in disabled and 'name="requested_amount"' in disabled and 'name="title"' in disabled
    assert "300,000.00" in disabled  # the amount the applicant may ask for, as their form states it
    # open
    response = client.post(reverse("proposals:call_open", args=[call.pk]))
    assert (response.status_code, response.url) == (302, reverse("proposals:call", args=[call.pk]))
    call.refresh_from_db()
    assert not call.draft and call in open_calls()
    assert AuditEntry.objects.filter(action="call.opened", data__call=call.pk).count() == 1
    assert client.post(reverse("proposals:call_open", args=[call.pk])).status_code == 409  # opened already


def test_an_incomplete_draft_is_saved_but_cannot_open():
    client = officer()
    post_step(client, reverse("proposals:call_new"), BASICS, go_next=False)
    call = Call.objects.get()
    with translation.override("en"):
        preview = client.get(reverse("proposals:call_preview", args=[call.pk])).content.decode()
        response = client.post(reverse("proposals:call_open", args=[call.pk]))
    assert "The application form has no question yet" in preview and "No fund pays this call yet" in preview
    assert response.status_code == 400
    assert "The rubric has no criterion yet" in response.content.decode()
    call.refresh_from_db()
    assert call.draft


def test_errors_are_summarised_on_top_and_nothing_typed_is_lost():
    client = officer()
    response = post_step(client, reverse("proposals:call_new"), {**BASICS, "closes_at": "2025-01-01T09:00",
                                                                  "title_en": "Kept as typed"})
    html = response.content.decode()
    assert response.status_code == 400 and Call.objects.count() == 0
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_closes_at"' in summary and "The closing time must be after the opening time." in summary
    assert html.index('class="error-summary"') < html.index('id="step-form"')
    assert 'value="Kept as typed"' in html and 'value="2027年度概念验证项目"' in html


def test_a_formset_error_is_summarised_and_the_step_saves_nothing():
    call = CallFactory(experts_per_proposal=3)
    client = officer()
    response = post_step(client, step_url(call, "review"), {
        "review_days": "9", "composition-0-expert_type": "investor", "composition-0-min_count": "4"})
    assert response.status_code == 400
    summary = response.content.decode().split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#section-composition"' in summary and "each proposal gets only 3" in summary
    assert 'value="9"' in response.content.decode()  # what was typed is kept
    call.refresh_from_db()
    assert call.review_days == 14 and not call.composition_rules.exists()


def test_the_step_indicator_marks_the_current_step_and_links_the_others():
    call = CallFactory()
    html = officer().get(step_url(call, "rubric")).content.decode()
    nav = html.split('<ol class="steps">', 1)[1].split("</ol>", 1)[0]
    assert '<span aria-current="step">Rubric</span>' in nav
    for step in ("form", "review", "funding"):
        assert f'href="{step_url(call, step)}"' in nav
    assert f'href="{reverse("proposals:call_edit", args=[call.pk])}"' in nav
    assert f'href="{reverse("proposals:call_preview", args=[call.pk])}"' in nav


def test_an_opened_call_stays_open_while_edited_and_an_unknown_step_is_404():
    call = CallFactory()
    client = officer()
    assert post_step(client, step_url(call, "funding"), {"max_request": "123456"}).status_code == 302
    call.refresh_from_db()
    assert not call.draft and call.is_open()
    assert client.get(step_url(call, "nonsense")).status_code == 404


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.EXPERT, Role.PANEL_CHAIR, Role.FUND_MANAGER,
                                  Role.INCUBATION_MANAGER, Role.TECHNOLOGY_MANAGER])
def test_every_step_url_is_refused_to_other_roles(role):
    call = CallFactory(draft=True)
    client = signed_in(UserFactory(role=role))
    urls = [reverse("proposals:call_new"), reverse("proposals:call_edit", args=[call.pk]),
            *(step_url(call, s) for s in ("form", "rubric", "review", "funding")),
            reverse("proposals:call_preview", args=[call.pk])]
    assert [client.get(u).status_code for u in urls] == [403] * len(urls)
    assert [client.post(u, {"title_zh": "x"}).status_code for u in urls[:-1]] == [403] * (len(urls) - 1)
    assert client.post(reverse("proposals:call_open", args=[call.pk])).status_code == 403
    call.refresh_from_db()
    assert call.draft and Call.objects.count() == 1


def test_a_draft_call_does_not_exist_for_applicants():
    client = officer()
    post_step(client, reverse("proposals:call_new"), BASICS)  # dates span today, no maximum amount yet
    call = Call.objects.get()
    researcher = signed_in(UserFactory(role=Role.RESEARCHER))
    assert researcher.get(reverse("proposals:new", args=[call.pk])).status_code == 404
    assert researcher.post(reverse("proposals:new", args=[call.pk]), {"title": "x"}).status_code == 404
    assert call.pk not in [c.pk for c in researcher.get(reverse("proposals:calls")).context["calls"]]
    assert not call.proposals.exists()
