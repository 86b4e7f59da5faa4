"""Property-based tests over the Django admin: hostile input to any add or change form never
yields a 5xx, and a refused post writes nothing.

The admins are not listed by hand: every ModelAdmin on `admin.site` is taken from its registry,
so a newly registered model is covered. For each, as a superuser and as a clinic admin (the
role with admin access), the test opens the add page (if the admin allows adding) and the
change page of one existing object, reads the form's fields as rendered (inline formsets'
management fields included, the empty `__prefix__` template left out) and posts hypothesis data
in which some fields keep their rendered value and the others get hostile ones
(tests/security/fuzz.py, the same strategies as tests/security/test_fuzz_forms.py). A page the
role may not open, or one shown read-only, is posted junk anyway: it must refuse and change
nothing.

`NOT_FUZZABLE` names the admins with no form to fuzz and why (read-only by design); they get
the refused-post check. `test_every_admin_is_fuzzed_or_listed` fails for an admin with neither
a form nor a reason, and for a listed one that has grown a form.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.db.models import JSONField, Model
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from api.services import api_token_issue
from consent.models import ConsentVersion
from core.admin import BoundedAdminMixin
from core.models import User
from core.validators import CLINICAL_TEXT_MAX, DOCUMENT_TEXT_MAX
from tests.conftest import make_user
from tests.security import fuzz
from tests.security.test_fuzz_forms import FoundForm, hostile, parse_forms, post_data, refused
from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "clinic_admin"]

#: Examples per admin form and role (the admin's forms are many; each is a plain ModelForm).
EXAMPLES = max(1, fuzz.EXAMPLES * 2 // 5)

#: Admins Django registers itself (a group's name is a 150-character CharField, nothing else
#: to bound); fuzzed all the same.
DJANGO_ADMINS = {"auth.group"}

#: Fields allowed more text than CLINICAL_TEXT_MAX (a consent document's body).
LONG_TEXT = {"body_markdown": DOCUMENT_TEXT_MAX, "definition": DOCUMENT_TEXT_MAX}

#: Model label -> why its admin has no form to fuzz. Each still gets junk posted to its add
#: and change URLs, which must be refused without a write.
NOT_FUZZABLE: dict[str, str] = {
    "core.auditentry": "the audit trail is append-only: no add, change or delete",
    "consent.consentrequest": "read-only: requests are made and answered by the consent services",
    "consent.consentsignature": "read-only: a signature is evidence and never edited",
    "records.sealedrecord": "read-only: a sealed PDF is evidence and never edited",
}


def _superuser() -> User:
    return make_user(None, is_staff=True, is_superuser=True, username="fuzz-root")


def _request_as(user: User) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _examples(model: type[Model]) -> list[Model]:
    """The objects whose change page may be fuzzed (the first a role may change is): a few,
    by primary key."""
    first = _example(model)
    rest = list(model._default_manager.order_by("pk")[:20])
    return ([first] if first is not None else []) + rest


def _example(model: type[Model]) -> Model | None:
    """The object whose change page is fuzzed: the first by primary key (a published consent
    version is read-only, so a draft is preferred where there is one)."""
    objects = model._default_manager.order_by("pk")
    if model._meta.label_lower == "consent.consentversion":
        return objects.filter(published_at__isnull=True).first() or objects.first()
    return objects.first()


def _url(model: type[Model], view: str, *args: Any) -> str:
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def targets(model: type[Model], model_admin: ModelAdmin[Any], user: User) -> list[str]:
    """The admin pages with a form `user` may post: add, the change page of one object, and a
    user's change-password page."""
    request = _request_as(user)
    pages = []
    if model_admin.has_add_permission(request):
        pages.append(_url(model, "add"))
    obj = next((o for o in _examples(model) if model_admin.has_change_permission(request, o)), None)
    if obj is not None:
        pages.append(_url(model, "change", obj.pk))
        if model is User:
            pages.append(reverse("admin:auth_user_password_change", args=[obj.pk]))
    return pages


def junk_targets(model: type[Model]) -> list[str]:
    """The add and change URLs of a model, whatever the admin allows."""
    obj = _example(model)
    return [_url(model, "add")] + ([_url(model, "change", obj.pk)] if obj is not None else [])


def json_fields(model_admin: ModelAdmin[Any]) -> set[str]:
    """The names of the JSON fields of the admin's model and its inlines' models."""
    models = [model_admin.model] + [inline.model for inline in model_admin.inlines]
    return {
        f.name for model in models for f in model._meta.concrete_fields if isinstance(f, JSONField)
    }


def admin_form(client: Client, page: str, json: set[str]) -> FoundForm | None:
    """The page's own form (posting to itself) with its fields, or None when the page shows
    none (refused, or read-only: a view-only page has no save button)."""
    response = client.get(page)
    assert response.status_code < 500, f"GET {page} -> {response.status_code}"
    if response.status_code != 200:
        return None
    saves = b'name="_save"' in response.content  # a change form without fields still saves
    browser = {
        urlsplit(urljoin(page, f.action or page)).path: dict(f.form_values())
        for f in lxml.html.fromstring(response.content).forms
    }
    for form in parse_forms(page, response.content):
        if form.action == page and (form.fields or saves):
            BASELINE[page] = browser.get(page, {})
            form.fields = {
                n: replace(f, kind="json") if n.split("-")[-1] in json else f
                for n, f in form.fields.items()
                if "__prefix__" not in n
            }
            return form
    return None


TEXT_KINDS = {"text", "textarea", "json", "email", "url", "search", "tel"}


def check_post(client: Client, form: FoundForm, data: dict[str, Any]) -> None:
    page = form.action
    with fuzz.rolled_back():
        before, head = fuzz.snapshot(), fuzz.audit_head()
        response = client.post(page, data)
        assert response.status_code < 500, f"{response.status_code} from {page}"
        if refused(response) or (response.status_code == 302 and "/login/" in response["Location"]):
            changed = fuzz.changed_tables(before, fuzz.snapshot())
            audit = fuzz.unexpected_audit(fuzz.audit_actions_since(head))
            assert (changed, audit) == ([], []), f"refused but wrote: {changed} {audit}"
        else:  # accepted: every value within the bounds of core/validators.py
            long = {
                name: len(value)
                for name, value in data.items()
                if isinstance(value, str)
                and name in form.fields
                and form.fields[name].kind in TEXT_KINDS
                and len(value) > LONG_TEXT.get(name.split("-")[-1], CLINICAL_TEXT_MAX)
            }
            assert not long, f"{page} accepted text beyond its bound: {long}"


#: Page -> the values a browser would post unchanged (selected options, checked boxes, the
#: object's current values): the baseline each example mutates, so it gets past the fields it
#: leaves alone (the crawler's generic sane values fit the admin's forms poorly).
BASELINE: dict[str, dict[str, str]] = {}
#: The clinic and the user of the running test (for the crawler's sane values).
WORLD: list[Any] = []


def admin_post_data(form: FoundForm) -> st.SearchStrategy[dict[str, Any]]:
    names = sorted(form.fields)
    baseline = BASELINE.get(form.action, {})

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        mutated = draw(st.sets(st.sampled_from(names), max_size=3)) if names else set()
        data: dict[str, Any] = {n: v for n, v in baseline.items() if n not in mutated}
        for name in mutated:
            value = draw(st.one_of(hostile(form.fields[name]), st.none()))
            if value is not None:
                data[name] = value
        return data

    return build()


def fuzz_admin_form(client: Client, form: FoundForm) -> None:
    @settings(fuzz.FUZZ_SETTINGS, max_examples=EXAMPLES)
    @given(data=st.one_of(admin_post_data(form), post_data(form, *WORLD)))
    def run(data: dict[str, Any]) -> None:
        check_post(client, form, data)

    run()


def post_junk(client: Client, model: type[Model], page: str) -> None:
    """A page with no form for this role: whatever is posted, nothing changes."""
    names = sorted(f.name for f in model._meta.concrete_fields)
    junk = st.fixed_dictionaries({}, optional=dict.fromkeys(names, fuzz.TEXT))

    @settings(fuzz.FUZZ_SETTINGS, max_examples=max(1, EXAMPLES // 3))
    @given(data=junk)
    def run(data: dict[str, Any]) -> None:
        with fuzz.rolled_back():
            before, head = fuzz.snapshot(), fuzz.audit_head()
            response = client.post(page, data)
            assert response.status_code < 500, f"{response.status_code} from {page}"
            changed = fuzz.changed_tables(before, fuzz.snapshot())
            audit = fuzz.unexpected_audit(fuzz.audit_actions_since(head))
            assert (changed, audit) == ([], []), f"a post with no form wrote: {changed} {audit}"

    run()


def admin_world() -> tuple[World, dict[str, User]]:
    """The crawler's clinic, a superuser, and an API token (so its change page exists)."""
    world = build_world()
    users = {"superuser": _superuser(), "clinic_admin": world.users["clinic_admin"]}
    api_token_issue(user=world.users["physician"], name="fuzz", actor=users["superuser"])
    published = ConsentVersion.objects.order_by("pk").first()
    assert published is not None
    ConsentVersion.objects.create(  # a draft: a published version is read-only
        document=published.document,
        label="fuzz-draft",
        language=published.language,
        title="A draft",
        body_markdown="A draft's body.",
    )
    return world, users


@pytest.mark.parametrize("role", ROLES)
def test_no_admin_form_answers_5xx_or_writes_when_refusing(role: str, sealing: Any) -> None:
    world, users = admin_world()
    user = users[role]
    WORLD[:] = [world, user]
    client = Client()
    client.force_login(user)
    runs = {}
    for model, model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower
    ):
        label = model._meta.label_lower
        fuzzed = set()
        for page in targets(model, model_admin, user):
            form = admin_form(client, page, json_fields(model_admin))
            if form is None:
                continue
            fuzzed.add(page)
            runs[f"{label} {page} {sorted(form.fields)}"] = functools.partial(
                fuzz_admin_form, client, form
            )
        for page in junk_targets(model):
            if page not in fuzzed:
                runs[f"{label} {page} (no form)"] = functools.partial(
                    post_junk, client, model, page
                )
    if role == "superuser":
        forms = {name.split()[0] for name in runs if not name.endswith("(no form)")}
        expected = {m._meta.label_lower for m in admin.site._registry} - set(NOT_FUZZABLE)
        assert expected <= forms, f"no admin form found for {sorted(expected - forms)}"
    fuzz.run_each(runs)


def test_every_admin_is_fuzzed_or_listed() -> None:
    """An admin with an add or change form for a superuser is fuzzed; any other must say why
    in NOT_FUZZABLE (and a listed one must really have no form)."""
    admin_world()
    root = User.objects.get(username="fuzz-root")
    registered = {m._meta.label_lower: (m, a) for m, a in admin.site._registry.items()}
    formless = {label for label, (m, a) in registered.items() if not targets(m, a, root)}
    assert formless <= set(NOT_FUZZABLE), (
        f"list these admins in NOT_FUZZABLE with a reason, or give the test world an object "
        f"for their change page: {sorted(formless - set(NOT_FUZZABLE))}"
    )
    assert set(NOT_FUZZABLE) <= formless, (
        f"these admins have a form now; remove them from NOT_FUZZABLE: "
        f"{sorted(set(NOT_FUZZABLE) - formless)}"
    )
    assert all(reason.strip() for reason in NOT_FUZZABLE.values())
    unbounded = {
        label
        for label, (m, a) in registered.items()
        if label not in formless and label not in DJANGO_ADMINS
        for admin_ in (a, *(inline(m, admin.site) for inline in a.inlines))
        if not isinstance(admin_, BoundedAdminMixin)
    }
    assert not unbounded, f"give these admins (and inlines) BoundedAdminMixin: {unbounded}"


@pytest.mark.parametrize(
    ("model_label", "field", "value"),
    [
        ("core.clinicsettings", "consent_link_days", str(10**12)),
        ("core.clinicsettings", "bp_systolic_max", "0"),
        ("core.clinicsettings", "dose_tolerance_percent", "sNaN"),
        ("core.patient", "date_of_birth", "0001-01-01"),
        ("planning.questionnairedefinition", "definition", "[" * 3000 + "]" * 3000),
        ("planning.questionnairedefinition", "definition", '{"items": NaN}'),
        ("planning.contraindicationtype", "note", "x" * 20_000),
        ("planning.interactionclass", "synonyms", "x" * 20_000),
    ],
)
def test_admin_refuses_values_beyond_bounds(model_label: str, field: str, value: str) -> None:
    """The bounds the fuzzing checks, one value each: refused with a field error, unchanged."""
    _, users = admin_world()
    client = Client()
    client.force_login(users["superuser"])
    model = next(m for m in admin.site._registry if m._meta.label_lower == model_label)
    obj = (
        model._default_manager.filter(questionnaireresponse__isnull=True).first()
        if (model_label == "planning.questionnairedefinition")
        else model._default_manager.order_by("pk").first()
    )
    assert obj is not None
    page = _url(model, "change", obj.pk)
    form = admin_form(client, page, json_fields(admin.site._registry[model]))
    assert form is not None and field in form.fields
    before = fuzz.snapshot()
    response = client.post(page, {**BASELINE[page], field: value})
    assert response.status_code == 200 and refused(response), response.status_code
    assert fuzz.changed_tables(before, fuzz.snapshot()) == []
