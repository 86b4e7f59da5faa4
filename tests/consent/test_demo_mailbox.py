"""The demo's mailbox (issue 13): a newcomer who sends a consent invitation finds the patient's
link on a staff page, clickable; the page is staff only and a 404 where the mailbox is off."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from core.models import DemoMessage
from core.roles import Role
from tests.conftest import make_user
from tests.consent.flow import invite_over_http

pytestmark = pytest.mark.django_db


def test_invitation_link_is_readable_and_clickable_in_the_demo_mailbox(
    settings, desk, consent_case, django_capture_on_commit_callbacks
) -> None:
    settings.PATHWAY_DEMO_MAILBOX = True
    link = invite_over_http(desk, consent_case, django_capture_on_commit_callbacks)
    staff = Client()
    staff.force_login(desk)
    board = staff.get(reverse("pathway:case_board")).content.decode()
    assert 'data-testid="demo-mailbox-link"' in board  # linked from the header
    page = staff.get(reverse("core:demo_mailbox"))
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="demo-message"') == 1
    assert re.search(rf'<a href="http://testserver{re.escape(link)}"[^>]*>', html), html
    assert "zoe@example.invalid" in html
    # the link works: it opens the patient's signing page
    assert "date of birth" in Client().get(link).content.decode().lower()


def test_without_the_demo_mailbox_nothing_is_kept_and_the_page_is_404(
    settings, desk, consent_case, django_capture_on_commit_callbacks
) -> None:
    settings.PATHWAY_DEMO_MAILBOX = False
    invite_over_http(desk, consent_case, django_capture_on_commit_callbacks)
    assert not DemoMessage.objects.exists()
    staff = Client()
    staff.force_login(desk)
    assert staff.get(reverse("core:demo_mailbox")).status_code == 404
    assert 'data-testid="demo-mailbox-link"' not in staff.get("/cases/").content.decode()


def test_patients_never_see_the_demo_mailbox(settings) -> None:
    settings.PATHWAY_DEMO_MAILBOX = True
    patient = Client()
    patient.force_login(make_user(Role.PATIENT))
    assert patient.get(reverse("core:demo_mailbox")).status_code == 403


def test_run_demo_banner_points_at_the_mailbox(settings, capsys) -> None:
    from workers.management.commands.run_demo import Command

    settings.PATHWAY_DEMO_MAILBOX = True
    command = Command()
    command._banner("http://127.0.0.1:8000/")  # what `make demo` prints once all has started
    assert "http://127.0.0.1:8000/staff/demo-mailbox/" in capsys.readouterr().out
