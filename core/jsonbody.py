"""Parse a JSON request body safely: invalid or too deeply nested input is a 400, not a 500.

Python's `json.loads` recurses once per nesting level, so `[[[[...]]]]` a few thousand levels
deep raises RecursionError (a 500). `parse_json` refuses anything nested deeper than
`settings.JSON_MAX_DEPTH` before parsing. Every view that reads a JSON body should use it
(today: `planning.pathway.views.api_case_transition`; `core.middleware.ApiGuardMiddleware` also
refuses too-deep bodies on every `/api/` path in the meantime).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings

from core.errors import ValidationFailed
from core.validators import reject_json_constant

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in `raw` (brackets inside strings ignored)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def parse_json(raw: bytes | str, *, max_depth: int | None = None) -> Any:
    """The parsed body, or ValidationFailed({"body": ...}) naming what is wrong. NaN and
    Infinity (which Python's json accepts) are refused: they are not JSON."""
    data = raw.encode() if isinstance(raw, str) else raw
    limit = settings.JSON_MAX_DEPTH if max_depth is None else max_depth
    if json_depth(data) > limit:
        raise ValidationFailed({"body": f"The JSON body is nested more than {limit} levels."})
    try:
        return json.loads(data or b"{}", parse_constant=reject_json_constant)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, NaN/Infinity
        raise ValidationFailed({"body": "The request body is not valid JSON."}) from None
