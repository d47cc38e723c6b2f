"""Prometheus metrics (prometheus-client) at /metrics.

Process metrics are counted where they happen: requests and their latency and query count per view
(`MetricsMiddleware`), Celery task outcomes (signals), documents rendered and their render time
(`decisions.pdf`). Figures read from the database — proposals per status, owed deliveries pending and
given up — are collected at scrape time by collectors that apps register (`SCRAPE_COLLECTORS`); core
imports no app. Under gunicorn's several workers and Celery, set PROMETHEUS_MULTIPROC_DIR to one
writable folder shared by the processes (emptied at start): /metrics then adds up every process.

The page is for the operator's monitoring, not the public: it answers to the addresses in
METRICS_ALLOWED_IPS (default: this host only) or to `Authorization: Bearer <METRICS_TOKEN>`.
"""

import hmac
import os
import time

from celery.signals import task_failure, task_retry, task_success
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter("pocflow_http_requests", "HTTP requests answered", ["view", "method", "status"])
LATENCY = Histogram("pocflow_http_request_duration_seconds", "Time to answer a request", ["view", "method"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10))
QUERIES = Histogram("pocflow_http_request_db_queries", "Database queries per request", ["view"],
                    buckets=(1, 2, 5, 10, 15, 20, 30, 50, 100, 200))
TASKS = Counter("pocflow_celery_tasks", "Celery tasks finished, by outcome", ["task", "outcome"])
DOCUMENTS = Counter("pocflow_documents_rendered", "PDF documents rendered", ["template"])
RENDER_SECONDS = Histogram("pocflow_document_render_seconds", "Time to render one PDF document", ["template"],
                           buckets=(0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30))

# collectors that read the database when /metrics is scraped (registered from apps' ready())
SCRAPE_COLLECTORS: list = []


def register_scrape_collector(collector) -> None:
    SCRAPE_COLLECTORS.append(collector)
    REGISTRY.register(collector)


def observe_render(template: str, seconds: float) -> None:
    DOCUMENTS.labels(template=template).inc()
    RENDER_SECONDS.labels(template=template).observe(seconds)


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else "unresolved"
        LATENCY.labels(view=view, method=request.method).observe(time.perf_counter() - started)
        REQUESTS.labels(view=view, method=request.method, status=str(response.status_code)).inc()
        QUERIES.labels(view=view).observe(count[0])
        return response


@task_success.connect
def _task_succeeded(sender=None, **kwargs):
    TASKS.labels(task=getattr(sender, "name", "?"), outcome="success").inc()


@task_failure.connect
def _task_failed(sender=None, **kwargs):
    TASKS.labels(task=getattr(sender, "name", "?"), outcome="failure").inc()


@task_retry.connect
def _task_retried(sender=None, **kwargs):
    TASKS.labels(task=getattr(getattr(sender, "task", None), "name", None) or "?", outcome="retry").inc()


def _client_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    return request.META.get("REMOTE_ADDR", "") in settings.METRICS_ALLOWED_IPS


@login_not_required
@never_cache
@require_GET
def metrics(request):
    if not _client_allowed(request):
        raise Http404  # the page's existence is nobody else's business
    registry = REGISTRY  # this process's counters and the database collectors
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # every process's counters, added up
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        for collector in SCRAPE_COLLECTORS:
            registry.register(collector)
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
