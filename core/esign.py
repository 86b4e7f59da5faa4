"""Electronic-signature re-authentication (21 CFR 11.200(a)(1)).

The first signing in a session needs both components, the user ID and the password; later
signings in the same continuous session need the password and, when the signer has an
authenticator app (every physician does: it is required), a one-time code. Each attempt is in
the audit trail (`esign.verified` / `esign.failed`, never the password or the code), and
failures count toward the account lockout: `ESIGN_FAILURE_LIMIT` failed attempts lock the
account for `LOGIN_FAILURE_WINDOW_SECONDS` (sign-in and signing) unless a clinic admin lifts it.

A signer whose role requires a second factor (physicians, clinic admins) and who has no
confirmed authenticator app cannot sign at all (`SecondFactorMissing`, pointing at the Security
page). This is the one e-signature path: services take an `ESignature` (the components, with
the request whose session they belong to) and verify it under the case lock
(`planning.pathway.esign.signing`); `core.forms.ESignatureFormMixin` collects the components
and builds the `ESignature`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from core import ratelimit
from core.audit import audit_record
from core.errors import AccessDenied, AccountLocked, ValidationFailed
from core.models import User
from core.twofactor import has_second_factor, second_factor_required, verify_code

#: Session key: set after the first successful signing of this session.
SIGNED_IN_SESSION_KEY = "pathway_esign_done"

LOCKED_MESSAGE = (
    "Too many failed signature attempts: this account is locked for now. Nothing was signed. "
    "Ask a clinic admin to lift the lockout."
)


class SecondFactorMissing(AccessDenied):
    """The signer's role requires a second factor and they have none: they cannot sign."""

    code = "second_factor_missing"

    def __init__(self) -> None:
        url = reverse("security")
        super().__init__(
            "Set up two-factor sign-in (an authenticator app) on your Security page "
            f"({url}) before you sign. Nothing was signed.",
            details={"setup_url": url},
        )


@dataclass(frozen=True)
class ESignatureRequirements:
    username: bool
    otp_code: bool
    #: The signer must set up a second factor before any signing.
    second_factor_missing: bool = False


@dataclass(frozen=True)
class ESignature:
    """The components a signer entered, with the request whose session and address they came
    from. Services verify it (`esignature_verify`) before they write anything."""

    request: HttpRequest
    password: str
    username: str | None = None
    otp_code: str | None = None

    def verify(self, *, user: User, meaning: str, case_id: int | None = None) -> None:
        esignature_verify(
            request=self.request,
            user=user,
            username=self.username,
            password=self.password,
            otp_code=self.otp_code,
            meaning=meaning,
            case_id=case_id,
        )


def esignature_requirements(*, request: HttpRequest, user: User) -> ESignatureRequirements:
    """Which components the next signing by `user` in this session needs (the password always)."""
    first = not request.session.get(SIGNED_IN_SESSION_KEY)
    has_factor = has_second_factor(user)
    return ESignatureRequirements(
        username=first,
        otp_code=not first and has_factor,
        second_factor_missing=not has_factor and second_factor_required(user),
    )


def esignature_verify(
    *,
    request: HttpRequest,
    user: User,
    username: str | None,
    password: str,
    otp_code: str | None,
    meaning: str = "",
    case_id: int | None = None,
) -> None:
    """Return when `user` has re-authenticated for a signature; otherwise raise (nothing must be
    signed): ValidationFailed naming the wrong field, AccountLocked, or AccessDenied."""
    if not request.user.is_authenticated or request.user.pk != user.pk:
        raise AccessDenied("Only the signed-in person can sign as themselves.")
    needs = esignature_requirements(request=request, user=user)
    if ratelimit.account_locked(user.username):
        _failed(
            request, user, needs, "account locked", count=False, meaning=meaning, case_id=case_id
        )
        raise AccountLocked(LOCKED_MESSAGE)
    if needs.second_factor_missing:
        _failed(
            request, user, needs, "no second factor", count=False, meaning=meaning, case_id=case_id
        )
        raise SecondFactorMissing()
    problem = _check(user, needs, username=username, password=password, otp_code=otp_code)
    if problem is not None:
        field, message = problem
        _failed(request, user, needs, f"wrong or missing {field}", meaning=meaning, case_id=case_id)
        if ratelimit.account_locked(user.username):
            raise AccountLocked(LOCKED_MESSAGE)
        raise ValidationFailed({field: message})
    ratelimit.reset_esign(user.username)
    request.session[SIGNED_IN_SESSION_KEY] = True
    audit_record(
        action="esign.verified",
        actor=user,
        case_id=case_id,
        target=f"user:{user.pk}",
        data={"components": _components(needs), "meaning": meaning},
    )


def _check(
    user: User,
    needs: ESignatureRequirements,
    *,
    username: str | None,
    password: str,
    otp_code: str | None,
) -> tuple[str, str] | None:
    """The first wrong component as (field, message), or None. The password is checked even
    when the user ID is wrong, so timing does not tell which was wrong."""
    password_ok = bool(password) and user.check_password(password)
    if needs.username and (username or "").strip() != user.username:
        return "username", "Enter your own user ID to sign. Nothing was signed."
    if not password_ok:
        return "password", "The password is not correct. Nothing was signed."
    if needs.otp_code:
        if not (otp_code or "").strip():
            return "otp_code", "Enter the code from your authenticator app to sign."
        if verify_code(user, otp_code or "") is None:
            return "otp_code", "The one-time code is not correct. Nothing was signed."
    return None


def _components(needs: ESignatureRequirements) -> list[str]:
    return [
        name
        for name, used in (("user_id", needs.username), ("password", True), ("otp", needs.otp_code))
        if used
    ]


def _failed(
    request: HttpRequest,
    user: User,
    needs: ESignatureRequirements,
    reason: str,
    *,
    count: bool = True,
    meaning: str = "",
    case_id: int | None = None,
) -> None:
    if count:
        ratelimit.register_esign_failure(request, user.username)
    audit_record(
        action="esign.failed",
        actor=user,
        case_id=case_id,
        target=f"user:{user.pk}",
        data={"reason": reason, "components": _components(needs), "meaning": meaning},
    )
