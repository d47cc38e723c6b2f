"""Request ids and structured logs.

Every request carries an id: the incoming `X-Request-ID` (if it looks like one) or a new one. It is
returned in the response, put on every log record of the request (with the user's id), handed to
Celery tasks published during the request (a message header), and restored in the worker, so one
id follows a decision from the click to its letter. `LOG_FORMAT=json` writes one JSON object per
line with UTC timestamps; the default stays a readable line.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from celery.signals import before_task_publish, task_postrun, task_prerun
from pythonjsonlogger.json import JsonFormatter

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
user_id_var: ContextVar[str] = ContextVar("user_id", default="-")

HEADER = "X-Request-ID"
VALID_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
request_logger = logging.getLogger("pocflow.request")


class ContextFilter(logging.Filter):
    """Adds request_id and user_id to every record (a dash outside a request or task)."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        record.user_id = user_id_var.get()
        return True


class UTCFormatter(logging.Formatter):
    converter = time.gmtime
    default_msec_format = "%s.%03dZ"


class JSONFormatter(JsonFormatter):
    """One object per line: timestamp (UTC, ISO 8601), level, logger, message, request id, user id and
    whatever `extra=` the call passed (a transition's ids, a request's method, path, status, duration)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", True)  # UTC ISO 8601
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__("%(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s", *args, **kwargs)


class RequestIdMiddleware:
    """First in the chain: sets the request id, logs one line per request, returns the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        rid = incoming if VALID_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = rid
        # set for the rest of this request's thread (Django logs a 4xx/5xx after the middleware chain
        # returns, and it should carry the id too); the next request on the thread sets its own
        request_id_var.set(rid)
        user_id_var.set("-")
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_id_var.set(str(user.pk))
        response[HEADER] = rid
        request_logger.info(
            "%s %s %s", request.method, request.path, response.status_code,
            extra={"method": request.method, "path": request.path, "status": response.status_code,
                   "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                   "view": getattr(getattr(request, "resolver_match", None), "view_name", None)},
        )
        return response


# -- the request id travels with the Celery tasks a request publishes ----------------------------

@before_task_publish.connect
def _send_request_id(headers=None, **kwargs):
    if headers is not None and request_id_var.get() != "-":
        headers.setdefault("request_id", request_id_var.get())


_task_tokens = {}


@task_prerun.connect
def _restore_request_id(task_id=None, task=None, **kwargs):
    rid = getattr(task.request, "request_id", None) or (task.request.headers or {}).get("request_id") \
        if task is not None and task.request is not None else None
    if rid and task_id:
        _task_tokens[task_id] = request_id_var.set(rid)


@task_postrun.connect
def _forget_request_id(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        request_id_var.reset(token)
