"""Template contexts for the review documents, built from the results contract
(`reviews.services.results`) and the stored rows. Pure functions of their inputs: the same
inputs give the same context, so the same PDF bytes and the same SHA-256.

- The anonymised review summary (per proposal, for the applicant) numbers the experts
  "Expert 1", "Expert 2", ... and carries only what the applicant may read: scores,
  recommendation and the opinion for the applicant. No name, type, institution,
  confidential note, veto author, calibration or other proposal ever enters its context.
- The panel score sheet (per call, for staff and the panel chair) names every expert.

Call these inside `translation.override(language)`: labels are translated when built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from core.i18n import localized
from core.numbers import plain as plain_number
from proposals.enums import RankingBasis
from reviews.enums import Confidence, ConflictSource, ExpertType, PanelOutcome, Recommendation
from reviews.services.results import CallResults, ProposalResult

DASH = "—"


def figure(value: Decimal | None) -> str:
    """A score with two decimals, or a dash when there is none."""
    return DASH if value is None else f"{value:.2f}"


def plain(value: Decimal | None) -> str:
    """A weight or maximum as entered: 60, 12.5."""
    return DASH if value is None else plain_number(value)


def offset(value: Decimal) -> str:
    return f"{value:+.2f}"


def label(choices, value: str) -> str:
    """The translated label of a stored key; a dash when empty, the key itself when unknown."""
    if not value:
        return DASH
    return str(choices(value).label) if value in choices.values else value


def pass_result(passed: bool | None) -> str:
    if passed is None:
        return DASH
    return _("Passed") if passed else _("Not passed")


def local_date(moment: datetime, time_zone: str) -> date:
    return timezone.localtime(moment, ZoneInfo(time_zone)).date()


def local_time(moment: datetime, time_zone: str) -> str:
    return timezone.localtime(moment, ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M")


def rubric_rows(criteria, language: str) -> list[dict]:
    return [
        {
            "name": localized(c, "name", language),
            "weight": plain(c.weight),
            "max_score": plain(c.max_score),
            "pass_mark": plain(c.pass_mark),
            "na_allowed": c.na_allowed,
        }
        for c in criteria
    ]


def score_cell(value: Decimal | None) -> str:
    """A criterion score; N/A is missing data and is printed as such, never as zero."""
    return _("N/A") if value is None else f"{value:.2f}"


# -- anonymised review summary -------------------------------------------------------------


def summary_reference(proposal) -> str:
    return f"{proposal.reference or f'P{proposal.pk}'}-REV"


def review_summary_context(*, proposal, result: ProposalResult, criteria, decision, language: str, issued_on: date,
                           issuer: str, verify_url: str) -> dict:
    """What the applicant reads: their own proposal's figures and anonymous reviews."""
    by_id = {c.pk: c for c in criteria}
    figures = {f.criterion_id: f for f in result.criteria}
    criterion_rows = []
    for c in criteria:
        f = figures.get(c.pk)
        criterion_rows.append({
            "name": localized(c, "name", language),
            "weight": plain(c.weight),
            "max_score": plain(c.max_score),
            "mean": figure(f.mean if f else None),
            "pass_mark": plain(c.pass_mark),
            "passes": f"{f.passes}/{f.answered}" if f and c.pass_mark is not None else DASH,
            "result": pass_result(f.passed if f else None),
        })
    experts = []
    for number, review in enumerate(result.reviews, start=1):
        experts.append({
            "number": number,
            "scores": [
                {"name": localized(by_id[cid], "name", language), "value": score_cell(value),
                 "max_score": plain(by_id[cid].max_score)}
                for cid, value in _ordered_scores(review.criterion_scores, criteria)
            ],
            "total": figure(review.weighted_total),
            "recommendation": label(Recommendation, review.recommendation),
            "opinion": review.opinion,  # the opinion for the applicant; never review.panel_note
        })
    return {
        "issuer": issuer,
        "document_reference": summary_reference(proposal),
        "issued_on": issued_on,
        "verify_url": verify_url,
        "reference": proposal.reference or "",
        "title": proposal.title,
        "call_title": localized(proposal.call, "title", language),
        "decision": _decision(decision),
        "review_count": len(result.reviews),
        "mean": figure(result.mean),
        "trimmed_mean": figure(result.trimmed_mean),
        "trimmed": result.trimmed,
        "median": figure(result.median),
        "criteria": criterion_rows,
        "has_pass_marks": any(c.pass_mark is not None for c in criteria),
        "all_criteria_passed": pass_result(result.all_criteria_passed),
        "veto": result.veto,
        # the reasons, never who gave them (not even as "Expert n")
        "veto_reasons": sorted({r.veto_reason for r in result.reviews if r.veto and r.veto_reason}),
        "experts": experts,
        # every expert's scores in one table (criteria × experts): one table instead of one per expert, the same
        # figures (a third of the layout work: the summary renders close to a letter's cost)
        "score_matrix": [
            {"name": row["name"], "max_score": row["max_score"],
             "values": [expert["scores"][index]["value"] for expert in experts]}
            for index, row in enumerate(criterion_rows)
        ] if experts else [],
    }


def _ordered_scores(scores: dict[int, Decimal | None], criteria) -> list[tuple[int, Decimal | None]]:
    return [(c.pk, scores.get(c.pk)) for c in criteria]


def _decision(decision) -> dict | None:
    if decision is None:
        return None
    return {
        "outcome": label(PanelOutcome, decision.outcome),
        "feedback": decision.feedback,
        "conditions": decision.conditions,
    }


# -- panel score sheet -----------------------------------------------------------------------


@dataclass(frozen=True)
class Recusal:
    expert_name: str
    expert_type: str  # ExpertType value or ""
    source: str  # ConflictSource value


def sheet_reference(call, language: str) -> str:
    return f"CALL{call.pk}-PANEL-{'ZH' if language.startswith('zh') else 'EN'}"


def panel_sheet_context(*, call, results: CallResults, criteria, recusals: dict[int, list[Recusal]],
                        language: str, as_of: datetime | None, issuer: str, verify_url: str) -> dict:
    """Every expert's scores with names, the aggregates, flags, ranking and the chair's rationale."""
    tz = call.time_zone
    names = {}
    proposals = []
    for result in results.proposals:
        rows = []
        for review in result.reviews:
            names.setdefault(review.expert_id, review.expert_name)
            rows.append({
                "expert": review.expert_name,
                "type": label(ExpertType, review.expert_type),
                "scores": [score_cell(value) for _cid, value in _ordered_scores(review.criterion_scores, criteria)],
                "total": figure(review.weighted_total),
                "calibrated": figure(review.calibrated_total),
                "recommendation": label(Recommendation, review.recommendation),
                "confidence": _confidence(review.confidence),
                "veto": review.veto,
            })
        figures = {f.criterion_id: f for f in result.criteria}
        proposals.append({
            "rank": result.rank if result.rank is not None else DASH,
            "computed_rank": result.computed_rank if result.computed_rank is not None else DASH,
            "reference": result.reference,
            "title": result.title,
            "reviews": rows,
            "recused": [
                {"expert": r.expert_name, "type": label(ExpertType, r.expert_type), "source": label(ConflictSource, r.source)}
                for r in recusals.get(result.proposal_id, [])
            ],
            "criterion_means": [figure(figures[c.pk].mean) if c.pk in figures else DASH for c in criteria],
            "criterion_results": [pass_result(figures[c.pk].passed) if c.pk in figures else DASH for c in criteria],
            "all_criteria_passed": pass_result(result.all_criteria_passed),
            "mean": figure(result.mean),
            "trimmed_mean": figure(result.trimmed_mean),
            "trimmed": result.trimmed,
            "median": figure(result.median),
            "calibrated": figure(result.calibrated),
            "expert_score": figure(result.expert_score),
            "roadshow": figure(result.roadshow),
            "final_score": figure(result.final_score),
            "spread": figure(result.spread),
            "group_means": [
                {"type": label(ExpertType, key), "mean": figure(value)} for key, value in sorted(result.group_means.items())
            ],
            "veto": result.veto,
            "vetoes": [{"expert": r.expert_name, "reason": r.veto_reason} for r in result.reviews if r.veto],
            "disagreement": result.disagreement,
            "disagreement_reasons": list(result.disagreement_reasons),
            "recommendation": _recommendation(result.chair_recommendation, tz),
        })
    return {
        "issuer": issuer,
        "document_reference": sheet_reference(call, language),
        "verify_url": verify_url,
        "call_title": localized(call, "title", language),
        "as_of": local_time(as_of, tz) if as_of else DASH,
        "time_zone": tz,
        "criteria": rubric_rows(criteria, language),
        "has_pass_marks": any(c.pass_mark is not None for c in criteria),
        "ranking_basis": label(RankingBasis, results.ranking_basis),
        "roadshow": call.roadshow_enabled,
        "roadshow_weight": plain(call.roadshow_weight),
        "methods": [{"name": name, "version": version} for name, version in sorted(results.methods.items())],
        "calibration_method": results.methods.get("calibration", DASH),
        "tie_break_rules": list(results.tie_break_rules),
        "offsets": [
            {"expert": names.get(expert_id, str(expert_id)), "offset": offset(value)}
            for expert_id, value in sorted(results.expert_offsets.items(), key=lambda item: (names.get(item[0], ""), item[0]))
        ],
        "proposals": proposals,
    }


def _confidence(value: str) -> str:
    """The level only; the form's labels explain it at length."""
    short = {Confidence.HIGH: _("High"), Confidence.MEDIUM: _("Medium"), Confidence.LOW: _("Low")}
    return short.get(value, DASH) if value else DASH


def _recommendation(recommendation, tz: str) -> dict | None:
    """The chair's latest recommendation (results.ChairRecommendation) and its rationale."""
    if recommendation is None:
        return None
    return {
        "outcome": label(PanelOutcome, recommendation.recommendation),
        "rationale": recommendation.rationale,
        "conditions": recommendation.conditions,
        "chair": recommendation.chair_name,
        "recorded_at": local_time(recommendation.created_at, tz) if recommendation.created_at else DASH,
    }
