"""Property-based tests over every JSON endpoint (the API, FHIR, the passkey views): hostile
query strings and bodies never yield a 5xx, and a refused call writes nothing.

This complements tests/api/test_schema_conformance.py, which checks conformance to the
OpenAPI document with schemathesis: here the values are the hostile ones of
tests/security/fuzz.py (NaN and infinities, 64-bit overflows, the years 1 and 9999, NUL,
JSON nested a thousand levels deep, bodies that are not JSON), the endpoints include the FHIR
and passkey views the schema does not describe, and every role calls each one. The endpoints
are read from the URL resolver: a new one fails `test_every_json_endpoint_is_listed` until
`ENDPOINTS` says what to send it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import given, settings
from hypothesis import strategies as st

from interop.fhir import codes
from tests.security import fuzz
from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db

JSON_NAMESPACES = ("api", "interop", "otp_webauthn")
ROLES = ["physician", "clinician", "admin_staff", "patient", "anonymous"]


def _text_param() -> st.SearchStrategy[str]:
    return st.one_of(fuzz.TEXT, fuzz.numbers(), fuzz.datetimes())


def fhir_patient() -> st.SearchStrategy[dict[str, Any]]:
    """A FHIR Patient whose every field may be hostile (and a Bundle with a response)."""
    patient = st.fixed_dictionaries(
        {
            "resourceType": st.just("Patient"),
            "name": st.lists(
                st.fixed_dictionaries({"family": fuzz.TEXT, "given": st.lists(fuzz.TEXT)}),
                min_size=1,
                max_size=2,
            ),
            "birthDate": fuzz.dates(),
            "identifier": st.lists(
                st.fixed_dictionaries({"system": st.just(codes.MRN_SYSTEM), "value": fuzz.TEXT}),
                max_size=2,
            ),
            "telecom": st.lists(
                st.fixed_dictionaries(
                    {"system": st.sampled_from(["email", "phone"]), "value": fuzz.TEXT}
                ),
                max_size=2,
            ),
            "gender": st.sampled_from(["male", "female", "other", "unknown"]),
        }
    )
    response = st.fixed_dictionaries(
        {
            "resourceType": st.just("QuestionnaireResponse"),
            "status": st.just("completed"),
            "questionnaire": st.sampled_from([codes.QUESTIONNAIRE_BASE + "phq9|1", "x"]),
            "authored": fuzz.datetimes(),
            "item": st.lists(
                st.fixed_dictionaries(
                    {
                        "linkId": st.sampled_from([f"phq9_{i}" for i in range(1, 10)]),
                        "answer": st.just([{"valueInteger": 1}]),
                    }
                ),
                max_size=9,
            ),
        }
    )
    bundle = st.tuples(patient, st.lists(response, max_size=2)).map(
        lambda pr: {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": r} for r in [pr[0], *pr[1]]],
        }
    )
    return st.one_of(patient, bundle)


def transition_body() -> st.SearchStrategy[dict[str, Any]]:
    names = st.sampled_from(["hold", "resume", "withdraw", "complete_consultation", ""])
    return st.fixed_dictionaries(
        {},
        optional={
            "transition": st.one_of(names, fuzz.json_values(3)),
            "reason": st.one_of(fuzz.TEXT, fuzz.json_values(3)),
            "expected_state": st.one_of(st.sampled_from(["active", "evaluation"]), fuzz.TEXT),
        },
    )


def _bodies(shaped: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    return st.one_of(shaped.map(lambda v: fuzz.dumps(v).encode()), fuzz.json_bodies())


@dataclass(frozen=True)
class Endpoint:
    methods: tuple[str, ...] = ("get",)
    params: tuple[str, ...] = ()  # query-string parameters
    body: Callable[[], st.SearchStrategy[bytes]] | None = None
    content_type: str = "application/json"
    kwargs: dict[str, str] = field(default_factory=dict)  # URL kwargs -> World attribute


_CASE = {"case_id": "active_case_id"}
_PAGE = ("page", "page_size")
#: Route name -> what to send. Ids in the path are the clinic's own (and the fuzzer adds ids
#: that do not exist or do not fit 64 bits).
ENDPOINTS: dict[str, Endpoint] = {
    "api:patient_list": Endpoint(params=("mrn", "name", *_PAGE)),
    "api:patient_detail": Endpoint(kwargs={"patient_id": "active_patient_id"}),
    "api:case_list": Endpoint(params=("state", "patient", "physician", *_PAGE)),
    "api:case_detail": Endpoint(kwargs=_CASE),
    "api:case_transitions": Endpoint(
        methods=("get", "post"), kwargs=_CASE, body=lambda: _bodies(transition_body())
    ),
    "api:case_followups": Endpoint(kwargs=_CASE, params=_PAGE),
    "api:case_records": Endpoint(kwargs=_CASE),
    "api:record_download": Endpoint(kwargs={**_CASE, "kind": "kind", "record_id": "record_id"}),
    "api:followup_list": Endpoint(
        params=("status", "kind", "case", "due_before", "due_after", *_PAGE)
    ),
    "interop:patient_create": Endpoint(
        methods=("post",),
        body=lambda: _bodies(fhir_patient()),
        content_type="application/fhir+json",
    ),
    "interop:patient_read": Endpoint(kwargs={"patient_id": "active_patient_id"}),
    "interop:consent_search": Endpoint(params=("patient",)),
    "otp_webauthn:credential-registration-begin": Endpoint(
        methods=("post",), body=fuzz.json_bodies
    ),
    "otp_webauthn:credential-registration-complete": Endpoint(
        methods=("post",), body=fuzz.json_bodies
    ),
    "otp_webauthn:credential-authentication-begin": Endpoint(
        methods=("post",), body=fuzz.json_bodies
    ),
    "otp_webauthn:credential-authentication-complete": Endpoint(
        methods=("post",), body=fuzz.json_bodies
    ),
}
#: Routes of those namespaces that are not JSON endpoints taking input.
NOT_FUZZED = {
    "api:schema": "the OpenAPI document (GET, no input)",
    "api:docs": "Swagger UI (GET, no input)",
    "api:unknown": "every other /api/ path: a JSON 404 (called with junk by the schema test)",
    "interop:unknown": "every other /fhir/ path: a JSON 404",
    "otp_webauthn:js-i18n-catalog": "a JavaScript catalogue (GET)",
}


def json_routes() -> dict[str, str]:
    """Route name -> path pattern, for every route in the JSON namespaces."""
    found: dict[str, str] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern) and namespace.rstrip(":") in JSON_NAMESPACES:
                found[namespace + (entry.name or "")] = prefix + str(entry.pattern)

    walk(get_resolver(), "", "")
    return found


def test_every_json_endpoint_is_listed() -> None:
    names = set(json_routes())
    unlisted = names - set(ENDPOINTS) - set(NOT_FUZZED)
    assert not unlisted, f"say what to send in ENDPOINTS (or why not in NOT_FUZZED): {unlisted}"
    assert not (set(ENDPOINTS) | set(NOT_FUZZED)) - names, "a listed route no longer exists"


# ---------------------------------------------------------------------------- calls

_PATH_ID = st.one_of(
    st.just("own"), st.sampled_from(["0", "999999", str(2**63), str(2**64), "9" * 40])
)


def _path(pattern: str, endpoint: Endpoint, ids: dict[str, str], draw: st.DrawFn) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        if name == "kind":
            return draw(st.sampled_from(["consent", "plan", "x"]))
        choice = draw(_PATH_ID)
        return ids.get(endpoint.kwargs.get(name, ""), "1") if choice == "own" else choice

    path = re.sub(r"<(?:(\w+):)?(\w+)>", fill, pattern)
    return "/" + path.lstrip("^").rstrip("$")


def calls(
    pattern: str, endpoint: Endpoint, ids: dict[str, str]
) -> st.SearchStrategy[tuple[str, str, dict[str, Any]]]:
    @st.composite
    def build(draw: st.DrawFn) -> tuple[str, str, dict[str, Any]]:
        method = draw(st.sampled_from(endpoint.methods))
        path = _path(pattern, endpoint, ids, draw)
        params = draw(st.dictionaries(st.sampled_from(endpoint.params or ("q",)), _text_param()))
        if params:
            path += "?" + urlencode(params)
        extra: dict[str, Any] = {}
        if method == "post" and endpoint.body is not None:
            extra = {"data": draw(endpoint.body()), "content_type": endpoint.content_type}
        return method, path, extra

    return build()


def world_ids(world: World) -> dict[str, str]:
    active = world.cases[2]
    plan = active.plans.order_by("pk").first()
    return {
        "active_case_id": str(active.pk),
        "active_patient_id": str(active.patient_id),
        "record_id": str(plan.pk if plan else 1),
    }


def client_for(role: str, world: World) -> Client:
    client = Client()
    if role in world.users:
        client.force_login(world.users[role])
    return client


def fuzz_endpoint(client: Client, name: str, pattern: str, ids: dict[str, str], role: str) -> None:
    endpoint = ENDPOINTS[name]
    examples = fuzz.EXAMPLES if role == ROLES[0] else fuzz.OTHER_ROLE_EXAMPLES

    @settings(fuzz.FUZZ_SETTINGS, max_examples=examples)
    @given(call=calls(pattern, endpoint, ids))
    def run(call: tuple[str, str, dict[str, Any]]) -> None:
        method, path, extra = call
        with fuzz.rolled_back():
            before, head = fuzz.snapshot(), fuzz.audit_head()
            response = getattr(client, method)(path, **extra)
            assert response.status_code < 500, f"{method.upper()} {path} -> {response.status_code}"
            if response.status_code >= 400:
                assert response["Content-Type"].split(";")[0].endswith("json"), response.content
                json.loads(response.content)
                changed = fuzz.changed_tables(before, fuzz.snapshot())
                audit = fuzz.unexpected_audit(fuzz.audit_actions_since(head))
                assert (changed, audit) == ([], []), f"refused but wrote: {changed} {audit}"

    run()


@pytest.mark.parametrize("role", ROLES)
def test_no_json_endpoint_answers_5xx_or_writes_when_refusing(role: str) -> None:
    world = build_world()
    client, ids = client_for(role, world), world_ids(world)
    fuzz.run_each(
        {
            name: functools.partial(fuzz_endpoint, client, name, pattern, ids, role)
            for name, pattern in sorted(json_routes().items())
            if name in ENDPOINTS
        }
    )
