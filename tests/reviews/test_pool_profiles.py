"""Expert profiles: the office's list, detail, create and edit pages; the expert's own profile."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from accounts.roles import has_role
from core.errors import InvalidInput, NotPermitted
from proposals.models import AuditEntry
from reviews.enums import ExpertType, RelationKind
from reviews.models import Conflict, ExpertProfile, ExpertRelation, ExpertUnavailability
from reviews.services.assignment import record_conflict
from reviews.services.pool import create_expert, update_profile
from reviews.views import pool as pool_views
from tests.factories import UserFactory
from tests.helpers import World
from tests.reviews.pool_support import make_expert, signed_in

pytestmark = pytest.mark.django_db

D = dt.date


def formset_data(prefix, rows, *, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def profile_data(**overrides):
    data = {"expert_type": "investor", "institution": "红杉资本", "position": "合伙人", "fields_zh": "新能源, 储能",
            "fields_en": "energy storage", "keywords_zh": "电池", "keywords_en": "battery", "bio": "十年早期投资经验。",
            "max_load": "4", "active": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def empty_children():
    return {**formset_data("periods", []), **formset_data("relations", [])}


# services


def test_creating_an_expert_makes_an_account_without_password_with_the_expert_role(officer):
    profile = create_expert(email="Wang.Wu@Example.org", full_name="王五", actor=officer,
                            data={"expert_type": ExpertType.FINANCE, "institution": "某银行", "max_load": 3},
                            periods=[{"starts_on": D(2026, 12, 1), "ends_on": D(2026, 12, 20), "note": "出差"}],
                            relations=[{"kind": RelationKind.STUDENT, "name": "赵六", "institution": "", "until_year": 2024}])
    user = profile.user
    assert (user.username, user.email, user.full_name, user.has_usable_password()) == (
        "wang.wu@example.org", "Wang.Wu@Example.org", "王五", False)
    assert has_role(user, Role.EXPERT)
    assert (profile.expert_type, profile.institution, profile.max_load, profile.active) == ("finance", "某银行", 3, True)
    assert list(profile.unavailable_periods.values_list("starts_on", "ends_on", "note")) == [(D(2026, 12, 1), D(2026, 12, 20), "出差")]
    assert list(profile.relations.values_list("kind", "name", "until_year")) == [("student", "赵六", 2024)]
    audit = AuditEntry.objects.get(action="expert.created")
    assert (audit.actor, audit.proposal, audit.data["linked_existing_account"]) == (officer, None, False)


def test_creating_an_expert_links_the_existing_account_with_that_email(officer):
    existing = UserFactory(role=Role.RESEARCHER, email="li@example.org", full_name="李老师")
    profile = create_expert(email="LI@example.org", full_name="别名", actor=officer, data={})
    assert profile.user == existing
    existing.refresh_from_db()
    assert existing.full_name == "李老师"
    assert has_role(existing, Role.EXPERT) and has_role(existing, Role.RESEARCHER)


@pytest.mark.parametrize("case", ["already_in_pool", "no_name_for_new_account", "not_staff"])
def test_refused_creations_change_nothing(officer, case):
    make_expert(name="已在库", user=UserFactory(role=Role.EXPERT, email="in@example.org"))
    email = {"already_in_pool": "in@example.org"}.get(case, "new@example.org")
    actor = UserFactory(role=Role.EXPERT) if case == "not_staff" else officer
    before = (ExpertProfile.objects.count(), AuditEntry.objects.count())
    with pytest.raises(NotPermitted if case == "not_staff" else InvalidInput):
        create_expert(email=email, full_name="" if case == "no_name_for_new_account" else "某人", actor=actor, data={})
    assert (ExpertProfile.objects.count(), AuditEntry.objects.count()) == before


def test_an_expert_changes_their_own_fields_but_not_type_load_or_membership(officer):
    profile = make_expert(name="钱专家", institution="复旦大学", max_load=5)
    update_profile(profile=profile, data={"keywords_zh": "催化"}, actor=profile.user,
                   relations=[{"kind": "coauthor", "name": "孙某", "institution": "", "until_year": None}])
    profile.refresh_from_db()
    assert (profile.keywords_zh, list(profile.relations.values_list("name", flat=True))) == ("催化", ["孙某"])
    audit = AuditEntry.objects.get(action="expert.updated")
    assert (audit.actor, audit.data["fields"], audit.data["relations"], audit.data["periods"]) == (
        profile.user, ["keywords_zh"], 1, None)
    for field, value in [("max_load", 50), ("active", False), ("expert_type", "investor")]:
        with pytest.raises(NotPermitted):
            update_profile(profile=profile, data={field: value}, actor=profile.user)
    other = UserFactory(role=Role.EXPERT)
    with pytest.raises(NotPermitted):
        update_profile(profile=profile, data={"bio": "x"}, actor=other)
    profile.refresh_from_db()
    assert (profile.max_load, profile.active, profile.expert_type, profile.bio) == (5, True, "academic", "")


def test_an_invalid_load_cap_is_refused_with_a_message(officer):
    profile = make_expert(name="钱专家")
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        update_profile(profile=profile, data={"max_load": 500}, actor=officer)
    assert str(exc.value) == "Ensure this value is less than or equal to 200."
    profile.refresh_from_db()
    assert profile.max_load == 5


# the list


def test_the_list_filters_by_type_institution_text_and_membership(officer):
    make_expert(name="投资甲", expert_type="investor", institution="红杉资本", fields_zh="储能")
    make_expert(name="学者乙", expert_type="academic", institution="清华大学 化学系", keywords_en="perovskite")
    make_expert(name="学者丙", expert_type="academic", institution="北京大学", active=False)
    client = signed_in(officer)

    def names(**query):
        page = client.get(reverse("pool:list"), query)
        assert page.status_code == 200
        return [p.user.full_name for p in page.context["page"]]

    assert names() == ["学者乙", "投资甲"]  # active experts by default, by name
    assert names(active="") == ["学者丙", "学者乙", "投资甲"]
    assert names(active="no") == ["学者丙"]
    assert names(expert_type="investor") == ["投资甲"]
    assert names(institution="清华") == ["学者乙"]
    assert names(q="PEROVSKITE") == ["学者乙"]
    assert names(q="储能") == ["投资甲"]


def test_the_list_shows_each_experts_current_load(officer):
    world = World()
    world.experts[0].full_name = "甲专家"
    world.experts[0].save(update_fields=["full_name"])
    make_expert(name="甲专家", user=world.experts[0])
    world.assigned()
    world.assigned()
    html = signed_in(world.officer).get(reverse("pool:list")).content.decode()
    row = html.split("甲专家", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">2</td><td class="num">5</td>' in row


def test_the_list_is_paginated(officer, settings):
    original = pool_views.PAGE_SIZE
    pool_views.PAGE_SIZE = 2
    officer.language = "en"
    officer.save(update_fields=["language"])
    try:
        for name in ("甲", "乙", "丙"):
            make_expert(name=name)
        make_expert(name="停用", active=False)
        client = signed_in(officer)
        first = client.get(reverse("pool:list"))
        second = client.get(reverse("pool:list"), {"page": 2})
    finally:
        pool_views.PAGE_SIZE = original
    assert [p.user.full_name for p in first.context["page"]] == ["丙", "乙"]
    assert [p.user.full_name for p in second.context["page"]] == ["甲"]
    assert "?page=2" in first.content.decode()
    assert "3 experts match." in first.content.decode() and "Page 1 of 2" in first.content.decode()


@pytest.mark.parametrize("rows", [1, 3])
def test_the_list_runs_a_fixed_number_of_queries(officer, rows, django_assert_num_queries):
    world = World()
    for i in range(rows):
        make_expert(name=f"专家{i}", user=world.experts[i], institution="复旦大学",
                    relations=[("coauthor", "某人", "", None)])
    world.assigned()
    client = signed_in(officer)
    client.get(reverse("pool:list"))  # warm per-process caches
    with django_assert_num_queries(6):
        response = client.get(reverse("pool:list"))
    assert len(response.context["page"].object_list) == rows


# detail, create, edit


def test_the_detail_shows_profile_relations_periods_load_and_conflicts(officer):
    world = World()
    profile = make_expert(name="甲专家", user=world.experts[0], institution="复旦大学",
                          relations=[("coauthor", "孙合作", "浙江大学", 2023)])
    ExpertUnavailability.objects.create(profile=profile, starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 20), note="出国")
    proposal = world.assigned()
    other = world.screened(title="另一个项目")
    record_conflict(proposal=other, expert=profile.user, reason="亲属关系", recorded_by=world.officer)
    response = signed_in(world.officer).get(reverse("pool:detail", args=[profile.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("孙合作", "浙江大学", "2026-12-01", "2026-12-20", "出国", proposal.title, "另一个项目", "亲属关系"):
        assert text in html
    assert list(response.context["open_reviews"]) == list(proposal.reviews.filter(expert=profile.user))


def test_an_unknown_profile_is_404(officer):
    assert signed_in(officer).get(reverse("pool:detail", args=[999])).status_code == 404


def test_staff_add_an_expert_with_periods_and_relations_over_the_page(officer):
    data = {"email": "zhao@example.org", "full_name": "赵专家", **profile_data(),
            **formset_data("periods", [{"starts_on": "2026-12-01", "ends_on": "2026-12-20", "note": ""}]),
            **formset_data("relations", [{"kind": "advisor", "name": "钱导师", "institution": "南京大学", "until_year": ""},
                                         {"kind": "", "name": "", "institution": "", "until_year": ""}])}
    response = signed_in(officer).post(reverse("pool:create"), data)
    profile = ExpertProfile.objects.get(user__email="zhao@example.org")
    assert response.status_code == 302 and response["Location"] == reverse("pool:detail", args=[profile.pk])
    assert (profile.user.full_name, profile.expert_type, profile.max_load, profile.fields_en) == ("赵专家", "investor", 4, "energy storage")
    assert list(profile.relations.values_list("kind", "name", "institution")) == [("advisor", "钱导师", "南京大学")]
    assert list(profile.unavailable_periods.values_list("starts_on", "ends_on")) == [(D(2026, 12, 1), D(2026, 12, 20))]


def test_a_period_ending_before_it_starts_is_refused_and_nothing_is_written(officer):
    officer.language = "en"
    officer.save(update_fields=["language"])
    data = {"email": "zhao@example.org", "full_name": "赵专家", **profile_data(),
            **formset_data("periods", [{"starts_on": "2026-12-20", "ends_on": "2026-12-01", "note": ""}]),
            **formset_data("relations", [])}
    response = signed_in(officer).post(reverse("pool:create"), data)
    assert response.status_code == 400
    assert "The end date must not be before the start date." in response.content.decode()
    assert 'value="zhao@example.org"' in response.content.decode()
    assert (ExpertProfile.objects.count(), ExpertUnavailability.objects.count()) == (0, 0)
    assert not UserFactory._meta.model.objects.filter(email="zhao@example.org").exists()


def test_adding_an_expert_already_in_the_pool_shows_the_refusal(officer):
    officer.language = "en"
    officer.save(update_fields=["language"])
    make_expert(name="已在库", user=UserFactory(role=Role.EXPERT, email="in@example.org", full_name="已在库"))
    data = {"email": "in@example.org", "full_name": "", **profile_data(), **empty_children()}
    response = signed_in(officer).post(reverse("pool:create"), data)
    assert response.status_code == 400
    assert "已在库 is already in the expert pool." in response.content.decode()
    assert ExpertProfile.objects.count() == 1


def test_staff_edit_a_profile_including_load_cap_membership_and_name(officer):
    profile = make_expert(name="旧名", institution="复旦大学",
                          relations=[("coauthor", "孙合作", "", None)])
    relation = profile.relations.get()
    data = {"full_name": "新名", **profile_data(max_load="2", active=None),
            **formset_data("periods", []),
            **formset_data("relations", [{"id": str(relation.pk), "profile": str(profile.pk), "kind": "coauthor",
                                          "name": "孙合作", "institution": "", "until_year": "", "DELETE": "on"}], initial=1)}
    response = signed_in(officer).post(reverse("pool:edit", args=[profile.pk]), data)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.user.full_name, profile.max_load, profile.active, profile.institution) == ("新名", 2, False, "红杉资本")
    assert ExpertRelation.objects.count() == 0
    assert sorted(AuditEntry.objects.get(action="expert.updated").data["fields"]) == sorted(
        ["active", "bio", "expert_type", "fields_en", "fields_zh", "full_name", "institution", "keywords_en", "keywords_zh",
         "max_load", "position"])


def test_an_expert_without_a_profile_creates_it_on_my_profile(roles_ready):
    expert = UserFactory(role=Role.EXPERT, full_name="新专家")
    client = signed_in(expert)
    page = client.get(reverse("pool:me"))
    assert page.status_code == 200 and ExpertProfile.objects.count() == 0
    data = {"institution": "浙江大学", "position": "教授", "fields_zh": "材料", "fields_en": "", "keywords_zh": "",
            "keywords_en": "", "bio": "", "max_load": "99", "active": "", "expert_type": "finance", **empty_children()}
    response = client.post(reverse("pool:me"), data)
    assert response.status_code == 302 and response["Location"] == reverse("pool:me")
    profile = ExpertProfile.objects.get(user=expert)
    assert (profile.institution, profile.max_load, profile.active, profile.expert_type) == ("浙江大学", 5, True, "academic")
    assert AuditEntry.objects.get(action="expert.created").actor == expert


def test_my_profile_finds_new_conflicts(roles_ready):
    world = World()
    proposal = world.screened(institution="某研究院")
    expert = world.experts[0]
    data = {"institution": "某研究院", "position": "", "fields_zh": "", "fields_en": "", "keywords_zh": "", "keywords_en": "",
            "bio": "", **empty_children()}
    assert signed_in(expert).post(reverse("pool:me"), data).status_code == 302
    assert list(Conflict.objects.values_list("proposal_id", "expert_id", "source")) == [(proposal.pk, expert.pk, "institution")]


# permissions and navigation

POOL_PAGES = [
    ("pool:list", []), ("pool:detail", ["profile"]), ("pool:create", []), ("pool:edit", ["profile"]),
    ("pool:import", []), ("pool:import_template", ["csv"]),
]
REFUSED_ROLES = [Role.RESEARCHER, Role.EXPERT, Role.PANEL_CHAIR, Role.FUND_MANAGER, Role.INCUBATION_MANAGER]


@pytest.mark.parametrize("role", REFUSED_ROLES)
@pytest.mark.parametrize("name, args", POOL_PAGES)
def test_only_the_program_office_opens_the_pool_pages(roles_ready, role, name, args):
    profile = make_expert(name="甲专家")
    url = reverse(name, args=[profile.pk if a == "profile" else a for a in args])
    user = profile.user if role == Role.EXPERT else UserFactory(role=role)
    client = signed_in(user)
    assert client.get(url).status_code == 403
    if name not in ("pool:list", "pool:detail", "pool:import_template"):
        assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_only_the_program_office_runs_a_conflict_check(roles_ready, role):
    world = World()
    world.screened(institution="某研究院")
    make_expert(name="甲专家", institution="某研究院")
    response = signed_in(UserFactory(role=role)).post(reverse("pool:detect_call"), {"call": world.call.pk})
    assert response.status_code == 403
    assert Conflict.objects.count() == 0


def test_the_program_office_runs_a_conflict_check_for_a_call(officer):
    world = World()
    world.screened(institution="某研究院")
    make_expert(name="甲专家", institution="某研究院")
    response = signed_in(officer).post(reverse("pool:detect_call"), {"call": world.call.pk}, follow=True)
    assert Conflict.objects.count() == 1
    assert response.redirect_chain[-1][0] == reverse("pool:list")


@pytest.mark.parametrize("name, args", POOL_PAGES + [("pool:me", [])])
def test_anonymous_visitors_are_sent_to_log_in(client, roles_ready, name, args):
    profile = make_expert(name="甲专家")
    response = client.get(reverse(name, args=[profile.pk if a == "profile" else a for a in args]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.PROGRAM_OFFICER, Role.PANEL_CHAIR])
def test_only_experts_have_an_own_profile_page(roles_ready, role):
    client = signed_in(UserFactory(role=role))
    assert client.get(reverse("pool:me")).status_code == 403
    assert client.post(reverse("pool:me"), {}).status_code == 403
    assert ExpertProfile.objects.count() == 0


def test_staff_see_the_pool_link_and_experts_their_profile_link(roles_ready):
    officer_html = signed_in(UserFactory(role=Role.PROGRAM_OFFICER)).get(reverse("home")).content.decode()
    expert_html = signed_in(UserFactory(role=Role.EXPERT)).get(reverse("home")).content.decode()
    assert f'href="{reverse("pool:list")}"' in officer_html and f'href="{reverse("pool:me")}"' not in officer_html
    assert f'href="{reverse("pool:me")}"' in expert_html and f'href="{reverse("pool:list")}"' not in expert_html
