"""The template lint: patient-facing templates carry no human text outside {% translate %} /
{% blocktranslate %}. Text is read with Django's own template Lexer; markup, CSS, scripts,
placeholders, numbers, punctuation and a few technical names (SHA-256, PDF, IP) are allowed.

A new patient-facing template goes in PATIENT_TEMPLATES (a glob under templates/)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.template.base import Lexer, TokenType

PATIENT_TEMPLATES = (
    "base.html",
    "403.html",
    "404.html",
    "core/_language_switch.html",
    "consent/link_*.html",
    "consent/_link_head.html",
    "consent/_copy_status.html",
    "consent/_signer.html",
    "consent/_signing_document.html",
    "consent/_disclosure_text.html",
    "consent/_patient_panel.html",
    "consent/withdraw.html",
    "consent/tablet/handover.html",
    "consent/tablet/handback.html",
    "consent/tablet/refused.html",
    "consent/tablet/_staff_exit.html",
    "consent/pdf/consent_record.html",
    "followups/dob.html",
    "followups/gone.html",
    "followups/questionnaire.html",
    "followups/thanks.html",
    "pathway/patient_home.html",
    "core/_clinic_contact.html",
    "treatment/_patient_next_session.html",
    "followups/_patient_open.html",
    "followups/_patient_progress.html",
    "charts/_line_chart.html",
    "followups/received.html",
    "intake/_patient_history.html",
    "records/archive_summary.html",
    "emails/_contact.*",
    "emails/consent_*",
    "emails/followup-*",
    "sms/*",
)

# Attributes people read (the rest — class, href, data-testid ... — are machine text).
HUMAN_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "data-done", "data-msg-[a-z-]+")
TECHNICAL = re.compile(r"Pathway|SHA-256|PDF/A-3b|PDF|PAdES|IP|PHQ-9|HTML|https?://\S+")
PLACEHOLDER = "\x00"


def patient_templates() -> list[Path]:
    root = Path(settings.BASE_DIR) / "templates"
    found = {p.relative_to(root) for pattern in PATIENT_TEMPLATES for p in root.glob(pattern)}
    return sorted(found)


def untranslated_text(source: str) -> list[str]:
    """The pieces of human text outside translate tags (empty: the template is clean)."""
    stream = _text_outside_translation(source)
    stream = re.sub(r"<(style|script)\b.*?</\1>", " ", stream, flags=re.S | re.I)
    stream = re.sub(r"<!--.*?-->", " ", stream, flags=re.S)
    found = []
    for tag in re.findall(r"<[^>]*>", stream):
        for name in HUMAN_ATTRIBUTES:
            found += [v for v in re.findall(rf'\s{name}="([^"]*)"', tag) if _human(v)]
    found += [t.strip() for t in re.split(r"<[^>]*>", stream) if _human(t)]
    return found


def _text_outside_translation(source: str) -> str:
    parts: list[str] = []
    inside = False
    for token in Lexer(source).tokenize():
        words = token.contents.split()
        name = words[0] if token.token_type == TokenType.BLOCK and words else ""
        if name in ("blocktranslate", "blocktrans", "comment"):  # a comment is no page text
            inside = True
        elif name in ("endblocktranslate", "endblocktrans", "endcomment"):
            inside = False
        if token.token_type == TokenType.TEXT and not inside:
            parts.append(token.contents)
        else:
            parts.append(PLACEHOLDER)
    return "".join(parts)


def _human(text: str) -> bool:
    text = text.replace(PLACEHOLDER, " ")
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    text = TECHNICAL.sub(" ", text)
    return re.search(r"[^\W\d_]", text) is not None
