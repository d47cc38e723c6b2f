"""Point the Celery app at a broker for one test, and back (core.outbox publishes on a connection of its
own, made from the current configuration, so a switch takes effect at once)."""

from contextlib import contextmanager

from pocflow.celery import app


def use_broker(url: str) -> None:
    app.conf.task_always_eager, app.conf.broker_url = False, url


@contextmanager
def broker(url: str):
    saved = app.conf.task_always_eager, app.conf.broker_url
    use_broker(url)
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
