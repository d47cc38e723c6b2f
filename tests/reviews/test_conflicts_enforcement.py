"""A conflicted expert (each automatic source) can never open the proposal or its scores, and is never assigned."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from core.errors import InvalidInput
from forms.enums import QuestionKind
from proposals.enums import ScreeningOutcome
from proposals.models import Answer, ExpertAvoidance
from reviews.enums import ConflictSource, RelationKind
from reviews.models import Conflict, ExpertProfile
from reviews.selectors.assignment import eligible_experts
from reviews.services.assignment import assign_experts
from reviews.services.pool import update_profile
from tests.factories import QuestionFactory
from tests.forms.samples import PDF  # a PDF qpdf opens: experts are served a copy without its metadata
from tests.helpers import World
from tests.reviews.pool_support import signed_in
from workflows import services

pytestmark = pytest.mark.django_db



def _arrange(source, *, submitted):
    """experts[0] is assigned (and has scored when `submitted`), then saves their own profile,
    which makes the conflict of `source` known."""
    world = World()
    question = QuestionFactory(form=world.call.form, kind=QuestionKind.FILE, file_types=["pdf"])
    draft = world.proposal(institution="某研究院", team="张三, 北京大学, 负责人")
    expert = world.experts[0]
    expert.full_name = "周专家"
    expert.save(update_fields=["full_name"])
    if source == ConflictSource.APPLICANT:
        ExpertAvoidance.objects.create(proposal=draft, name="周专家", institution="上海交通大学", reason="竞争关系")

    services.submit_proposal(proposal=draft, actor=draft.applicant)
    services.screen_proposal(proposal=draft, officer=world.officer, outcome=ScreeningOutcome.PASS,
                             checklist={str(i.pk): True for i in world.checklist})
    proposal = draft
    proposal.refresh_from_db()
    reviews = services.assign_experts(proposal=proposal, officer=world.officer, experts=world.experts)
    review = next(r for r in reviews if r.expert_id == expert.pk)
    if submitted:
        world.score(review)
    answer = Answer.objects.create(proposal=proposal, question=question, file=ContentFile(PDF, name="plan.pdf"),
                                   file_name="plan.pdf", content_type="application/pdf")
    client = signed_in(expert)
    assert client.get(reverse("workflows:review", args=[review.pk])).status_code == 200
    assert client.get(reverse("proposals:answer_file", args=[answer.pk])).status_code == 200

    data, relations = {"institution": "上海交通大学"}, []
    if source == ConflictSource.INSTITUTION:
        data = {"institution": "某研究院 第二研究室"}
    elif source == ConflictSource.RELATION:
        relations = [{"kind": RelationKind.COAUTHOR, "name": "张三", "institution": "北京大学", "until_year": None}]
    update_profile(profile=ExpertProfile(user=expert), data=data, relations=relations, actor=expert)
    assert list(Conflict.objects.values_list("expert_id", "source")) == [(expert.pk, source)]
    review.refresh_from_db()
    return world, proposal, expert, review, answer, client


SOURCES = [ConflictSource.INSTITUTION, ConflictSource.RELATION, ConflictSource.APPLICANT]


@pytest.mark.parametrize("submitted", [False, True], ids=["open", "submitted"])
@pytest.mark.parametrize("source", SOURCES)
def test_a_conflicted_expert_cannot_open_the_proposal_or_its_scores(source, submitted):
    world, proposal, expert, review, answer, client = _arrange(source, submitted=submitted)
    pages = {
        "review": reverse("workflows:review", args=[review.pk]),
        "proposal": reverse("proposals:detail", args=[proposal.pk]),
        "file": reverse("proposals:answer_file", args=[answer.pk]),
        "panel": reverse("workflows:panel", args=[proposal.pk]),
        "panel_proposal": reverse("panel:proposal", args=[proposal.pk]),
        "panel_call": reverse("panel:call", args=[world.call.pk]),
        "declare": reverse("pool:declare_conflict", args=[review.pk]),
    }
    statuses = {name: client.get(url).status_code for name, url in pages.items()}
    assert {name: status in (403, 404) for name, status in statuses.items()} == {name: True for name in pages}, statuses
    assert expert.has_perm("proposals.view_proposal", proposal) is False
    assert expert.has_perm("proposals.see_files", proposal) is False


@pytest.mark.parametrize("source", SOURCES)
def test_a_conflicted_expert_is_never_eligible_nor_assignable(source):
    world, proposal, expert, review, _answer, _client = _arrange(source, submitted=False)
    assert expert not in list(eligible_experts(proposal=proposal))
    review.delete()  # even without a review row in the way, the conflict refuses the assignment
    with pytest.raises(InvalidInput):
        assign_experts(proposal=proposal, experts=[expert], assigned_by=world.officer)
    assert list(proposal.reviews.filter(expert=expert)) == []


def test_without_a_conflict_the_same_pages_stay_open_to_the_assigned_expert():
    world = World()
    proposal = world.assigned(institution="某研究院")
    review = proposal.reviews.get(expert=world.experts[0])
    update_profile(profile=ExpertProfile(user=world.experts[0]), data={"institution": "复旦大学"}, actor=world.experts[0])
    assert Conflict.objects.count() == 0
    assert signed_in(world.experts[0]).get(reverse("workflows:review", args=[review.pk])).status_code == 200
    assert world.experts[0].has_perm("proposals.view_proposal", proposal) is True
