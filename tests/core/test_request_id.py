"""Every log line of a request, and of the task it queued, carries the request's id."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from core import logs
from core.middleware import RequestIdMiddleware
from workers.celery import app as pathway_app

pytestmark = pytest.mark.django_db

LOGGER = "tests.request_id"


@contextmanager
def json_lines(name: str) -> Iterator[list[dict[str, Any]]]:
    """The JSON lines logger `name` writes through the project's filter and formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.RequestIdFilter())
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    level, logger.level = logger.level, logging.INFO
    found: list[dict[str, Any]] = []
    try:
        yield found
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        found += [json.loads(line) for line in stream.getvalue().splitlines()]


def test_response_carries_a_new_id_or_a_sane_incoming_one() -> None:
    made = Client().get("/accounts/login/")[logs.HEADER]
    assert len(made) == 32 and made != Client().get("/accounts/login/")[logs.HEADER]
    kept = Client().get("/accounts/login/", HTTP_X_REQUEST_ID="caddy-4f1c.2:9")
    assert kept[logs.HEADER] == "caddy-4f1c.2:9"


@pytest.mark.parametrize("junk", ["a" * 129, "has space", "line\nbreak", "-leading", "<x>", ""])
def test_an_insane_incoming_id_is_replaced(junk: str) -> None:
    assert logs.request_id_from(junk) != junk
    assert len(logs.request_id_from(junk)) == 32


def test_every_line_of_a_request_carries_its_id_even_djangos_own() -> None:
    with json_lines("django.request") as found:
        Client().get("/no-such-page/", HTTP_X_REQUEST_ID="req-404-abc")
    (line,) = found
    assert line["request_id"] == "req-404-abc" and line["level"] == "WARNING"
    assert logs.current() is None  # forgotten once the response finished


def test_production_logs_json_lines_and_development_text() -> None:
    assert (
        logs.logging_config(json_lines=True, level="INFO")["handlers"]["console"]["formatter"]
        == "json"
    )
    text = logs.logging_config(json_lines=False, level="INFO")
    assert "%(request_id)s" in text["formatters"]["text"]["format"]


def test_a_task_queued_by_a_request_logs_with_the_requests_id() -> None:
    """A real (in-process) worker on an in-memory broker: the id travels in the message
    headers, not through shared memory (the worker thread starts with an empty context)."""
    app = Celery("request-id-test", broker="memory://", set_as_current=False)
    app.conf.update(task_always_eager=False, task_ignore_result=True, broker_pool_limit=None)
    ran = threading.Event()

    @app.task(name="tests.request_id.echo")
    def echo() -> None:
        logging.getLogger(LOGGER).info("in the task")
        ran.set()

    def view(request: HttpRequest) -> HttpResponse:
        logging.getLogger(LOGGER).info("in the request")
        echo.delay()
        return HttpResponse("queued")

    with json_lines(LOGGER) as found:
        request = RequestFactory().get("/", HTTP_X_REQUEST_ID="journey-0001")
        response = RequestIdMiddleware(view)(request)
        logs.clear()
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
                assert ran.wait(timeout=30), "the worker never ran the task"
        finally:
            pathway_app.set_current()  # start_worker made the test app current and default;
            pathway_app.set_default()  # later tests' shared tasks must reach Pathway's again
        logging.getLogger(LOGGER).info("after both")
    assert response[logs.HEADER] == "journey-0001"
    by_message = {line["message"]: line for line in found}
    assert by_message["in the request"]["request_id"] == "journey-0001"
    task_line = by_message["in the task"]
    assert task_line["request_id"] == "journey-0001"
    assert task_line["task_name"] == "tests.request_id.echo" and task_line["task_id"]
    assert by_message["after both"]["request_id"] == "-"
