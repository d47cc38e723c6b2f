"""gunicorn's configuration for pocflow (read automatically from the project folder).

Every value can be overridden from the environment, so the systemd unit and `make prod` share it."""

import multiprocessing
import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Threaded workers, cores + 1 of them with 2 threads each: a slow request (a PDF download, an export)
# no longer holds up everyone queued behind it, and the cores are not oversubscribed. Measured with
# `make loadtest` (50 users, 60 s, 2 cores): users' p95 450 ms with 3 x 2, 630 ms with 5 x 4 threads
# (2 x cores + 1), 780 ms with gunicorn's default 3 sync workers; 0 errors in each. Password checks run at
# a lower CPU priority (core/passwords.py). In a burst of more simultaneous sign-ins than threads, pages
# wait for a free thread: WEB_THREADS=8 kept a signed-in expert's pages at p95 178 ms during a burst of
# 40 sign-ins (5.3 s with 4 threads), but raised the server's own p95 for the panel page from about
# 190 ms to 470 ms under steady load (more threads per process contend for the GIL).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "2"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))  # a request longer than this is killed and logged
graceful_timeout = 30
keepalive = 5
# recycle workers now and then, so a slow leak in a library never grows without bound
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
errorlog = "-"
# remote address, request line, status, bytes, duration in microseconds, the request id
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus rid=%({x-request-id}o)s'
proc_name = "pocflow-web"


def post_worker_init(worker):
    """After the application is loaded in a worker: render a tiny document so no visitor pays WeasyPrint's
    cold start (WEB_WARM=0 skips it), then move everything loaded so far out of the garbage collector's
    sight (gc.freeze) and enlarge the young generation, so a request rarely sets off a full collection and
    one never walks Django's and the libraries' objects (core.heap.settle, WEB_GC_THRESHOLDS)."""
    if os.environ.get("WEB_WARM", "1") != "0":
        from decisions.pdf import warm  # noqa: PLC0415 — the application is loaded by now

        warm()
    from core.heap import settle  # noqa: PLC0415 — the application is loaded by now

    settle()


def child_exit(server, worker):
    """Prometheus multiprocess mode (PROMETHEUS_MULTIPROC_DIR set): forget a dead worker's live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # noqa: PLC0415 — only in multiprocess mode

        multiprocess.mark_process_dead(worker.pid)
