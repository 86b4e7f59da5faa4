"""The access table's mechanism: an action is either gated by a permission or declared open,
names are unique, and a view without `@access_action` cannot reach a record."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.access import Action, current_action, get_action, register_actions


def test_an_action_needs_a_permission_or_an_explicit_opening() -> None:
    with pytest.raises(ValueError, match="give a permission"):
        Action("x.none", "neither")
    with pytest.raises(ValueError, match="give a permission"):
        Action("x.both", "both", perm="core.view_patient", public=True)
    Action("x.public", "open", public=True)


def test_a_name_declared_twice_differently_is_refused() -> None:
    known = get_action("case.view")
    register_actions("planning", [known])  # the same declaration again is harmless
    with pytest.raises(ValueError, match="already declared"):
        register_actions("core", [Action("case.view", "other", perm="core.view_patient")])
    with pytest.raises(ValueError, match="not its own"):
        register_actions("consent", [Action("x.y", "borrowed", perm="planning.view_plan")])
    assert get_action("case.view") == known


def test_unknown_action_and_undecorated_view_fail_loudly() -> None:
    with pytest.raises(LookupError, match="nope"):
        get_action("nope")
    with pytest.raises(RuntimeError, match="no @access_action"):
        current_action(RequestFactory().get("/somewhere/"))
