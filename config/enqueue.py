"""Queueing Celery tasks from a web request, when the broker may be unreachable.

What a request queues is a follow-up: the catalogue's arrays rebuilt after a curator's edit,
a retraining a curator asked for. The request's own work is already committed, so a broker
outage must neither fail it (a rating saved and answered 500 reads as not saved) nor
hold it for Celery's retries. A request therefore tries the broker once, with the
transport's short timeouts (CELERY_BROKER_TRANSPORT_OPTIONS); when that fails it logs one
warning for the outage, skips the broker for `RETRY_AFTER` seconds and carries on.
What is skipped is caught up later: a page builds what it needs itself, and the beat's
periodic tasks redo the rest.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery import Task
from kombu.exceptions import OperationalError

from config.celery_app import app

logger = logging.getLogger(__name__)

# One attempt: Celery's default retries a publish three times, 0.2 s apart, per request.
PUBLISH_RETRY_POLICY = {"max_retries": 0}
RETRY_AFTER = 10.0


class _Broker:
    def __init__(self) -> None:
        self.down = False
        self.retry_at = 0.0
        self.lock = threading.Lock()

    def should_try(self) -> bool:
        if not self.down:
            return True
        with self.lock:
            now = time.monotonic()
            if not self.down:
                return True
            if now < self.retry_at:
                return False
            # This request tries the broker; the others skip it until it has answered.
            self.retry_at = now + RETRY_AFTER
            return True

    def failed(self, exc: Exception) -> None:
        with self.lock:
            was_down = self.down
            self.down = True
            self.retry_at = time.monotonic() + RETRY_AFTER
        if not was_down:
            logger.warning(
                "Task queue unreachable (%s): tasks from requests are skipped for now and "
                "caught up by periodic tasks; trying again every %g s.",
                exc,
                RETRY_AFTER,
            )

    def succeeded(self) -> None:
        if not self.down:
            return
        with self.lock:
            if not self.down:
                return
            self.down = False
        logger.warning("Task queue reachable again.")


_broker = _Broker()


def task_enqueue(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Queue `task(*args, **kwargs)`; False, after logging, when the broker cannot take it.

    Eager mode (tests, CELERY_TASK_ALWAYS_EAGER) runs the task here as `delay` would, and
    lets its errors through: only the broker's unavailability is absorbed.
    """
    if not _broker.should_try():
        logger.debug("Task queue down: skipped %s%r", task.name, args)
        return False
    try:
        task.apply_async(args, kwargs, retry_policy=PUBLISH_RETRY_POLICY)
    except OperationalError as exc:
        _broker.failed(exc)
        return False
    _broker.succeeded()
    return True


def task_enqueue_named(name: str, *args: Any, **kwargs: Any) -> bool:
    """`task_enqueue` for a task known by its name: for modules its tasks module imports.

    Looked up on the site's own app, not Celery's "current" one: any Celery app made later
    in the process (a client of another broker) becomes current and would send it there.
    """
    return task_enqueue(app.tasks[name], *args, **kwargs)
