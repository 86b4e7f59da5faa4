"""Every patient-facing string is translated: the Spanish catalog is complete (no empty or fuzzy
message), the committed .mo says exactly what the .po says, the catalog holds every string the
code marks for translation (makemessages run afresh), and no patient-facing template has text
outside the translate tags (tests/i18n/lint.py)."""

from __future__ import annotations

import gettext
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from tests.i18n.lint import PATIENT_TEMPLATES, patient_templates, untranslated_text
from tests.i18n.po import Entry, parse

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]


def _po(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def _key(entry: Entry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete(language: str) -> None:
    entries = [e for e in parse(_po(language)) if not e.obsolete]
    assert entries
    missing = [e.msgid for e in entries if e.fuzzy or not e.translated]
    assert missing == [], f"untranslated or fuzzy in locale/{language}: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_po(language: str) -> None:
    """The .mo is committed (no build step); it must say what the .po says."""
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in parse(_po(language)):
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            expected.update({(_key(entry), i): text for i, text in entry.msgstr.items()})
        else:
            expected[_key(entry)] = entry.msgstr[0]
    compiled = {k: v for k, v in catalog.items() if k != ""}
    assert compiled == expected, (
        "locale .mo is out of date: run `python manage.py compilemessages --ignore=.venv`"
    )


SKIP_DIRS = {".git", ".venv", "tests", "bench", "locale", "static", "staticfiles", "var"}


def _copy_sources(target: Path) -> None:
    """makemessages writes into any locale/ directory it walks past, so it runs on a copy."""
    root = Path(settings.BASE_DIR)
    ignore = shutil.ignore_patterns("__pycache__", "node_modules", "*.pyc", "migrations")
    for child in root.iterdir():
        if child.is_dir() and child.name not in SKIP_DIRS:
            shutil.copytree(child, target / child.name, ignore=ignore)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_covers_every_marked_string(
    language: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """makemessages afresh: a string marked for translation anywhere (a template, a form, a
    service message) that the committed catalog lacks or leaves untranslated fails here."""
    assert shutil.which("xgettext"), "gettext is needed: apt-get install gettext"
    _copy_sources(tmp_path)
    fresh = tmp_path / "locale"
    (fresh / language / "LC_MESSAGES").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[fresh]):
        call_command(
            "makemessages", locale=[language], extensions=["html", "txt", "py"], verbosity=0
        )
    wanted = {_key(e) for e in parse(fresh / language / "LC_MESSAGES" / "django.po")}
    have = {_key(e) for e in parse(_po(language)) if e.translated and not e.fuzzy}
    missing = sorted(wanted - have)
    assert wanted and missing == [], (
        f"not translated in locale/{language} (README 'Languages' says how): {missing}"
    )


def test_patient_templates_are_listed_and_exist() -> None:
    found = patient_templates()
    assert len(found) >= 30
    for pattern in PATIENT_TEMPLATES:
        assert any(p.match(pattern) for p in found), f"no template matches {pattern}"


@pytest.mark.parametrize("path", patient_templates(), ids=str)
def test_patient_template_has_no_text_outside_translate_tags(path: Path) -> None:
    source = (Path(settings.BASE_DIR) / "templates" / path).read_text(encoding="utf-8")
    assert untranslated_text(source) == [], f"templates/{path}: wrap this text in translate tags"


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("<p>Hello</p>", ["Hello"]),
        ('{% load i18n %}<p>{% translate "Hello" %} · 12</p>', []),
        ("{% load i18n %}{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}", []),
        ('<img alt="A signature" src="x.png">', ["A signature"]),
        ('<a class="button big" href="/x">{{ label }}</a>', []),
        ("<style>.a { content: 'Page'; }</style>SHA-256 {{ hash }}", []),
        ("{{ clinic_name }}: Dear {{ name }}", [": Dear"]),
        ("{% comment %}Include with: chart{% endcomment %}<p>Hi</p>", ["Hi"]),
    ],
)
def test_lint_finds_text_outside_translate_tags(source: str, found: list[str]) -> None:
    assert [t.replace("\x00", "").strip() for t in untranslated_text(source)] == [
        f.strip() for f in found
    ]
