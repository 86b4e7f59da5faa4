"""Property-based tests over every form: hostile input never yields a 5xx, and a refused post
writes nothing.

The forms are not listed by hand: for each role, a crawler signs in, opens the start pages of
a small clinic (a case at each stage, a patient's signing and questionnaire links) and follows
every link to a project page, collecting each `<form method="post">` with its fields as
rendered. Hypothesis then posts to each form, as that role, data in which some fields keep a
sane value and the others get hostile ones (tests/security/fuzz.py). Each example runs in a
transaction that is rolled back, so every example starts from the same clinic.

A post is *refused* when the answer is 4xx, a page showing field errors, or a redirect with an
error message; then no table may have changed (but the bookkeeping a refusal needs) and the
audit trail may only have gained refusal entries.

`FORM_ROUTES` says which role must find a form posting to each route and `NO_FORM` why a route
has none: a new route fails `test_every_route_is_fuzzed_or_has_no_form` until it is listed, and
a listed form the crawler stops finding fails its role's test.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from demo.consent import demo_signature
from tests.factories import PASSWORD
from tests.routes import project_routes
from tests.security import fuzz
from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db

ROLES = ["physician", "clinician", "admin_staff", "clinic_admin", "patient", "anonymous", "link"]

STAFF = {"physician", "clinician", "admin_staff", "clinic_admin"}
CLINICAL = {"physician", "clinician"}
SIGNED_IN = STAFF | {"patient"}

#: Route name -> the roles that must find a form posting to it.
FORM_ROUTES: dict[str, set[str]] = {
    "login": {"anonymous"},
    # the clinic admin has an app already; so has the physician, who signed the active plan
    "security_totp": SIGNED_IN - {"clinic_admin", "physician"},
    "security_recovery_codes": {"clinic_admin"},
    "security_remove": {"clinic_admin"},
    "pathway:case_open": STAFF,
    "pathway:case_transition": SIGNED_IN,
    "followups:add": STAFF,
    "followups:reschedule": STAFF,
    "followups:complete": STAFF,
    "consent_invite": STAFF,
    "consent_revoke": STAFF,
    "consent_verify": SIGNED_IN,
    "intake:consultation": CLINICAL,
    "intake:evaluation": CLINICAL,
    "intake:medications": CLINICAL,
    "intake:medication_stop": CLINICAL,
    "intake:medication_confirm": CLINICAL,
    "intake:interaction_ack": CLINICAL,
    "intake:alert_ack": CLINICAL,
    "intake:alert_decide": {"physician"},
    "intake:override": {"physician"},
    "treatment:plan_page": {"physician"},
    "treatment:plan_approve": {"physician"},
    "treatment:plan_amend": {"physician"},
    "treatment:complete_early": {"physician"},
    "treatment:session_page": CLINICAL,
    "consent_withdraw": {"patient"},
    "consent_link": {"anonymous"},
    "followups:link": {"anonymous", "link"},
    "consent_disclosure": {"link"},
    "consent_read": {"link"},
    "consent_questions": {"link"},
    "consent_sign": {"link"},
    "consent_decline": {"link"},
    "login_code": {"link"},  # the "link" browser has also typed a password, not yet the code
    "consent_language": {"link"},
    "language_set": {"patient"},
}

#: Writes a refusal on one route makes by design: (tables, audit actions). Wrong comprehension
#: answers are counted on the request, so the patient is sent back to re-read the document.
ROUTE_BOOKKEEPING: dict[str, tuple[set[str], str]] = {
    "consent_questions": ({"consent_consentrequest"}, r"^consent\.comprehension\.retry$"),
}

_GET = "a page read with GET; its forms post to the routes listed in FORM_ROUTES"
_BUTTON = (
    "a button without fields (nothing to bound); posted with junk for every role by "
    "tests/test_no_server_errors.py"
)
#: Route name -> why no form of its own is fuzzed here.
NO_FORM: dict[str, str] = {
    "admin_login": "the Django admin's sign-in is the same SignInForm as `login`",
    "otp_webauthn:credential-registration-begin": "JSON: tests/api/test_fuzz_api.py",
    "otp_webauthn:credential-registration-complete": "JSON: tests/api/test_fuzz_api.py",
    "otp_webauthn:credential-authentication-begin": "JSON: tests/api/test_fuzz_api.py",
    "otp_webauthn:credential-authentication-complete": "JSON: tests/api/test_fuzz_api.py",
    "otp_webauthn:js-i18n-catalog": "a JavaScript catalogue (GET)",
    "home": "redirects to the role's start page",
    "healthz": "a health probe (GET)",
    "readyz": "a health probe (GET)",
    "logout": "ends the session the crawler runs in; " + _BUTTON,
    "sign_out_everywhere": "ends the session the crawler runs in; " + _BUTTON,
    "security": _GET,
    "core:outbox": _GET,
    "pathway:case_board": _GET + " (its filter is a GET form)",
    "pathway:case_detail": _GET,
    "pathway:patient_home": _GET,
    "treatment:plan_renew": _BUTTON + " (shown once a course is completed)",
    "treatment:plan_pdf": "a PDF download (GET)",
    "treatment:rems_pdf": "a PDF download (GET)",
    "treatment:rems_regenerate": _BUTTON + " (a signed-off esketamine session)",
    "treatment:rems_submitted": _BUTTON + " (a signed-off esketamine session)",
    "consent_review": _GET,
    "consent_done": _GET,
    "consent_link_pdf": "a PDF download (GET)",
    "consent_paper_done": _BUTTON + " (a requested paper copy)",
    "consent_signature_pdf": "a PDF download (GET)",
    "consent_countersign_clinician": "shown only for a signed consent awaiting a clinician's "
    "countersignature (none in this clinic); refusals: tests/consent/test_countersign.py",
    "consent_countersign_witness": "shown only for a signed consent awaiting a witness's "
    "countersignature (none in this clinic); refusals: tests/consent/test_countersign.py",
    "consent_copy_status": "the done page's status fragment (GET)",
    "consent_tablet_start": _BUTTON + " (turns the crawler's own session into a tablet)",
    "consent_tablet_handover": "tablet mode's hand-over screen (GET; 404 outside tablet mode)",
    "consent_tablet_handback": "tablet mode's hand-back screen (GET; 404 outside tablet mode)",
    "consent_tablet_exit": "a password form shown only in tablet mode (404 outside it); "
    "fuzzed in tests/consent/test_tablet.py",
    "core:demo_mailbox": _GET,
    "pathway:patient_search": "the patient picker's results (GET)",
    "pathway:work_queue": _GET,
    "pathway:own_record": "a PDF download (GET)",
    "pathway:own_archive": _BUTTON + " (a ZIP download)",
    "followups:case_summary_pdf": "a PDF download (GET)",
    "followups:case_summary_seal": _BUTTON,
    "followups:answer": "the questionnaire form fuzzed through `followups:link`, signed in",
}

#: Pages the crawler never opens, forms it never posts (signing out would end the session).
SKIP_PAGES = {"logout", "sign_out_everywhere"}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, textarea, number, date, datetime-local, hidden, checkbox, radio, select...
    default: str
    options: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None


@dataclass
class FoundForm:
    page: str
    action: str
    route: str
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return (self.route, tuple(sorted(self.fields)))

    def __str__(self) -> str:  # starts with the route name (PATHWAY_FUZZ_ONLY selects by it)
        return f"{self.route} ({self.action}, found on {self.page})"


# ---------------------------------------------------------------------------- crawling


def route_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name if match.namespaces or match.url_name else None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def parse_forms(page: str, html: bytes) -> list[FoundForm]:
    if not html.strip():
        return []
    doc = lxml.html.fromstring(html)
    found = []
    for form in doc.forms:
        if (form.method or "GET").upper() != "POST":
            continue
        action = urlsplit(urljoin(page, form.action or page)).path
        route = route_name(action)
        if route is None:
            continue
        fields: dict[str, Field] = {}
        for el in form.xpath(".//input|.//select|.//textarea|.//button"):
            name = el.get("name")
            if not name or name == "csrfmiddlewaretoken":
                continue
            tag = el.tag
            kind = el.get("type", "text") if tag == "input" else tag
            if tag == "button":
                kind = "select"
            options: tuple[str, ...] = ()
            if tag == "select":
                options = tuple(o.get("value", o.text or "") for o in el.xpath(".//option"))
            value = el.get("value", "") if tag != "textarea" else (el.text or "")
            previous = fields.get(name)
            if previous and kind in ("radio", "select", "checkbox"):
                options = tuple(dict.fromkeys((*previous.options, value)))
                fields[name] = Field(name, kind, previous.default, options)
                continue
            if kind in ("radio", "checkbox") or tag == "button":
                options = (value,)
            if kind in ("submit", "reset", "image"):
                continue
            fields[name] = Field(
                name, kind, value, options, _float(el.get("min")), _float(el.get("max"))
            )
        found.append(FoundForm(page=page, action=action, route=route, fields=fields))
    return found


def crawl(client: Client, seeds: list[str], limit: int = 160) -> dict[tuple[Any, ...], FoundForm]:
    """Every post form reachable from `seeds` through links to project pages."""
    seen: set[str] = set()
    queue = list(seeds)
    forms: dict[tuple[Any, ...], FoundForm] = {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        name = route_name(path)
        if path in seen or name is None or name in SKIP_PAGES or name.startswith("admin"):
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code < 500, f"GET {path} -> {response.status_code}"
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        if "html" not in response.get("Content-Type", ""):
            continue
        for form in parse_forms(path, response.content):
            forms.setdefault(form.key, form)
        doc = lxml.html.fromstring(response.content or b"<html></html>")
        for href in doc.xpath("//a/@href"):
            target = urlsplit(urljoin(path, href))
            if target.netloc in ("", "testserver") and target.path not in seen:
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return forms


# ---------------------------------------------------------------------------- data


@functools.cache
def _signature() -> tuple[str, str]:
    return demo_signature()


def sane_value(item: Field, world: World, user: Any) -> str:
    """A value the form would accept on its own, so hostile values elsewhere get deep."""
    image, strokes = _signature()
    by_name = {
        "password": PASSWORD,
        "username": getattr(user, "username", ""),
        "date_of_birth": world.patient_dob,
        "typed_name": world.patient_name,
        "signature": image,
        "strokes": strokes,
    }
    if item.name in by_name:
        return by_name[item.name]
    if item.kind in ("select", "radio"):
        return next((o for o in item.options if o), item.default)
    if item.kind == "checkbox":
        return item.options[0] if item.options and item.options[0] else "on"
    if item.kind == "number":
        low = item.low if item.low is not None else 1
        high = item.high if item.high is not None else low + 10
        return str(int((low + high) / 2)) if float(low).is_integer() else str(low)
    if item.kind == "date":
        return timezone.localdate().isoformat()
    if item.kind == "datetime-local":
        return timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    if item.kind == "email":
        return "someone@example.invalid"
    return item.default or "A plain answer"


def hostile(item: Field) -> st.SearchStrategy[Any]:
    if item.name == "strokes":
        return st.one_of(fuzz.strokes(), fuzz.json_bodies().map(lambda b: b.decode("latin-1")))
    if item.kind == "json":  # a textarea holding JSON (the admin's JSONField)
        return st.one_of(fuzz.json_bodies().map(lambda b: b.decode("latin-1")), fuzz.TEXT)
    if item.kind == "number":
        return fuzz.numbers(item.low, item.high)
    if item.kind == "date":
        return fuzz.dates()
    if item.kind == "datetime-local":
        return fuzz.datetimes()
    if item.kind == "file":
        return st.binary(max_size=4000).map(lambda b: SimpleUploadedFile("x.pdf", b))
    if item.kind in ("select", "radio", "checkbox"):
        return st.one_of(st.sampled_from(item.options or ("",)), fuzz.TEXT)
    return fuzz.TEXT


def post_data(form: FoundForm, world: World, user: Any) -> st.SearchStrategy[dict[str, Any]]:
    names = sorted(form.fields)
    if not names:
        return st.dictionaries(fuzz.TEXT.filter(lambda s: len(s) < 50), fuzz.TEXT, max_size=3)

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        mutated = draw(st.sets(st.sampled_from(names), max_size=len(names)))
        data: dict[str, Any] = {}
        for name in names:
            item = form.fields[name]
            if name not in mutated:
                data[name] = sane_value(item, world, user)
                continue
            value = draw(st.one_of(hostile(item), st.none()))
            if value is not None:
                data[name] = value
        return data

    return build()


# ---------------------------------------------------------------------------- checks


def refused(response: Any) -> bool:
    if response.status_code >= 400:
        return True
    queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
    if any(m.level >= messages.ERROR for m in queued):  # this request's messages only
        return True
    return response.status_code == 200 and b'class="errorlist' in response.content


def examples_for(route: str, role: str) -> int:
    """The first role (in ROLES order) that must find a form gets the full number of examples;
    the others, whose difference is mostly what they may do, fewer."""
    first = next((r for r in ROLES if r in FORM_ROUTES.get(route, {role})), role)
    return fuzz.EXAMPLES if role == first else fuzz.OTHER_ROLE_EXAMPLES


def fuzz_form(client: Client, form: FoundForm, world: World, user: Any, role: str) -> None:
    @settings(fuzz.FUZZ_SETTINGS, max_examples=examples_for(form.route, role))
    @given(data=post_data(form, world, user))
    def run(data: dict[str, Any]) -> None:
        with fuzz.rolled_back():
            before, head = fuzz.snapshot(), fuzz.audit_head()
            response = client.post(form.action, data)
            assert response.status_code < 500, f"{response.status_code} from {form}"
            if refused(response):
                tables, actions = ROUTE_BOOKKEEPING.get(form.route, (set(), "^$"))
                changed = [
                    t for t in fuzz.changed_tables(before, fuzz.snapshot()) if t not in tables
                ]
                audit = [
                    a
                    for a in fuzz.unexpected_audit(fuzz.audit_actions_since(head))
                    if not re.search(actions, a)
                ]
                assert (changed, audit) == ([], []), f"refused but wrote: {changed} {audit}"

    run()


def client_for(role: str, world: World) -> tuple[Client, Any]:
    client = Client()
    if role == "link":
        world.open_links(client)
        return client, None
    user = world.users.get(role)
    if user is not None:
        client.force_login(user)
    return client, user


@pytest.mark.parametrize("role", ROLES)
def test_no_form_answers_5xx_or_writes_when_refusing(role: str, sealing: Any) -> None:
    """`sealing`: the test PKI, so the verify page can check uploads (not 503)."""
    world = build_world()
    client, user = client_for(role, world)
    forms = crawl(client, world.seeds(role))
    found = {form.route for form in forms.values()}
    expected = {route for route, roles in FORM_ROUTES.items() if role in roles}
    assert expected <= found, f"{role} no longer finds a form for {sorted(expected - found)}"
    fuzz.run_each(
        {
            f"{form} {sorted(form.fields)}": functools.partial(
                fuzz_form, client, form, world, user, role
            )
            for form in forms.values()
            if form.route not in SKIP_PAGES
        }
    )


def test_every_route_is_fuzzed_or_has_no_form() -> None:
    names = {route.name for route in project_routes()}
    unlisted = names - set(FORM_ROUTES) - set(NO_FORM)
    assert not unlisted, f"list these routes in FORM_ROUTES or NO_FORM: {sorted(unlisted)}"
    assert not set(FORM_ROUTES) & set(NO_FORM)
    assert not (set(FORM_ROUTES) | set(NO_FORM)) - names, "a listed route no longer exists"
