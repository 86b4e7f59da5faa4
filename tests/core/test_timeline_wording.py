"""Every audit action the code base can write has plain-words wording (core.timeline).

The action codes are collected from the source itself, so a new `audit_record(action=...)`
without wording fails here: string literals passed as the action of any call whose name says
"audit" (both branches of a conditional, module constants), the `audit=` of the access table,
and the two families built at run time (patient-link events, refused re-authentications).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from core import timeline
from core.models import AuditEntry, LinkPurpose, User

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "records", "consent", "planning", "api", "interop", "workers", "demo")
CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


def _strings(node: ast.expr, constants: dict[str, str]) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body, constants) + _strings(node.orelse, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    return []


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _module_constants(tree: ast.Module) -> dict[str, str]:
    return {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    }


def _calls(path: Path) -> tuple[list[ast.Call], dict[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)], _module_constants(tree)


def _sources() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def written_actions() -> dict[str, str]:
    """action code -> where it is written."""
    found: dict[str, str] = {}
    refused_bases: list[str] = []
    link_events: list[str] = []
    for path in _sources():
        calls, constants = _calls(path)
        for call in calls:
            name = _call_name(call)
            candidates: list[ast.expr] = []
            if "audit" in name.lower():
                candidates += call.args[:2]  # (action, ...) or (request, action, ...)
                candidates += [kw.value for kw in call.keywords if kw.arg == "action"]
            candidates += [kw.value for kw in call.keywords if kw.arg == "audit"]
            if name == "reauthenticate":
                for kw in call.keywords:
                    if kw.arg == "action":
                        refused_bases += _strings(kw.value, constants)
            if name == "_audit" and path.name == "links.py" and len(call.args) > 1:
                link_events += _strings(call.args[1], constants)
            for node in candidates:
                for value in _strings(node, constants):
                    if CODE.match(value):
                        found.setdefault(value, f"{path.relative_to(ROOT)}:{node.lineno}")
    for base in refused_bases:
        found.setdefault(f"{base}_refused", "planning/pathway/esign.py (refused re-authentication)")
    for purpose in LinkPurpose.values:
        for event in link_events:
            found.setdefault(f"{purpose}.link.{event}", "core/links.py (patient link event)")
    return found


def test_the_scan_finds_the_actions_it_should() -> None:
    """The collector is not vacuous: it sees literal, conditional and run-time built codes."""
    found = written_actions()
    for code in (
        "case.transition",
        "consent.signed",
        "plan.approve",
        "account.deactivated",
        "consent.link.dob_ok",
        "followup.link.locked",
        "esign.failed",
        "record.sealed",
        "audit.checkpoint",
        "case.view",
    ):
        assert code in found, code
    assert len(found) > 90


def test_every_written_action_has_wording() -> None:
    missing = {
        code: where for code, where in written_actions().items() if not timeline.has_wording(code)
    }
    assert not missing, f"audit actions without timeline wording (core.timeline): {missing}"


@pytest.mark.parametrize(
    ("action", "data", "agent", "expected"),
    [
        (
            "consent.signed",
            {"version": "v1", "typed_name": "Wren Fictional"},
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148",
            "Consent v1 signed by the patient on a phone (typed name “Wren Fictional”)",
        ),
        (
            "plan.approve",
            {"version": 2, "meaning": "approved as treating physician"},
            "",
            "Plan version 2 approved by Amara Okafor (approved as treating physician)",
        ),
        (
            "case.transition",
            {"from": "active", "to": "on_hold", "reason": "travelling"},
            "",
            "Amara Okafor moved the case from Active treatment to On hold: “travelling”",
        ),
        (
            "consent.link.dob_ok",
            {},
            "Mozilla/5.0 (X11; Linux x86_64)",
            "The patient confirmed their date of birth on the consent signing link on a computer",
        ),
        (
            "record.sealed",
            {"kind": "plan", "version": 2},
            "",
            "The dosing plan PDF (version 2) was sealed",
        ),
        ("plan.amend", {}, "", "Amara Okafor started amending plan version ?: “?”"),
    ],
)
def test_sentences(action: str, data: dict[str, object], agent: str, expected: str) -> None:
    actor = User(first_name="Amara", last_name="Okafor", username="okafor")
    entry = AuditEntry(action=action, data=data, user_agent=agent, actor=actor)
    if action.startswith("consent.") and action != "plan.approve":
        entry.actor = None
        entry.actor_label = "patient via consent link"
    assert timeline.describe(entry) == expected


def test_a_link_closed_by_the_system_says_why_and_one_revoked_by_staff_says_who() -> None:
    closed = AuditEntry(
        action="followup.link.revoked",
        actor_label="patient via link (Wren Fictional)",
        data={"reason": "questionnaire completed"},
    )
    assert timeline.describe(closed) == (
        "The questionnaire link was closed (questionnaire completed)"
    )
    staff = User(pk=3, first_name="Sol", last_name="Rivera", username="rivera")
    revoked = AuditEntry(
        action="consent.link.revoked", actor=staff, data={"reason": "wrong address"}
    )
    assert timeline.describe(revoked) == (
        "Sol Rivera revoked the consent signing link: “wrong address”"
    )


def test_an_unworded_action_reads_as_its_code() -> None:
    entry = AuditEntry(action="brand.new", actor_label="system")
    assert timeline.describe(entry) == "brand.new by the system"
