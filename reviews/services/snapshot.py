"""The stored panel snapshot: a call's results computed once per change, read by every panel page.

    refresh_panel_snapshot(*, call) -> CallResults     # in the caller's transaction, under the snapshot's row lock
    refresh_panel_snapshots(*, call_ids)               # the same for several calls (one batch of changes)
    owe_panel_snapshot(*, call)                        # no snapshot yet (data from before it existed): the outbox builds it

A change that can move the results refreshes the snapshot in its own transaction, so the figures
commit (or roll back) with the change: a review submitted, reopened or replaced
(`reviews.services.states.transition_review`), a conflict recorded (`reviews.services.conflicts`,
`assignment`), a roadshow sheet submitted or a roadshow criterion or slot changed
(`reviews.services.roadshow`), the chair's reordering and recommendation (`reviews.services.panel`), a
proposal entering or leaving the results' states (the receiver on `proposal_transitioned`) and the call's
settings or rubric saved (`reviews.services.calls`).

Concurrency: the refresh locks the snapshot row first and reads the inputs after, so two changes of the
same call refresh one after the other and the second reads what the first committed (PostgreSQL's read
committed takes a new view per statement). The snapshot's `fingerprint` is the SHA-256 of the inputs; an
unchanged fingerprint leaves the rows alone.

What is stored is language-neutral: figures, ids and keys. Criterion names, recommendation labels,
disagreement reasons and the tie-break rules are put into words when read (`reviews.selectors.snapshot`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import outbox
from proposals.models import Call
from reviews.enums import ReviewStatus
from reviews.models import PanelRow, PanelSnapshot, Review, RoadshowSheet
from reviews.selectors import snapshot as snapshots
from reviews.services.results import CallResults, ProposalResult, compute_results, load_call_inputs

OUTBOX_KIND = "reviews.panel_snapshot"


# -- language-neutral JSON ----------------------------------------------------------------------------

def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _s(value):
    return None if value is None else str(value)


def detail_of(result: ProposalResult) -> dict:
    """Everything of one proposal's result but the words (reasons, labels, criterion names)."""
    data = dataclasses.asdict(result)
    data.pop("disagreement_reasons")
    data.pop("status")
    for criterion in data["criteria"]:
        criterion.pop("name")
    if data["chair_recommendation"] is not None:
        data["chair_recommendation"].pop("label")
    return _plain(data)


def summary_of(result: ProposalResult, criteria) -> dict:
    """What the ranked table shows, as strings ready to print (the table localises no number)."""
    by_id = {c.criterion_id: c for c in result.criteria}
    verdicts = []
    for c in criteria:
        figure = by_id.get(c.criterion_id)
        if c.pass_mark is None or figure is None:
            verdicts.append(None)
        else:
            verdicts.append([figure.passed, figure.passes, figure.answered])
    summary = {
        "mean": _s(result.mean), "calibrated": _s(result.calibrated), "trimmed_mean": _s(result.trimmed_mean),
        "median": _s(result.median), "roadshow": _s(result.roadshow), "final_score": _s(result.final_score),
        "verdicts": verdicts,
        "recommendation": result.chair_recommendation.recommendation if result.chair_recommendation else "",
    }
    if result.disagreement:
        summary["group_means"] = _plain(result.group_means)
    return summary


def header_of(results: CallResults, settings) -> dict:
    return _plain({
        "methods": results.methods, "ranking_basis": results.ranking_basis, "expert_offsets": results.expert_offsets,
        "criteria": [[c.criterion_id, c.weight, c.max_score, c.pass_mark] for c in results.criteria],
        "roadshow_enabled": results.roadshow_enabled, "roadshow_weight": results.roadshow_weight,
        "adjusted": results.adjusted, "order": results.order,
        "disagreement_threshold": settings.disagreement_threshold,
        "group_divergence_threshold": settings.group_divergence_threshold,
        "required_reviews": settings.required_reviews,
        "complete": sum(1 for r in results.proposals if r.complete),
    })


def fingerprint(inputs: dict) -> str:
    """SHA-256 of the inputs, without the words that depend on the language they were read in."""
    neutral = dict(inputs)
    neutral["criteria"] = [c._replace(name="") for c in inputs["criteria"]]
    neutral["chair_recommendations"] = sorted(
        (pid, dataclasses.replace(rec, label="")) for pid, rec in inputs["chair_recommendations"].items())
    return hashlib.sha256(repr(sorted(neutral.items())).encode()).hexdigest()


# -- refreshing ----------------------------------------------------------------------------------------

def _locked_snapshot(call_id: int) -> PanelSnapshot:
    try:
        with transaction.atomic():
            PanelSnapshot.objects.get_or_create(call_id=call_id)
    except IntegrityError:  # created by a concurrent refresh in the meantime
        pass
    return PanelSnapshot.objects.select_for_update().get(call_id=call_id)


def refresh_panel_snapshot(*, call) -> CallResults:
    """Recompute the call's results and store them, in the caller's transaction; returns the results."""
    with transaction.atomic():
        snapshot = _locked_snapshot(call.pk)
        call = Call.objects.get(pk=call.pk)  # read after the lock: the settings as committed
        inputs = load_call_inputs(call)
        results = compute_results(**inputs)
        digest = fingerprint(inputs)
        if digest == snapshot.fingerprint and snapshot.computed_at is not None:
            return results
        PanelRow.objects.filter(call_id=call.pk).delete()
        PanelRow.objects.bulk_create([
            PanelRow(
                call_id=call.pk, proposal_id=r.proposal_id, rank=r.rank, computed_rank=r.computed_rank,
                complete=r.complete, reference=r.reference[:40], title=r.title[:300], review_count=r.review_count,
                mean=r.mean, calibrated=r.calibrated, trimmed_mean=r.trimmed_mean, median=r.median,
                roadshow=r.roadshow, final_score=r.final_score, spread=r.spread, veto=r.veto,
                disagreement=r.disagreement, moved=r.moved, summary=summary_of(r, results.criteria),
                detail=detail_of(r),
            )
            for r in results.proposals
        ], batch_size=500)
        snapshot.header = header_of(results, inputs["settings"])
        snapshot.fingerprint = digest
        snapshot.version += 1
        snapshot.computed_at = timezone.now()
        snapshot.save(update_fields=["header", "fingerprint", "version", "computed_at"])
    return results


def refresh_panel_snapshots(*, call_ids) -> None:
    """Refresh several calls in a fixed order (so two batches never wait on each other's locks)."""
    for call in Call.objects.filter(pk__in=set(call_ids)).order_by("pk"):
        refresh_panel_snapshot(call=call)


def owe_panel_snapshot(*, call) -> None:
    """A call without a snapshot (its reviews predate it): the outbox builds it once, after commit."""
    outbox.owe(kind=OUTBOX_KIND, key=f"panel-snapshot:{call.pk}", payload={"call": call.pk},
               subject=f"call:{call.pk}")


def deliver_panel_snapshot(delivery) -> None:
    """The outbox handler: build the call's snapshot (idempotent: an unchanged fingerprint writes nothing)."""
    call = Call.objects.filter(pk=delivery.payload.get("call")).first()
    if call is not None:
        refresh_panel_snapshot(call=call)


def counted_work_of(*, proposal_id: int, expert_id: int | None = None) -> bool:
    """Whether the proposal has a submitted review or roadshow sheet (by this expert, when given)."""
    reviews = Review.objects.filter(proposal_id=proposal_id, status=ReviewStatus.SUBMITTED)
    sheets = RoadshowSheet.objects.filter(slot__proposal_id=proposal_id, submitted_at__isnull=False)
    if expert_id is not None:
        reviews, sheets = reviews.filter(expert_id=expert_id), sheets.filter(judge_id=expert_id)
    return reviews.exists() or sheets.exists()


def refresh_existing_snapshot(*, call) -> None:
    """Refresh the call's snapshot when it has one (a call never shown needs none yet)."""
    if PanelSnapshot.objects.filter(call_id=call.pk).exists():
        refresh_panel_snapshot(call=call)


def locked_order(*, call) -> tuple[list[int], int]:
    """The call's ranked order as stored and how many of its first proposals are complete, read under the
    snapshot's lock (computed first when missing)."""
    snapshot = _locked_snapshot(call.pk)
    if snapshot.computed_at is None:
        refresh_panel_snapshot(call=call)
        snapshot.refresh_from_db()
    return list(snapshot.header["order"]), snapshot.header["complete"]


def stored_proposal_result(*, proposal):
    """One proposal's figures from the stored snapshot, for a page (a GET computes nothing): None while the
    call's snapshot does not exist yet, which is then owed to the outbox."""
    result = snapshots.proposal_result(proposal)
    if result is None:
        owe_panel_snapshot(call=proposal.call)
        result = snapshots.proposal_result(proposal)  # built already when the outbox runs inline (no broker)
    return result
