"""Clinic configuration is edited in the admin, and every change lands in the audit trail."""

from __future__ import annotations

import pytest
from django.test import Client

from core.models import AuditEntry, ClinicSettings

pytestmark = pytest.mark.django_db


def test_change_in_admin_is_audited_with_old_and_new_values(clinic_admin) -> None:
    client = Client()
    client.force_login(clinic_admin)
    row = ClinicSettings.current()
    form = {
        "bp_systolic_max": 150,
        "bp_diastolic_max": 90,
        "minimum_age": 18,
        "adequate_trials_for_trd": 2,
        "adequate_trial_min_weeks": 6,
        "consent_link_days": 7,
        "link_max_dob_attempts": 5,
        "idle_timeout_minutes": 15,
        "predose_systolic_max": 140,
        "predose_diastolic_max": 90,
        "dose_tolerance_percent": "0",
        "session_early_days": 1,
        "childbearing_age_min": 12,
        "childbearing_age_max": 55,
        **{
            name: getattr(row, name)
            for name in ("session_escort_rule", "session_driving_rule", "session_what_to_bring")
        },
    }
    response = client.post(f"/admin/core/clinicsettings/{row.pk}/change/", form)
    assert response.status_code == 302
    assert ClinicSettings.current().bp_systolic_max == 150
    entry = AuditEntry.objects.get(action="config.change")
    assert entry.data == {"before": {"bp_systolic_max": 140}, "after": {"bp_systolic_max": 150}}
    assert entry.actor == clinic_admin and entry.target == f"core.clinicsettings:{row.pk}"


def test_other_staff_cannot_change_settings(physician) -> None:
    client = Client()
    client.force_login(physician)
    row = ClinicSettings.current()
    response = client.post(f"/admin/core/clinicsettings/{row.pk}/change/", {"bp_systolic_max": 1})
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert ClinicSettings.current().bp_systolic_max == 140


def test_the_row_is_read_once_per_request_scope(django_assert_num_queries) -> None:
    ClinicSettings.current()  # the row exists
    with ClinicSettings.request_scope(), django_assert_num_queries(1):
        first = ClinicSettings.current()
        assert ClinicSettings.current() is first
    with django_assert_num_queries(2):  # outside a request: every call reads the row
        ClinicSettings.current()
        ClinicSettings.current()


def test_saving_the_row_inside_a_request_scope_is_seen_at_once() -> None:
    with ClinicSettings.request_scope():
        row = ClinicSettings.current()
        fresh = ClinicSettings.objects.get(pk=row.pk)
        fresh.consent_link_days = 3
        fresh.save()
        assert ClinicSettings.current().consent_link_days == 3
        ClinicSettings.objects.filter(pk=row.pk).delete()
        assert ClinicSettings.current().consent_link_days == 7  # recreated with the defaults


def test_a_new_request_reads_the_row_again(client) -> None:
    """No value outlives its request: an update without a signal is seen by the next one."""
    from django.urls import reverse

    ClinicSettings.objects.update_or_create(pk=1, defaults={"idle_timeout_minutes": 15})
    assert b"after 15 minutes" in client.get(reverse("login")).content
    ClinicSettings.objects.filter(pk=1).update(idle_timeout_minutes=9)
    assert b"after 9 minutes" in client.get(reverse("login")).content
