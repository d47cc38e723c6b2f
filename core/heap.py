"""The web worker's heap after start-up (gunicorn.conf.py's post_worker_init; `make bench` does the same).

Everything loaded so far is collected once and frozen out of the garbage collector's sight (gc.freeze), so
no collection walks Django's and the libraries' objects again. Then the young generation is made large
(`WEB_GC_THRESHOLDS`, default 50000,20,20 instead of CPython's 700,10,10): a page that builds a
thousand-row table allocates tens of thousands of containers, and at CPython's defaults that set off a
full collection every few such requests (measured: 6 in 20 requests for the panel's full ranked table,
about 10 ms each); with these a request's own objects are collected young and a full collection lands in
a request only after millions of allocations. Memory held between collections grows by a few megabytes.
"""

import gc
import os

DEFAULT_THRESHOLDS = (50_000, 20, 20)


def thresholds() -> tuple[int, int, int]:
    raw = os.environ.get("WEB_GC_THRESHOLDS", "")
    try:
        values = tuple(int(x) for x in raw.split(",")) if raw.strip() else DEFAULT_THRESHOLDS
    except ValueError:
        return DEFAULT_THRESHOLDS
    return values if len(values) == 3 and all(v > 0 for v in values) else DEFAULT_THRESHOLDS


def settle() -> None:
    """Collect, freeze what start-up loaded, and set the collector's thresholds for serving requests."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds())
