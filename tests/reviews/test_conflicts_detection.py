"""Automatic conflicts of interest (回避): institution, relation, applicant's list; hooks and idempotence."""

import pytest
from django.db import IntegrityError
from django.utils import timezone, translation

from accounts.enums import Role
from proposals.enums import ScreeningOutcome
from proposals.models import AuditEntry, ExpertAvoidance
from proposals.services.submission import set_avoid_requests
from reviews.enums import ConflictSource, RelationKind
from reviews.models import Conflict
from reviews.services.assignment import record_conflict
from reviews.services.conflicts import (
    detect_conflicts,
    detect_for_call,
    detect_for_expert,
    same_institution,
    same_person,
    team_members,
)
from reviews.services.pool import update_profile
from tests.factories import OrganisationFactory, ProposalFactory, UserFactory
from tests.helpers import World
from tests.reviews.pool_support import SignalLog, make_expert
from workflows import services

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


def conflicts():
    return sorted((c.proposal_id, c.expert_id, c.source) for c in Conflict.objects.all())


# normalisation


@pytest.mark.parametrize("a, b", [
    ("清华大学", "清华大学"),
    ("清华大学", "清华大学 化学系"),
    ("清华大学", "清华大学化学系"),
    ("清华大学（深圳）", "清华大学(深圳)"),
    ("Tsinghua University", "tsinghua   university, Department of Chemistry"),
    ("MIT", "M.I.T."),
    ("MIT", "MIT Media Lab"),
    ("ＡＢＣ大学", "abc大学"),
])
def test_institution_names_that_are_the_same_institution(a, b):
    assert same_institution(a, b) is True
    assert same_institution(b, a) is True


@pytest.mark.parametrize("a, b", [
    ("北京大学", "清华大学"),
    ("北大", "北大荒集团"),  # a Chinese prefix counts only from four characters on
    ("MIT", "Mitsubishi Heavy Industries"),  # Latin names match by whole words
    ("第10研究所", "第100研究所"),  # never cut through a number
    ("", "清华大学"),
    ("  ", ""),
])
def test_institution_names_that_are_different_institutions(a, b):
    assert same_institution(a, b) is False


def test_person_names_match_across_spacing_case_order_and_width():
    assert same_person("张 三", "张三") is True
    assert same_person("Zhang San", "san ZHANG") is True
    assert same_person("Ｗａｎｇ　Ｗｕ", "wang wu") is True
    assert same_person("张三", "张三丰") is False
    assert same_person("", "") is False


def test_team_lines_accept_commas_chinese_commas_tabs_and_numbering():
    applicant = UserFactory(role=Role.RESEARCHER, full_name="申请人甲", organisation=OrganisationFactory(name="复旦大学"))
    proposal = ProposalFactory(applicant=applicant, team="1. 张三, 北京大学, 负责人\n李四，浙江大学，成员\n王五\t南京大学\t成员\n\n赵六")
    assert [(m.name, m.institution) for m in team_members(proposal)] == [
        ("张三", "北京大学"), ("李四", "浙江大学"), ("王五", "南京大学"), ("赵六", ""), ("申请人甲", "复旦大学")]


# each source, through the real flow: detection runs when the proposal enters expert review


def test_expert_of_the_proposals_institution_department_is_conflicted_when_review_starts():
    world = World()
    expert = make_expert(name="李专家", institution="清华大学 化学系")
    other = make_expert(name="王专家", institution="复旦大学")
    proposal = world.screened(institution="清华大学")
    assert conflicts() == [(proposal.pk, expert.user_id, ConflictSource.INSTITUTION)]
    assert other.user_id not in [c.expert_id for c in Conflict.objects.all()]
    conflict = Conflict.objects.get()
    with translation.override("en"):
        assert "Same institution: the expert's “清华大学 化学系” and “清华大学” (the proposal's institution)." in conflict.reason
    assert conflict.recorded_by is None


def test_expert_of_a_team_members_institution_is_conflicted():
    world = World()
    expert = make_expert(name="李专家", institution="浙江大学")
    proposal = world.screened(institution="某研究院", team="张三，浙江大学，成员")
    assert conflicts() == [(proposal.pk, expert.user_id, ConflictSource.INSTITUTION)]
    assert "张三" in Conflict.objects.get().reason


def test_expert_whose_organisation_is_the_applicants_organisation_is_conflicted():
    world = World()
    org = OrganisationFactory(name="中国科学院化学研究所")
    applicant = UserFactory(role=Role.RESEARCHER, organisation=org)
    expert_user = UserFactory(role=Role.EXPERT, full_name="钱专家", organisation=org)
    expert = make_expert(name="钱专家", user=expert_user)  # no institution on the profile: the organisation counts
    proposal = world.screened(applicant=applicant, institution="")
    assert conflicts() == [(proposal.pk, expert.user_id, ConflictSource.INSTITUTION)]


def test_coauthor_on_the_team_is_a_relation_conflict():
    world = World()
    expert = make_expert(name="孙专家", institution="复旦大学",
                         relations=[(RelationKind.COAUTHOR, "张 三", "北京大学化学学院", THIS_YEAR - 1)])
    proposal = world.screened(institution="某研究院", team="张三, 北京大学, 负责人")
    assert conflicts() == [(proposal.pk, expert.user_id, ConflictSource.RELATION)]
    with translation.override("en"):
        assert "Co-author of the expert: 张三 is on the proposal team." in Conflict.objects.get().reason


def test_relation_with_another_institution_than_the_team_member_is_not_a_conflict():
    world = World()
    make_expert(name="孙专家", institution="复旦大学", relations=[(RelationKind.STUDENT, "张三", "四川大学", None)])
    world.screened(institution="某研究院", team="张三, 北京大学, 负责人")
    assert conflicts() == []


def test_relation_without_institution_matches_the_name_alone():
    world = World()
    expert = make_expert(name="孙专家", institution="复旦大学", relations=[(RelationKind.ADVISOR, "张三", "", None)])
    proposal = world.screened(institution="某研究院", team="张三, 北京大学, 负责人")
    assert conflicts() == [(proposal.pk, expert.user_id, ConflictSource.RELATION)]


def test_relation_that_ended_more_than_five_years_ago_is_ignored_and_five_years_ago_still_counts():
    world = World()
    make_expert(name="旧合作", institution="复旦大学", relations=[(RelationKind.COAUTHOR, "张三", "", THIS_YEAR - 6)])
    recent = make_expert(name="近合作", institution="复旦大学", relations=[(RelationKind.COAUTHOR, "张三", "", THIS_YEAR - 5)])
    proposal = world.screened(institution="某研究院", team="张三, 北京大学, 负责人")
    assert conflicts() == [(proposal.pk, recent.user_id, ConflictSource.RELATION)]


def test_expert_named_on_the_applicants_avoid_list_is_conflicted():
    world = World()
    expert = make_expert(name="周专家", institution="上海交通大学")
    same_name_elsewhere = make_expert(name="周专家", institution="武汉大学")
    draft = world.proposal(institution="某研究院")
    set_avoid_requests(proposal=draft, actor=draft.applicant,
                       rows=[{"name": "周 专家", "institution": "上海交通大学", "reason": "竞争对手"}])
    proposal = _screen(world, draft)
    assert conflicts() == [(proposal.pk, expert.user_id, ConflictSource.APPLICANT)]
    assert same_name_elsewhere.user_id not in [c.expert_id for c in Conflict.objects.all()]
    with translation.override("en"):
        assert "The applicant asked to avoid “周 专家 (上海交通大学)”: 竞争对手" in Conflict.objects.get().reason


def _screen(world, draft):

    services.submit_proposal(proposal=draft, actor=draft.applicant)
    draft.refresh_from_db()
    services.screen_proposal(proposal=draft, officer=world.officer, outcome=ScreeningOutcome.PASS,
                             checklist={str(i.pk): True for i in world.checklist})
    draft.refresh_from_db()
    return draft


def test_avoid_request_without_institution_matches_the_name():
    world = World()
    expert = make_expert(name="周专家", institution="上海交通大学")
    draft = world.proposal(institution="某研究院")
    ExpertAvoidance.objects.create(proposal=draft, name="周专家", reason="利益相关")
    proposal = _screen(world, draft)
    assert conflicts() == [(proposal.pk, expert.user_id, ConflictSource.APPLICANT)]


def test_the_most_specific_source_is_recorded_when_several_apply():
    world = World()
    expert = make_expert(name="周专家", institution="清华大学",
                         relations=[(RelationKind.COAUTHOR, "张三", "", None)])
    draft = world.proposal(institution="清华大学", team="张三, 清华大学, 负责人")
    ExpertAvoidance.objects.create(proposal=draft, name="周专家", reason="利益相关")
    proposal = _screen(world, draft)
    assert conflicts() == [(proposal.pk, expert.user_id, ConflictSource.APPLICANT)]


def test_inactive_experts_and_inactive_accounts_are_not_checked():
    world = World()
    make_expert(name="停用", institution="清华大学", active=False)
    gone = make_expert(name="离职", institution="清华大学")
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])
    world.screened(institution="清华大学")
    assert conflicts() == []


def test_drafts_are_not_checked_when_the_pool_changes():
    world = World()
    draft = world.proposal(institution="清华大学")
    submitted = world.submitted(institution="清华大学")
    profile = make_expert(name="李专家", institution="复旦大学")
    update_profile(profile=profile, data={"institution": "清华大学"}, actor=world.officer)
    assert conflicts() == [(submitted.pk, profile.user_id, ConflictSource.INSTITUTION)]
    assert draft.pk not in [c.proposal_id for c in Conflict.objects.all()]


# idempotence, audit, signal


def test_detection_is_idempotent_and_sends_the_signal_once_per_new_conflict():
    world = World()
    first = make_expert(name="甲", institution="清华大学")
    second = make_expert(name="乙", institution="清华大学 物理系")
    with SignalLog() as log:
        proposal = world.screened(institution="清华大学")
        assert detect_conflicts(proposal=proposal) == []
        assert detect_for_call(call=world.call) == []
        assert detect_for_expert(profile=first) == []
    assert conflicts() == [(proposal.pk, first.user_id, ConflictSource.INSTITUTION),
                           (proposal.pk, second.user_id, ConflictSource.INSTITUTION)]
    assert sorted(c.expert_id for c in log.conflicts) == [first.user_id, second.user_id]
    assert all(isinstance(c, Conflict) and c.pk for c in log.conflicts)
    audits = AuditEntry.objects.filter(action="conflict.detected", proposal=proposal).order_by("pk")
    assert [(a.data["expert"], a.data["source"], a.actor_id) for a in audits] == [
        (first.user_id, "institution", None), (second.user_id, "institution", None)]


def test_detection_never_touches_an_existing_conflict():
    world = World()
    proposal = world.screened(institution="某研究院")
    profile = make_expert(name="李专家", institution="复旦大学")
    record_conflict(proposal=proposal, expert=profile.user, reason="亲属关系", recorded_by=world.officer)
    with SignalLog() as log:
        update_profile(profile=profile, data={"institution": "某研究院"}, actor=world.officer)
    conflict = Conflict.objects.get()
    assert (conflict.source, conflict.reason, conflict.recorded_by) == (ConflictSource.MANUAL, "亲属关系", world.officer)
    assert log.conflicts == []


def test_a_staff_check_for_a_call_finds_new_conflicts_and_names_the_actor():
    world = World()
    proposal = world.screened(institution="某研究院")
    profile = make_expert(name="李专家", institution="某研究院")  # created directly: no hook ran
    assert conflicts() == []
    found = detect_for_call(call=world.call, actor=world.officer)
    assert [(c.proposal_id, c.expert_id) for c in found] == [(proposal.pk, profile.user_id)]
    assert AuditEntry.objects.get(action="conflict.detected").actor == world.officer


def test_a_profile_change_detects_conflicts_with_proposals_in_review_and_panel():
    world = World()
    in_review = world.assigned(institution="某研究院")
    profile = make_expert(name="李专家", institution="复旦大学")
    with SignalLog() as log:
        update_profile(profile=profile, data={"institution": "某研究院 二所"}, actor=profile.user)
    assert conflicts() == [(in_review.pk, profile.user_id, ConflictSource.INSTITUTION)]
    assert [c.expert_id for c in log.conflicts] == [profile.user_id]


def test_recording_a_manual_conflict_sends_the_signal_once():
    world = World()
    proposal = world.screened(institution="某研究院")
    expert = UserFactory(role=Role.EXPERT)
    with SignalLog() as log:
        record_conflict(proposal=proposal, expert=expert, reason="师生关系", recorded_by=world.officer)
        record_conflict(proposal=proposal, expert=expert, reason="师生关系", recorded_by=world.officer)
    assert [(c.expert_id, c.source) for c in log.conflicts] == [(expert.pk, ConflictSource.MANUAL)]


def test_a_concurrent_insert_falls_back_to_one_row_at_a_time(monkeypatch):
    world = World()
    proposal = world.screened(institution="某研究院")
    first = make_expert(name="甲", institution="某研究院")
    second = make_expert(name="乙", institution="某研究院")
    record_conflict(proposal=proposal, expert=first.user, reason="亲属关系", recorded_by=world.officer)

    def collide(objs, **kwargs):
        raise IntegrityError("UNIQUE constraint failed")

    monkeypatch.setattr(Conflict.objects, "bulk_create", collide)
    # detection read no conflict for `first` (as if it was written meanwhile): its insert collides, the other goes in
    monkeypatch.setattr("reviews.services.conflicts.Conflict.objects.filter", lambda **kw: Conflict.objects.none())
    with SignalLog() as log:
        found = detect_for_call(call=world.call)
    assert [c.expert_id for c in found] == [second.user_id]
    assert [c.expert_id for c in log.conflicts] == [second.user_id]
    assert sorted(Conflict.objects.values_list("expert_id", "source")) == sorted(
        [(first.user_id, "manual"), (second.user_id, "institution")])
