"""Saving an expert's review: scores per criterion (or N/A), opinions, recommendation,
confidence and the veto (一票否决). Drafts may be partial; submitting makes the review final."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import IllegalTransition, InvalidInput, NotPermitted
from core.numbers import plain
from proposals.services.audit import record_audit
from reviews.enums import OPEN_REVIEW_STATES, Confidence, Recommendation, ReviewTransition
from reviews.models import Score
from reviews.selectors.conflicts import is_conflicted
from reviews.services.states import transition_review

NA = "na"  # the value that marks a criterion as not applicable (missing data, never zero)




def _clean_value(criterion, raw):
    """None when left empty, NA for N/A, else a Decimal within 0..max with at most two decimals."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, str) and raw.strip().lower() == NA:
        if not criterion.na_allowed:
            raise InvalidInput(_("%(criterion)s: N/A is not allowed for this criterion; enter a score.") % {
                "criterion": criterion.name})
        return NA
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise InvalidInput(_("%(criterion)s: enter a number.") % {"criterion": criterion.name}) from None
    if not value.is_finite() or not (Decimal(0) <= value <= criterion.max_score):
        raise InvalidInput(_("%(criterion)s: the score must be between 0 and %(max)s.") % {
            "criterion": criterion.name, "max": plain(criterion.max_score)})
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInput(_("%(criterion)s: use at most two decimals.") % {"criterion": criterion.name})
    return value


def check_review_submission(*, review, expert, scores: dict, opinion: str, panel_note: str = "",
                            recommendation: str = "", confidence: str = "", veto: bool = False, veto_reason: str = ""):
    """Everything `save_review(submit=True)` would refuse, raised the same way, and nothing written: the
    scoring page's "check and submit" step asks this before it shows the expert what will be sent."""
    _validated(review=review, expert=expert, scores=scores, opinion=opinion, panel_note=panel_note,
               recommendation=recommendation, confidence=confidence, veto=veto, veto_reason=veto_reason, submit=True)


def save_review(*, review, expert, scores: dict, opinion: str, panel_note: str = "", recommendation: str = "",
                confidence: str = "", veto: bool = False, veto_reason: str = "", submit: bool):
    """Save scores (criterion id → value, or "na" for N/A) and the rest of the review.

    Drafts may be partial. Submitting needs every criterion scored or N/A, the opinion for the
    applicant, a recommendation and a confidence level; a veto needs the call to allow it and a
    reason. Everything is validated before anything is written, and the writes are atomic.
    """
    cleaned, opinion, panel_note, recommendation, confidence, veto_reason = _validated(
        review=review, expert=expert, scores=scores, opinion=opinion, panel_note=panel_note,
        recommendation=recommendation, confidence=confidence, veto=veto, veto_reason=veto_reason, submit=submit)
    return _write(review=review, expert=expert, cleaned=cleaned, opinion=opinion, panel_note=panel_note,
                  recommendation=recommendation, confidence=confidence, veto=veto, veto_reason=veto_reason,
                  submit=submit)


def _validated(*, review, expert, scores, opinion, panel_note, recommendation, confidence, veto, veto_reason, submit):
    if review.expert_id != expert.pk:
        raise NotPermitted()
    if is_conflicted(user=expert, proposal=review.proposal):
        raise NotPermitted(_("You have a conflict of interest with this proposal."))
    if review.status not in OPEN_REVIEW_STATES:
        raise IllegalTransition(_("This review has already been submitted or closed."))
    call = review.proposal.call
    criteria = {c.pk: c for c in call.criteria.all()}
    cleaned = {}
    for cid, raw in scores.items():
        try:
            criterion = criteria.get(int(cid))
        except (TypeError, ValueError):
            criterion = None
        if criterion is None:
            raise InvalidInput(_("Unknown criterion."))
        value = _clean_value(criterion, raw)
        if value is not None:
            cleaned[criterion.pk] = value
    opinion = (opinion or "").strip()
    panel_note = (panel_note or "").strip()
    recommendation = recommendation or ""
    confidence = confidence or ""
    veto_reason = (veto_reason or "").strip() if veto else ""
    if recommendation and recommendation not in Recommendation.values:
        raise InvalidInput(_("Choose one of the offered recommendations."))
    if confidence and confidence not in Confidence.values:
        raise InvalidInput(_("Choose one of the offered confidence levels."))
    if veto and not call.veto_enabled:
        raise InvalidInput(_("This call does not allow a veto."))
    if submit:
        problems = []
        missing = [c.name for pk, c in criteria.items() if pk not in cleaned]
        if missing:
            problems.append(_("Score every criterion (or mark it N/A where allowed) before submitting: %(list)s.") % {
                "list": ", ".join(missing)})
        if not opinion:
            problems.append(_("Write an opinion for the applicant before submitting."))
        if not recommendation:
            problems.append(_("Choose an overall recommendation before submitting."))
        if not confidence:
            problems.append(_("Choose your confidence level before submitting."))
        if veto and not veto_reason:
            problems.append(_("Give the reason for the veto."))
        if problems:
            raise InvalidInput(" ".join(problems))
    return cleaned, opinion, panel_note, recommendation, confidence, veto_reason


def _write(*, review, expert, cleaned, opinion, panel_note, recommendation, confidence, veto, veto_reason, submit):
    with transaction.atomic():
        review.scores.exclude(criterion_id__in=cleaned.keys()).delete()
        for cid, value in cleaned.items():
            na = value == NA
            Score.objects.update_or_create(review=review, criterion_id=cid, defaults={
                "value": None if na else value, "not_applicable": na})
        review.opinion = opinion
        review.panel_note = panel_note
        review.recommendation = recommendation
        review.confidence = confidence
        review.veto = bool(veto)
        review.veto_reason = veto_reason
        transition_review(
            review=review, transition=ReviewTransition.SUBMIT if submit else ReviewTransition.SAVE_DRAFT, actor=expert,
            illegal=_("This review has already been submitted or closed."),
            update_fields=["opinion", "panel_note", "recommendation", "confidence", "veto", "veto_reason"],
            data={"review": review.pk, "scores": {str(k): str(v) for k, v in cleaned.items()},
                  "recommendation": recommendation, "confidence": confidence, "veto": bool(veto)},
        )
        if submit and veto:
            record_audit(action="review.veto", proposal=review.proposal, actor=expert, note=veto_reason,
                         data={"review": review.pk})
    return review
