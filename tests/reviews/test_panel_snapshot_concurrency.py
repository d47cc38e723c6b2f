"""Two changes of one call committing at the same moment: the stored snapshot ends up with both (PostgreSQL)."""

import threading

import pytest
from django.db import transaction

from reviews.models import PanelRecommendation, PanelRow, PanelSnapshot, RankingAdjustment
from reviews.selectors.snapshot import stored_results, without_status
from reviews.services.results import call_results
from reviews.services.snapshot import refresh_panel_snapshot
from tests.concurrency import POSTGRES_ONLY, race
from tests.reviews.results_support import PanelWorld

pytestmark = POSTGRES_ONLY


@pytest.mark.parametrize("snapshot_exists", [True, False])
def test_two_changes_refreshing_at_once_leave_a_snapshot_with_both(snapshot_exists):
    world = PanelWorld(criteria=((60, 10, 6, False), (40, 5, 3, True)), expert_types=("academic",) * 3)
    high = world.reviewed([(8, 4), (9, 5), (9, "na")])
    low = world.reviewed([(2, 1), (3, 1), (2, "na")])
    if not snapshot_exists:
        PanelRow.objects.all().delete()
        PanelSnapshot.objects.all().delete()
    both_written = threading.Barrier(2)

    def reorder():
        with transaction.atomic():
            RankingAdjustment.objects.create(call=world.call, proposal=low, from_position=2, to_position=1,
                                             reason="路演", order=[low.pk, high.pk], actor=world.chair)
            both_written.wait(10)  # neither change is committed yet when both refresh
            refresh_panel_snapshot(call=world.call)

    def recommend():
        with transaction.atomic():
            PanelRecommendation.objects.create(proposal=high, chair=world.chair, recommendation="approve",
                                               rationale="同意")
            both_written.wait(10)
            refresh_panel_snapshot(call=world.call)

    assert [outcome for outcome, _value in race([reorder, recommend])] == ["ok", "ok"]
    stored = stored_results(world.call)
    assert stored == without_status(call_results(world.call))
    assert [(r.proposal_id, r.chair_recommendation is not None) for r in stored.proposals] == [
        (low.pk, False), (high.pk, True)]
