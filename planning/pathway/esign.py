"""A physician's signature on a decision: the password re-entered (21 CFR 11.200), a wrong one
audited and nothing saved. The security team's `core.esign` will replace the body of
`reauthenticate`; its callers stay as they are."""

from __future__ import annotations

from core.errors import ValidationFailed
from core.models import User
from planning.pathway.audit import audit_case
from planning.pathway.models import Case


def reauthenticate(*, actor: User, password: str, case: Case, action: str, target: str) -> None:
    if password and actor.check_password(password):
        return
    audit_case(
        action=f"{action}_refused",
        actor=actor,
        case=case,
        target=target,
        data={"why": "wrong password"},
    )
    raise ValidationFailed({"password": "The password is not correct. Nothing was signed."})
