from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.exceptions import IllegalTransition, InvalidInput, NotPermitted
from proposals.services.audit import record_audit
from reviews.enums import OPEN_REVIEW_STATES, ReviewStatus
from reviews.models import Score


def save_review(*, review, expert, scores: dict, opinion: str, panel_note: str, submit: bool):
    """Save scores (criterion_id → value) and opinions; `submit` makes the review final.

    Drafts may be partial; a submitted review needs every criterion scored and an
    opinion for the applicant. Values must lie within 0..max_score.
    """
    if review.expert_id != expert.pk:
        raise NotPermitted()
    if review.status not in OPEN_REVIEW_STATES:
        raise IllegalTransition(_("This review has already been submitted or closed."))
    criteria = {c.pk: c for c in review.proposal.call.criteria.all()}
    cleaned = {}
    for cid, raw in scores.items():
        criterion = criteria.get(int(cid))
        if criterion is None:
            raise InvalidInput(_("Unknown criterion."))
        if raw in (None, ""):
            continue
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise InvalidInput(_("%(criterion)s: enter a number.") % {"criterion": criterion.name})
        if not (Decimal(0) <= value <= criterion.max_score):
            raise InvalidInput(_("%(criterion)s: the score must be between 0 and %(max)s.") % {
                "criterion": criterion.name, "max": criterion.max_score.normalize()})
        cleaned[criterion.pk] = value
    if submit:
        missing = [c.name for pk, c in criteria.items() if pk not in cleaned]
        if missing:
            raise InvalidInput(_("Score every criterion before submitting: %(list)s") % {"list": ", ".join(missing)})
        if not opinion.strip():
            raise InvalidInput(_("Write an opinion for the applicant before submitting."))
    with transaction.atomic():
        review.scores.exclude(criterion_id__in=cleaned.keys()).delete()
        for cid, value in cleaned.items():
            Score.objects.update_or_create(review=review, criterion_id=cid, defaults={"value": value})
        review.opinion = opinion
        review.panel_note = panel_note
        review.status = ReviewStatus.SUBMITTED if submit else ReviewStatus.DRAFT
        if submit:
            review.submitted_at = timezone.now()
        review.save()
        record_audit(
            action="review.submitted" if submit else "review.draft_saved", proposal=review.proposal, actor=expert,
            data={"review": review.pk, "scores": {str(k): str(v) for k, v in cleaned.items()}},
        )
    return review
