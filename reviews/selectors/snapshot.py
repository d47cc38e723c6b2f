"""Reads of the stored panel snapshot (reviews.services.snapshot): the ranked table and one proposal's
figures, put into the reader's language. Nothing here computes results; a constant number of queries."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Q
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from reviews.enums import PanelOutcome
from reviews.models import Criterion, PanelRow, PanelSnapshot
from reviews.services.results import (
    CallResults,
    ChairRecommendation,
    CriterionFigures,
    CriterionRow,
    ProposalResult,
    ReviewFigures,
    disagreement_reasons,
    empty_result,
    tie_break_rules,
)

# the ranked table's sortable columns: GET value -> model field (the title sorts by reference too)
SORTS = ("rank", "reference", "title", "review_count", "mean", "calibrated", "trimmed_mean", "median", "roadshow",
         "final_score", "spread")
FLAGS = ("veto", "disagreement", "moved")


def _d(value):
    return None if value is None else Decimal(value)


def _t(value):
    return None if value is None else dt.datetime.fromisoformat(value)


def snapshot_of(call) -> PanelSnapshot | None:
    return PanelSnapshot.objects.filter(call_id=call.pk, computed_at__isnull=False).first()


def criterion_names(call) -> dict[int, str]:
    return {c.pk: c.name for c in Criterion.objects.filter(call_id=call.pk).only("pk", "name_zh", "name_en")}


def header_criteria(snapshot: PanelSnapshot, names: dict[int, str]) -> list[CriterionRow]:
    return [CriterionRow(cid, names.get(cid, ""), _d(w), _d(m), _d(p)) for cid, w, m, p in snapshot.header["criteria"]]


def _reasons(snapshot: PanelSnapshot, spread, group_means) -> list[str]:
    header = snapshot.header
    return disagreement_reasons(
        spread=spread, group_means={k: _d(v) for k, v in (group_means or {}).items()},
        disagreement_threshold=_d(header["disagreement_threshold"]),
        group_divergence_threshold=_d(header["group_divergence_threshold"]))


def _label(outcome: str) -> str:
    return str(PanelOutcome(outcome).label) if outcome in PanelOutcome.values else outcome


def _filters(query: str, flag: str) -> Q:
    q = Q()
    if query:
        q &= Q(reference__icontains=query) | Q(title__icontains=query)
    if flag in FLAGS:
        q &= Q(**{flag: True})
    return q


def _verdict_html(verdict, labels) -> str:
    """A criterion's verdict cell content: a pass or fail mark with "passes/answered", N/A, or a dash."""
    if verdict is None:
        return "—"
    if verdict[0] is None:
        return labels["na"]
    key = "pass" if verdict[0] else "fail"
    return format_html('<span class="verdict {}">{}</span> {}/{}', key, labels[key], verdict[1], verdict[2])


def table_rows(snapshot: PanelSnapshot, *, complete: bool, hidden_ids=(), sort="rank", descending=False, query="",
               flag="", limit=None, roadshow=False, href="%d") -> list[dict]:
    """The ranked table's rows as dicts, complete or incomplete proposals, sorted and filtered in the
    database; `limit` rows at most. Every cell arrives as text ready to print (the table localises no
    number and asks little per cell): `figures` are the score columns' cells in the table's order,
    `verdicts` the criteria's cell contents; `href` is the proposal page's URL with %d for its id."""
    qs = (PanelRow.objects.filter(call_id=snapshot.call_id, complete=complete)
          .exclude(proposal_id__in=list(hidden_ids)).filter(_filters(query, flag)))
    column = F(sort if sort in SORTS else "rank")
    ordering = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    rows = qs.order_by(ordering, "rank").values_list(
        "proposal_id", "rank", "computed_rank", "reference", "title", "review_count", "veto", "disagreement",
        "moved", "spread", "summary")
    if limit is not None:
        rows = rows[:limit]
    labels = {"na": _("N/A"), "pass": _("Pass"), "fail": _("Fail")}
    keys = ("mean", "calibrated", "trimmed_mean", "median", *(("roadshow",) if roadshow else ()))
    verdicts: dict = {}  # a table has few distinct verdicts: each cell's HTML is built once
    out = []
    for pid, rank, computed_rank, reference, title, count, veto, disagreement, moved, spread, s in rows:
        cells = []
        for v in s["verdicts"]:
            key = None if v is None else tuple(v)
            if key not in verdicts:
                verdicts[key] = _verdict_html(v, labels)
            cells.append(verdicts[key])
        out.append({
            "proposal_id": str(pid), "href": href % pid, "rank": str(rank), "computed_rank": str(computed_rank),
            "reference": reference, "title": title, "veto": veto, "moved": moved,
            "final_score": s["final_score"] or "—",
            # the score columns as cells: printed as they are (digits, a dot, a dash)
            "figures": format_html_join("", '<td class="num">{}</td>', ((s[k] or "—",) for k in keys)),
            "review_count": str(count),
            "verdicts": cells,
            "disagreement_reasons": _reasons(snapshot, spread, s.get("group_means")) if disagreement else (),
            "recommendation": _label(s["recommendation"]) if s.get("recommendation") else "—",
        })
    return out


def count_rows(snapshot: PanelSnapshot, *, hidden_ids=(), query="", flag="") -> dict[str, int]:
    """Proposals in the snapshot: `complete` and `incomplete` ones shown (with the filters), `hidden` ones (a
    conflict of interest), `ranked` (every one)."""
    hidden = Q(proposal_id__in=list(hidden_ids))
    shown = ~hidden & _filters(query, flag)
    counts = PanelRow.objects.filter(call_id=snapshot.call_id).aggregate(
        n_complete=Count("pk", filter=shown & Q(complete=True)),
        n_incomplete=Count("pk", filter=shown & Q(complete=False)), n_hidden=Count("pk", filter=hidden),
        n_ranked=Count("pk"))
    return {key[2:]: value for key, value in counts.items()}


def _result(snapshot: PanelSnapshot, detail: dict, names: dict[int, str], status: str = "") -> ProposalResult:
    data = dict(detail)
    data["reviews"] = [
        ReviewFigures(**{
            **rv, "weighted_total": _d(rv["weighted_total"]), "calibrated_total": _d(rv["calibrated_total"]),
            "offset": _d(rv["offset"]), "submitted_at": _t(rv["submitted_at"]),
            "criterion_scores": {int(k): _d(v) for k, v in rv["criterion_scores"].items()},
        })
        for rv in detail["reviews"]
    ]
    data["criteria"] = [
        CriterionFigures(**{**cf, "name": names.get(cf["criterion_id"], ""), "mean": _d(cf["mean"]),
                            "pass_mark": _d(cf["pass_mark"]), "max_score": _d(cf["max_score"]),
                            "weight": _d(cf["weight"])})
        for cf in detail["criteria"]
    ]
    for key in ("mean", "trimmed_mean", "median", "calibrated", "spread", "roadshow", "expert_score", "final_score"):
        data[key] = _d(detail[key])
    data["group_means"] = {k: _d(v) for k, v in detail["group_means"].items()}
    data["submitted_at"] = _t(detail["submitted_at"])
    rec = detail["chair_recommendation"]
    data["chair_recommendation"] = None if rec is None else ChairRecommendation(
        **{**rec, "label": _label(rec["recommendation"]), "created_at": _t(rec["created_at"])})
    data["disagreement_reasons"] = _reasons(snapshot, data["spread"], detail["group_means"]) if detail["disagreement"] else []
    data["status"] = status
    return ProposalResult(**data)


def proposal_result(proposal) -> ProposalResult | None:
    """One proposal's figures from its call's snapshot; None when the call has no snapshot yet, an empty
    result when the proposal has no finished review."""
    snapshot = snapshot_of(proposal.call)
    if snapshot is None:
        return None
    detail = PanelRow.objects.filter(call_id=proposal.call_id, proposal_id=proposal.pk).values_list(
        "detail", flat=True).first()
    if detail is None:
        return empty_result(proposal)
    return _result(snapshot, detail, criterion_names(proposal.call), status=proposal.status)


def stored_results(call) -> CallResults | None:
    """The whole stored CallResults (as `reviews.services.results.call_results` computes it, statuses left
    blank); None without a snapshot."""
    snapshot = snapshot_of(call)
    if snapshot is None:
        return None
    names = criterion_names(call)
    header = snapshot.header
    details = PanelRow.objects.filter(call_id=call.pk).order_by("rank").values_list("detail", flat=True)
    return CallResults(
        call_id=call.pk, methods=dict(header["methods"]), ranking_basis=header["ranking_basis"],
        expert_offsets={int(k): _d(v) for k, v in header["expert_offsets"].items()},
        proposals=[_result(snapshot, d, names) for d in details], tie_break_rules=tie_break_rules(),
        criteria=header_criteria(snapshot, names), roadshow_enabled=header["roadshow_enabled"],
        roadshow_weight=_d(header["roadshow_weight"]), adjusted=header["adjusted"], order=list(header["order"]),
    )


def without_status(results: CallResults) -> CallResults:
    """`results` with every proposal's status blanked (the snapshot does not keep statuses)."""
    return dataclasses.replace(results, proposals=[dataclasses.replace(r, status="") for r in results.proposals])
