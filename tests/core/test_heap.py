"""The web worker's heap settling (core.heap): thresholds from the environment, safe defaults."""

import gc

import pytest

from core import heap


@pytest.mark.parametrize(("raw", "expected"), [
    ("", heap.DEFAULT_THRESHOLDS), ("20000,15,15", (20000, 15, 15)), ("x,1,2", heap.DEFAULT_THRESHOLDS),
    ("100,10", heap.DEFAULT_THRESHOLDS), ("0,10,10", heap.DEFAULT_THRESHOLDS),
])
def test_the_thresholds_come_from_the_environment_or_the_defaults(monkeypatch, raw, expected):
    monkeypatch.setenv("WEB_GC_THRESHOLDS", raw)
    assert heap.thresholds() == expected


def test_settling_freezes_what_is_loaded_and_sets_the_thresholds(monkeypatch):
    monkeypatch.setenv("WEB_GC_THRESHOLDS", "30000,12,14")
    before = gc.get_threshold()
    try:
        heap.settle()
        assert (gc.get_threshold(), gc.get_freeze_count() > 0) == ((30000, 12, 14), True)
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
