"""Server-side checks that a drawn signature is plausible: the browser is never trusted.

A signature arrives twice: as a PNG (what is shown and archived) and as signature_pad's stroke
data (points with times). Both must describe a real mark of reasonable size.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from core.validators import reject_json_constant

MAX_PNG_BYTES = 400_000
MAX_STROKE_JSON = 400_000
MIN_POINTS = 12
MIN_WIDTH_PX = 40
MIN_HEIGHT_PX = 12
MIN_INK_PIXELS = 60
MAX_STROKES = 200
MAX_POINTS = 20_000  # all strokes together
#: Points are canvas pixels; a stroke may wander a little past the pad's edge, never this far.
COORDINATE_LIMIT = 10_000.0
TIME_LIMIT = 1e14  # milliseconds since 1970: year 5138
_PNG_PREFIX = "data:image/png;base64,"


class SignatureImplausible(ValueError):
    """The drawing is blank, too small or malformed; the message says what to do."""


@dataclass(frozen=True)
class CheckedSignature:
    png: bytes
    strokes: list[dict[str, Any]]


def check_signature(data_url: str, strokes_json: str) -> CheckedSignature:
    png = _decode_png(data_url)
    strokes = _parse_strokes(strokes_json)
    points = [p for stroke in strokes for p in stroke["points"]]
    if len(points) < MIN_POINTS:
        raise SignatureImplausible(
            _("Your signature is too short. Please sign with your usual signature.")
        )
    xs, ys = [p["x"] for p in points], [p["y"] for p in points]
    if max(xs) - min(xs) < MIN_WIDTH_PX or max(ys) - min(ys) < MIN_HEIGHT_PX:
        raise SignatureImplausible(_("Your signature is very small. Please sign across the box."))
    _check_ink(png)
    return CheckedSignature(png=png, strokes=strokes)


def _decode_png(data_url: str) -> bytes:
    if not data_url:
        raise SignatureImplausible(_("Please draw your signature in the box."))
    if not data_url.startswith(_PNG_PREFIX) or len(data_url) > MAX_PNG_BYTES * 4 // 3 + 64:
        raise SignatureImplausible(_("The signature image could not be read. Please sign again."))
    try:
        png = base64.b64decode(data_url[len(_PNG_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureImplausible(
            _("The signature image could not be read. Please sign again.")
        ) from None
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise SignatureImplausible(_("The signature image could not be read. Please sign again."))
    return png


def _unreadable() -> str:
    return _("The signature could not be read. Please sign again.")


def _parse_strokes(strokes_json: str) -> list[dict[str, Any]]:
    if not strokes_json or len(strokes_json) > MAX_STROKE_JSON:
        raise SignatureImplausible(_("Please draw your signature in the box."))
    try:
        raw = json.loads(strokes_json, parse_constant=reject_json_constant)
    except (ValueError, RecursionError):  # JSONDecodeError, NaN/Infinity, too deep
        raise SignatureImplausible(_unreadable()) from None
    if not isinstance(raw, list) or not raw:
        raise SignatureImplausible(_("Please draw your signature in the box."))
    if len(raw) > MAX_STROKES:
        raise SignatureImplausible(_("Your signature has too many strokes. Please sign again."))
    strokes = [_stroke(item) for item in raw]
    if sum(len(s["points"]) for s in strokes) > MAX_POINTS:
        raise SignatureImplausible(_("Your signature has too many points. Please sign again."))
    return strokes


def _stroke(item: Any) -> dict[str, Any]:
    """Keep only the numeric fields signature_pad writes; refuse anything else."""
    if not isinstance(item, dict) or not isinstance(item.get("points"), list):
        raise SignatureImplausible(_unreadable())
    if len(item["points"]) > MAX_POINTS:
        raise SignatureImplausible(_("Your signature has too many points. Please sign again."))
    return {"points": [_point(p) for p in item["points"]]}


def _point(p: Any) -> dict[str, float]:
    """x and y finite and near the pad, time (if given) finite and plausible."""
    if not isinstance(p, dict) or "x" not in p or "y" not in p:
        raise SignatureImplausible(_unreadable())
    point = {k: _number(p[k]) for k in ("x", "y", "time") if k in p}
    if abs(point["x"]) > COORDINATE_LIMIT or abs(point["y"]) > COORDINATE_LIMIT:
        raise SignatureImplausible(_unreadable())
    if not 0 <= point.get("time", 0.0) <= TIME_LIMIT:
        raise SignatureImplausible(_unreadable())
    return point


def _number(value: Any) -> float:
    """A JSON number (not a string, not a boolean) that is finite."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SignatureImplausible(_unreadable())
    try:
        number = float(value)
    except OverflowError:  # an integer beyond the float range
        raise SignatureImplausible(_unreadable()) from None
    if not math.isfinite(number):
        raise SignatureImplausible(_unreadable())
    return number


def _check_ink(png: bytes) -> None:
    """The image itself must show a mark: count the non-background pixels."""
    try:
        with Image.open(io.BytesIO(png)) as image:
            if image.width * image.height > 4000 * 2000:
                raise SignatureImplausible(
                    _("The signature image is too large. Please sign again.")
                )
            alpha = image.convert("RGBA").getchannel("A")
            gray = image.convert("L")
    except (UnidentifiedImageError, OSError):
        raise SignatureImplausible(
            _("The signature image could not be read. Please sign again.")
        ) from None
    # Ink is opaque on a transparent pad, or dark on a white pad.
    opaque = sum(alpha.histogram()[65:])
    dark = sum(gray.histogram()[:160])
    ink = dark if opaque > 0.9 * alpha.width * alpha.height else opaque
    if ink < MIN_INK_PIXELS:
        raise SignatureImplausible(_("Your signature is blank. Please draw it in the box."))
