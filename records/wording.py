"""The timeline wording of sealed records' audit actions, with the link to each record's
download (which goes through its app's access function). Registered by `RecordsConfig.ready`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse

from core.timeline import register_wording, who

if TYPE_CHECKING:
    from core.models import AuditEntry

KIND_WORDS = {
    "consent": "consent",
    "plan": "dosing plan",
    "rems": "REMS monitoring form",
    "case_summary": "case summary",
}


def _what(entry: AuditEntry) -> str:
    data = entry.data if isinstance(entry.data, dict) else {}
    kind = str(data.get("kind", ""))
    version = data.get("version")
    words = KIND_WORDS.get(kind, "record")
    return f"{words} PDF" + (f" (version {version})" if version and version != 1 else "")


def record_url(entry: AuditEntry) -> str | None:
    """The download route of the record the entry names (each checks access itself)."""
    data = entry.data if isinstance(entry.data, dict) else {}
    kind, owner = data.get("kind"), data.get("owner_id")
    try:
        if kind == "consent" and owner:
            return reverse("consent_signature_pdf", args=[owner])
        if kind == "plan" and owner and entry.case_id:
            return reverse("treatment:plan_pdf", args=[entry.case_id, owner])
        if kind == "rems" and owner and entry.case_id:
            return reverse("treatment:rems_pdf", args=[entry.case_id, owner])
        if kind == "case_summary" and entry.case_id:
            return reverse("followups:case_summary_pdf", args=[entry.case_id])
    except NoReverseMatch:
        return None
    return None


# The access action each record's download goes through (its view refuses anyone else).
_DOWNLOAD_ACTIONS = {
    "consent": "consent.pdf",
    "plan": "plan.pdf",
    "rems": "session.rems_pdf",
    "case_summary": "case.summary_pdf",
}


def record_action(entry: AuditEntry) -> str | None:
    """The access action guarding `record_url`'s target, so a timeline offers the link only
    to the roles that may open it."""
    data = entry.data if isinstance(entry.data, dict) else {}
    return _DOWNLOAD_ACTIONS.get(str(data.get("kind", "")))


def register() -> None:
    register_wording(
        "record.sealed",
        lambda e: f"The {_what(e)} was sealed",
        kind="records",
        link=record_url,
        link_action=record_action,
    )
    register_wording(
        "record.seal_refused",
        lambda e: f"Sealing a PDF was refused: {(e.data or {}).get('problem', '')}"[:300],
        kind="records",
    )
    register_wording(
        "record.download",
        lambda e: f"{who(e)} downloaded the {_what(e)}",
        kind="access",
        link=record_url,
        link_action=record_action,
    )
    register_wording("record.view", "{who} opened a sealed record", kind="access")
    register_wording(
        "record.archive", "{who} downloaded all their records as one archive", kind="access"
    )
