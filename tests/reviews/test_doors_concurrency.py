"""The review doors' optimistic lock under real races (PostgreSQL): one of two concurrent acts wins."""

from core.errors import DomainError, IllegalTransition
from proposals.enums import ProposalStatus as S
from proposals.models import AuditEntry
from reviews.enums import ObjectionStatus, ReviewStatus
from reviews.models import Objection, Review
from reviews.services.notice import resolve_objection
from reviews.services.scoring import save_review
from tests.concurrency import POSTGRES_ONLY, race
from tests.helpers import World
from tests.reviews.notice_support import lodge_confirmed

pytestmark = POSTGRES_ONLY


def test_two_officers_resolving_one_objection_at_once_resolve_it_once():
    world = World(experts=1)
    proposal = world.approved()
    notice = world.publish()
    objection = lodge_confirmed(notice=notice, entry=notice.entries.get(), name="王五", email="wangwu@example.org",
                                reasons="专利重复")
    copies = [Objection.objects.select_related("entry", "notice").get(pk=objection.pk) for _ in range(2)]
    results = race([
        lambda: resolve_objection(objection=copies[0], upheld=True, resolution="成立", resolved_by=world.officer),
        lambda: resolve_objection(objection=copies[1], upheld=False, resolution="不成立", resolved_by=world.officer),
    ])
    assert sorted(r[0] for r in results) == ["error", "ok"]
    [error] = [r[1] for r in results if r[0] == "error"]
    assert isinstance(error, IllegalTransition)
    objection.refresh_from_db()
    proposal.refresh_from_db()
    resolutions = list(AuditEntry.objects.filter(action__in=["notice.objection_upheld", "notice.objection_dismissed"]).values_list("action", flat=True))
    if objection.status == ObjectionStatus.UPHELD:
        assert (resolutions, proposal.status, notice.entries.get().withdrawn_at is not None) == (
            ["notice.objection_upheld"], S.PANEL, True)
    else:
        assert (resolutions, proposal.status, notice.entries.get().withdrawn_at) == (
            ["notice.objection_dismissed"], S.APPROVED, None)


def test_a_review_submitted_twice_at_once_is_submitted_once():
    world = World(experts=1)
    world.assigned()
    review = world.reviews[0]
    scores = {c.pk: "4" for c in world.criteria}
    copies = [Review.objects.get(pk=review.pk) for _ in range(2)]
    results = race([
        lambda r=r: save_review(review=r, expert=review.expert, scores=scores, opinion="意见", recommendation="support",
                                confidence="high", submit=True)
        for r in copies
    ])
    assert sorted(r[0] for r in results) == ["error", "ok"]
    assert all(isinstance(r[1], DomainError) for r in results if r[0] == "error")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert AuditEntry.objects.filter(action="review.submitted").count() == 1
