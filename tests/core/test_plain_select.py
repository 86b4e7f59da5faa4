"""core.forms.PlainSelect writes the same <select> as Django's template widget."""

from __future__ import annotations

import re

import pytest
from django import forms

from core.forms import PlainSelect

CHOICES = [("", "Any"), ("a", "Alpha & <b>"), ("2", "Two"), ("x y", 'Quote "q"')]


def _normalised(html: str) -> tuple[list[str], str]:
    """(the <select> tag's attributes in any order, the options' markup)."""
    text = re.sub(r">\s+<", "><", str(html)).strip()
    opening, rest = text.split(">", 1)
    return sorted(re.findall(r'[\w-]+="[^"]*"|[\w-]+', opening.removeprefix("<select"))), rest


@pytest.mark.parametrize("value", [None, "", "a", "2", "x y", "missing"])
def test_same_markup_as_django_select(value) -> None:
    class Template(forms.Form):
        pick = forms.ChoiceField(choices=CHOICES, required=False)

    class Plain(forms.Form):
        pick = forms.ChoiceField(choices=CHOICES, required=False, widget=PlainSelect)

    data = None if value is None else {"pick": value}
    expected, got = Template(data)["pick"], Plain(data)["pick"]
    assert _normalised(got) == _normalised(expected)
    assert "&lt;b&gt;" in str(got) and "&amp;" in str(got)


def test_errors_reach_the_attributes() -> None:
    class Template(forms.Form):
        pick = forms.ChoiceField(choices=CHOICES)

    class Plain(forms.Form):
        pick = forms.ChoiceField(choices=CHOICES, widget=PlainSelect)

    expected, got = Template({"pick": "nope"}), Plain({"pick": "nope"})
    assert not expected.is_valid() and not got.is_valid()
    assert _normalised(got["pick"]) == _normalised(expected["pick"])
    assert 'aria-invalid="true"' in str(got["pick"])
