"""Ordinary 403s and 404s log one line, without a traceback; server errors keep theirs."""

from __future__ import annotations

import io
import logging
import sys

import pytest
from django.test import Client
from django.urls import reverse

from core.logs import QuietClientErrors


@pytest.fixture
def console() -> io.StringIO:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(QuietClientErrors())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield out
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_forbidden_and_missing_pages_log_no_traceback(console, patient_user) -> None:
    client = Client()
    client.force_login(patient_user)
    assert client.get(reverse("pathway:case_board")).status_code == 403
    assert client.get("/no/such/page/").status_code == 404
    text = console.getvalue()
    assert "Forbidden" in text and "Not Found" in text
    assert "Traceback" not in text


def test_server_errors_keep_the_traceback() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", None, exc_info)
    record.status_code = 500
    assert QuietClientErrors().filter(record) and record.exc_info is exc_info
    record.status_code = 403
    assert QuietClientErrors().filter(record) and record.exc_info is None
