"""The scoring service: N/A, ranges, recommendation, confidence, veto, drafts, atomicity."""

from decimal import Decimal

import pytest
from django.utils import translation
from viewflow.workflow.status import STATUS

from core.errors import IllegalTransition, InvalidInput, NotPermitted
from proposals.models import AuditEntry
from reviews.enums import ReviewStatus
from reviews.models import Score
from reviews.selectors.scoring import reviews_with_scores
from reviews.services.assignment import record_conflict
from reviews.services.scoring import save_review
from tests.reviews.scoring_support import assigned_proposal, scoring_world, snapshot
from workflows import services

pytestmark = pytest.mark.django_db


def full(world, review, **overrides):
    """A complete submission for `review`, with `overrides`."""
    args = {"review": review, "expert": review.expert,
            "scores": {world.criteria[0].pk: Decimal("8"), world.criteria[1].pk: Decimal("4")},
            "opinion": "技术路线清晰", "panel_note": "团队强", "recommendation": "support", "confidence": "high"}
    args.update(overrides)
    return args


def refused(call, review, exc_class=InvalidInput):
    """Run `call` in English; return the message; assert the review is unchanged."""
    before = snapshot(review)
    with translation.override("en"):
        with pytest.raises(exc_class) as caught:
            call()
        message = str(caught.value)
    assert snapshot(review) == before
    return message


# N/A


def test_na_is_stored_as_missing_data_and_the_weighted_total_is_renormalised_over_the_answered_criteria():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    world.score(reviews[0], values=(Decimal("8"), "na"))
    stored = list(Score.objects.filter(review=reviews[0]).order_by("criterion__order").values_list(
        "criterion_id", "value", "not_applicable"))
    review = reviews_with_scores().get(pk=reviews[0].pk)
    assert stored == [(world.criteria[0].pk, Decimal("8.00"), False), (world.criteria[1].pk, None, True)]
    # 8/10 over the answered weight 60 alone; counted as zero it would be 48.00
    assert review.weighted_total == Decimal("80.00")
    assert review.status == ReviewStatus.SUBMITTED


def test_all_criteria_na_leave_the_review_without_a_total():
    world = scoring_world()
    world.criteria[0].na_allowed = True
    world.criteria[0].save()
    proposal, reviews = assigned_proposal(world)
    world.score(reviews[0], values=("na", "NA"))
    assert reviews_with_scores().get(pk=reviews[0].pk).weighted_total is None


def test_na_is_refused_where_the_criterion_does_not_allow_it():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    message = refused(lambda: world.score(reviews[0], values=("na", Decimal("4"))), reviews[0])
    assert message == f"{world.criteria[0].name_en}: N/A is not allowed for this criterion; enter a score."


# ranges and numbers


@pytest.mark.parametrize("value", [Decimal("10.01"), Decimal("-1"), "11", "NaN"])
def test_a_score_out_of_range_is_refused_naming_the_criterion(value):
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    message = refused(lambda: world.score(reviews[0], values=(value, Decimal("4"))), reviews[0])
    assert message == f"{world.criteria[0].name_en}: the score must be between 0 and 10."


def test_a_score_with_three_decimals_is_refused():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    message = refused(lambda: world.score(reviews[0], values=(Decimal("7.125"), Decimal("4"))), reviews[0])
    assert message == f"{world.criteria[0].name_en}: use at most two decimals."


def test_text_instead_of_a_number_is_refused():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    message = refused(lambda: world.score(reviews[0], values=("eight", Decimal("4"))), reviews[0])
    assert message == f"{world.criteria[0].name_en}: enter a number."


# what a submission needs


def test_submitting_without_recommendation_or_confidence_is_refused():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    message = refused(lambda: world.score(reviews[0], recommendation="", confidence=""), reviews[0])
    assert message == ("Choose an overall recommendation before submitting. "
                       "Choose your confidence level before submitting.")


def test_submitting_with_an_unknown_recommendation_is_refused():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    message = refused(lambda: world.score(reviews[0], recommendation="maybe"), reviews[0])
    assert message == "Choose one of the offered recommendations."


def test_submitting_needs_every_criterion_and_the_opinion_for_the_applicant():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    review = reviews[0]
    message = refused(lambda: services.submit_review(**full(world, review, scores={world.criteria[0].pk: "7"}, opinion="  ")),
                      review)
    assert message == (f"Score every criterion (or mark it N/A where allowed) before submitting: {world.criteria[1].name_en}. "
                       "Write an opinion for the applicant before submitting.")


# veto


def test_a_veto_without_a_reason_is_refused():
    world = scoring_world(veto_enabled=True)
    proposal, reviews = assigned_proposal(world)
    message = refused(lambda: world.score(reviews[0], veto=True, veto_reason="   "), reviews[0])
    assert message == "Give the reason for the veto."


@pytest.mark.parametrize("submit", [True, False])
def test_a_veto_is_refused_when_the_call_does_not_allow_it(submit):
    world = scoring_world(veto_enabled=False)
    proposal, reviews = assigned_proposal(world)
    review = reviews[0]
    action = services.submit_review if submit else services.save_review_draft
    message = refused(lambda: action(**full(world, review, veto=True, veto_reason="超出范围")), review)
    assert message == "This call does not allow a veto."


def test_a_veto_with_its_reason_is_stored_and_audited():
    world = scoring_world(veto_enabled=True)
    proposal, reviews = assigned_proposal(world)
    world.score(reviews[0], veto=True, veto_reason="不属于概念验证范围")
    reviews[0].refresh_from_db()
    veto_audit = AuditEntry.objects.get(action="review.veto")
    submitted_audit = AuditEntry.objects.get(action="review.submitted", data__review=reviews[0].pk)
    assert (reviews[0].veto, reviews[0].veto_reason) == (True, "不属于概念验证范围")
    assert (veto_audit.proposal_id, veto_audit.actor_id, veto_audit.note, veto_audit.data) == (
        proposal.pk, reviews[0].expert_id, "不属于概念验证范围", {"review": reviews[0].pk})
    assert submitted_audit.data == {
        "review": reviews[0].pk, "scores": {str(world.criteria[0].pk): "8", str(world.criteria[1].pk): "4"},
        "recommendation": "support", "confidence": "high", "veto": True}


# drafts


def test_a_partial_draft_is_saved_and_submitted_later_which_completes_the_task():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    review = reviews[0]
    services.save_review_draft(review=review, expert=review.expert, scores={world.criteria[0].pk: "6.5"},
                               opinion="", panel_note="先记下", recommendation="conditional")
    review.refresh_from_db()
    draft = (review.status, list(review.scores.values_list("criterion_id", "value", "not_applicable")),
             review.panel_note, review.recommendation, review.confidence)
    task_status_after_draft = services.review_task(review=review).status
    services.submit_review(**full(world, review, scores={world.criteria[0].pk: "6.5", world.criteria[1].pk: "na"}))
    review.refresh_from_db()
    assert draft == (ReviewStatus.DRAFT, [(world.criteria[0].pk, Decimal("6.50"), False)], "先记下", "conditional", "")
    assert task_status_after_draft == STATUS.ASSIGNED
    assert review.status == ReviewStatus.SUBMITTED
    assert services.review_task(review=review).status == STATUS.DONE
    assert list(AuditEntry.objects.filter(data__review=review.pk).values_list("action", flat=True)) == [
        "review.assigned", "review.draft_saved", "review.submitted"]


def test_a_submitted_review_can_no_longer_be_saved_as_a_draft():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    world.score(reviews[0])
    message = refused(lambda: services.save_review_draft(**full(world, reviews[0])), reviews[0], IllegalTransition)
    assert message == "This review task is closed; the draft cannot be saved."


def test_a_failed_submit_changes_nothing_even_when_it_fails_midway(monkeypatch):
    # arrange: a saved draft, then a submission that breaks after the scores were written
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    review = reviews[0]
    services.save_review_draft(**full(world, review, scores={world.criteria[0].pk: "3"}, recommendation=""))

    def broken_audit(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("proposals.services.audit.record_audit", broken_audit)  # the door writes the audit row
    before = snapshot(review)
    # act
    with pytest.raises(RuntimeError):
        services.submit_review(**full(world, review))
    # assert: the draft, its scores and the task are as they were
    assert snapshot(review) == before
    assert before["scores"] == [(world.criteria[0].pk, Decimal("3.00"), False)]
    assert services.review_task(review=review).status == STATUS.ASSIGNED


# who may save


def test_only_the_assigned_expert_may_save_the_review():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    other = world.experts[1]
    message = refused(lambda: save_review(**full(world, reviews[0], expert=other), submit=False), reviews[0], NotPermitted)
    assert message == "You are not allowed to do this."


def test_an_expert_with_a_conflict_cannot_save_the_review():
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    record_conflict(proposal=proposal, expert=reviews[0].expert, reason="同单位", recorded_by=world.officer)
    reviews[0].refresh_from_db()
    message = refused(lambda: save_review(**full(world, reviews[0]), submit=False), reviews[0], NotPermitted)
    assert message == "You have a conflict of interest with this proposal."


def test_a_draft_save_that_fails_midway_leaves_the_previous_draft(monkeypatch):
    world = scoring_world()
    proposal, reviews = assigned_proposal(world)
    review = reviews[0]
    services.save_review_draft(**full(world, review, scores={world.criteria[0].pk: "3"}, opinion="初稿"))

    def broken_audit(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("proposals.services.audit.record_audit", broken_audit)  # the door writes the audit row
    before = snapshot(review)
    with pytest.raises(RuntimeError):
        services.save_review_draft(**full(world, review, scores={world.criteria[1].pk: "na"}, opinion="二稿"))
    assert snapshot(review) == before
    assert (before["scores"], before["review"][1]) == ([(world.criteria[0].pk, Decimal("3.00"), False)], "初稿")
