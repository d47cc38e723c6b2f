"""Rubric levels: the anchored A–D bands of each criterion (A is the top band)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput, NotPermitted
from core.numbers import plain
from proposals.services.audit import record_audit
from reviews.enums import Band
from reviews.models import CriterionBand

LETTERS = [Band.A, Band.B, Band.C, Band.D]  # top band first
# "Fill evenly" defaults as fractions of the criterion's maximum: (from, to, Chinese, English)
EVEN_BANDS = {
    Band.A: (Decimal("0.85"), Decimal("1"), "优秀", "Excellent"),
    Band.B: (Decimal("0.70"), Decimal("0.85"), "良好", "Good"),
    Band.C: (Decimal("0.60"), Decimal("0.70"), "合格", "Adequate"),
    Band.D: (Decimal("0"), Decimal("0.60"), "不足", "Insufficient"),
}
FIELDS = ("min_score", "max_score", "description_zh", "description_en")


def _q(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _require_manager(actor):
    if not actor.has_perm("proposals.manage_calls"):
        raise NotPermitted()


def even_bands(criterion) -> dict:
    """The default bands of a criterion: A 85–100 %, B 70–85 %, C 60–70 %, D 0–60 % of its maximum."""
    out = {}
    for letter, (low, high, zh, en) in EVEN_BANDS.items():
        out[letter] = {
            "min_score": (criterion.max_score * low).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            "max_score": (criterion.max_score * high).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            "description_zh": zh, "description_en": en,
        }
    return out


def band_problems(*, criterion, bands: dict) -> list[str]:
    """Translated problems with a criterion's bands (letter → from, to, descriptions); [] when fine.

    All four bands or none; each within 0..max with from ≤ to and a Chinese description; bands
    may touch but not overlap, and A lies above B above C above D.
    """
    name = criterion.name
    given = {letter: bands.get(letter) for letter in LETTERS if bands.get(letter)}
    if not given:
        return []
    if len(given) != len(LETTERS):
        return [_("%(criterion)s: fill in all four bands A–D, or leave them all empty.") % {"criterion": name}]
    problems = []
    values = {}
    for letter in LETTERS:
        band = given[letter]
        try:
            low, high = Decimal(str(band["min_score"])), Decimal(str(band["max_score"]))
        except (InvalidOperation, KeyError, TypeError):
            problems.append(_("%(criterion)s, band %(band)s: enter both ends of the range.") % {
                "criterion": name, "band": letter})
            continue
        if not (0 <= low <= criterion.max_score and 0 <= high <= criterion.max_score):
            problems.append(_("%(criterion)s, band %(band)s: the range must lie within 0 and %(max)s.") % {
                "criterion": name, "band": letter, "max": plain(criterion.max_score)})
        if low > high:
            problems.append(_("%(criterion)s, band %(band)s: “from” must not be above “to”.") % {
                "criterion": name, "band": letter})
        if not (band.get("description_zh") or "").strip():
            problems.append(_("%(criterion)s, band %(band)s: describe the level in Chinese.") % {
                "criterion": name, "band": letter})
        values[letter] = (low, high)
    if len(values) == len(LETTERS):
        for upper, lower in zip(LETTERS, LETTERS[1:]):
            if values[upper][0] < values[lower][1] or values[upper][0] <= values[lower][0]:
                problems.append(_("%(criterion)s: band %(upper)s must lie above band %(lower)s without overlapping it.") % {
                    "criterion": name, "upper": upper, "lower": lower})
    return problems


def save_rubric_bands(*, call, bands: dict, actor) -> dict:
    """Replace the bands of the call's criteria, all or nothing, audited once.

    `bands` maps criterion id → {letter: {min_score, max_score, description_zh, description_en}}
    (all four letters, or an empty dict to clear the criterion's bands). Criteria not named keep theirs.
    """
    _require_manager(actor)
    criteria = {c.pk: c for c in call.criteria.all()}
    unknown = [cid for cid in bands if int(cid) not in criteria]
    if unknown:
        raise InvalidInput(_("Unknown criterion."))
    problems = []
    for cid, given in bands.items():
        problems += band_problems(criterion=criteria[int(cid)], bands=given)
    if problems:
        raise InvalidInput(" ".join(problems))
    saved = {}
    with transaction.atomic():
        for cid, given in bands.items():
            criterion = criteria[int(cid)]
            criterion.bands.all().delete()
            saved[criterion.pk] = [
                CriterionBand.objects.create(
                    criterion=criterion, band=letter, min_score=_q(given[letter]["min_score"]),
                    max_score=_q(given[letter]["max_score"]),
                    description_zh=given[letter]["description_zh"].strip(),
                    description_en=(given[letter].get("description_en") or "").strip(),
                )
                for letter in LETTERS if given.get(letter)
            ]
        record_audit(action="rubric.bands_saved", actor=actor, data={
            "call": call.pk,
            "criteria": {str(cid): {b.band: [str(b.min_score), str(b.max_score)] for b in rows} for cid, rows in saved.items()},
        })
    return saved
