"""Our own check of every incremental update appended after a seal.

A sealed record may later gain only what long-term validation adds: validation data (the
/DSS and its certificates, OCSP responses and CRLs) and document time-stamps (a /DocTimeStamp
signature field and its invisible widget). Everything else appended after the seal is refused:
a new annotation, a changed page, a rewritten /Info (pyHanko's own diff policy files an /Info
change under "signature maintenance" and would let it through), a new trailer /Info, and any
bytes after the final %%EOF. The XMP packet may only change its xmp:ModifyDate/MetadataDate,
which pyHanko touches on every incremental write.
"""

from __future__ import annotations

import re
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

_ROOT_KEYS_LTV_MAY_CHANGE = frozenset({"/DSS", "/Extensions", "/AcroForm"})
_XMP_DATES = re.compile(rb'\s*xmp:(?:ModifyDate|MetadataDate)="[^"]*"')


def appended_problems(data: bytes, reader: PdfFileReader, signed_revision: int) -> list[str]:
    """Plain-language problems with the revisions after `signed_revision` (empty: none)."""
    if not data.rstrip().endswith(b"%%EOF"):
        return ["The file was modified after sealing: bytes follow the last revision."]
    problems: list[str] = []
    base_info = _info_ref(reader.get_historical_resolver(signed_revision))
    for revision in range(signed_revision + 1, reader.xrefs.total_revisions):
        problems += _revision_problems(reader, revision, base_info)
    return problems


def _info_ref(resolver: Any) -> Any:
    trailer = resolver.trailer_view
    return trailer.raw_get("/Info") if "/Info" in trailer else None


def _revision_problems(reader: PdfFileReader, revision: int, base_info: Any) -> list[str]:
    before = reader.get_historical_resolver(revision - 1)
    after = reader.get_historical_resolver(revision)
    label = f"The file was modified after sealing: revision {revision + 1}"
    if _info_ref(after) != base_info:
        return [f"{label} replaces the document information (/Info)."]
    allowed = _allowed_refs(before, after)
    problems = []
    for ref in sorted(reader.xrefs.explicit_refs_in_revision(revision), key=lambda r: r.idnum):
        obj = after(ref)
        if _is_type(obj, "/XRef") or ref in allowed:
            continue
        if ref == _metadata_ref(after) and _same_xmp(before(ref), obj):
            continue
        problems.append(f"{label} changes object {ref.idnum} ({_describe(obj)}).")
    return problems


def _allowed_refs(before: Any, after: Any) -> set[generic.Reference]:
    """The objects a DSS/document-time-stamp revision may write, if it writes nothing else."""
    root_before, root_after = before.root, after.root
    allowed: set[generic.Reference] = set()
    changed = {
        key
        for key in set(root_before) | set(root_after)
        if _raw(root_before, key) != _raw(root_after, key)
    }
    if changed <= _ROOT_KEYS_LTV_MAY_CHANGE:
        allowed.add(after.root_ref)
    if "/DSS" in root_after:
        allowed |= _reachable(root_after.raw_get("/DSS"), after)
    timestamps = _new_timestamp_fields(root_before, root_after)
    if timestamps is not None:
        allowed |= timestamps
        allowed |= _acroform_refs(root_after)
        allowed |= _pages_gaining_only(before, after, timestamps)
    return allowed


def _reachable(start: Any, resolver: Any) -> set[generic.Reference]:
    seen: set[generic.Reference] = set()
    stack = [start]
    while stack:
        item = stack.pop()
        if isinstance(item, generic.IndirectObject):
            if item.reference in seen:
                continue
            seen.add(item.reference)
            item = resolver(item.reference)
        if isinstance(item, generic.DictionaryObject):
            stack.extend(item.raw_get(k) for k in item)
        elif isinstance(item, generic.ArrayObject):
            stack.extend(item.raw_get(i) for i in range(len(item)))
    return seen


def _field_refs(root: Any) -> list[Any]:
    if "/AcroForm" not in root:
        return []
    fields = _raw(root["/AcroForm"], "/Fields")
    if isinstance(fields, generic.IndirectObject):
        fields = fields.get_object()  # type: ignore[no-untyped-call]
    return [fields.raw_get(i) for i in range(len(fields))] if fields is not None else []


def _new_timestamp_fields(root_before: Any, root_after: Any) -> set[generic.Reference] | None:
    """The refs of the fields added in this revision and their signature values, when every
    added field is a document time-stamp; None when any other field was added or removed."""
    old = {getattr(f, "reference", None) for f in _field_refs(root_before)}
    new = _field_refs(root_after)
    if not old <= {getattr(f, "reference", None) for f in new}:
        return None
    added: set[generic.Reference] = set()
    for item in new:
        ref = getattr(item, "reference", None)
        if ref in old:
            continue
        field = item.get_object()
        value = _raw(field, "/V")
        if field.get("/FT") != "/Sig" or not _is_type(_deref(value), "/DocTimeStamp"):
            return None
        if ref is not None:
            added.add(ref)
        if isinstance(value, generic.IndirectObject):
            added.add(value.reference)
    return added


def _acroform_refs(root: Any) -> set[generic.Reference]:
    refs = set()
    form = _raw(root, "/AcroForm")
    if isinstance(form, generic.IndirectObject):
        refs.add(form.reference)
        form = form.get_object()  # type: ignore[no-untyped-call]
    fields = _raw(form, "/Fields") if form is not None else None
    if isinstance(fields, generic.IndirectObject):
        refs.add(fields.reference)
    return refs


def _pages_gaining_only(before: Any, after: Any, widgets: set[generic.Reference]) -> set[Any]:
    """Pages whose only change is new /Annots entries that are the time-stamp widgets."""
    allowed = set()
    for page_ref in _page_refs(after):
        page_after = after(page_ref)
        page_before = before(page_ref)
        if not isinstance(page_before, generic.DictionaryObject):
            continue
        keys = set(page_before) | set(page_after)
        others = {k for k in keys if k != "/Annots"}
        if any(_raw(page_before, k) != _raw(page_after, k) for k in others):
            continue
        gained = _annot_refs(page_after) - _annot_refs(page_before)
        if gained <= widgets:
            allowed.add(page_ref)
            annots = _raw(page_after, "/Annots")
            if isinstance(annots, generic.IndirectObject):
                allowed.add(annots.reference)
    return allowed


def _page_refs(resolver: Any) -> list[Any]:
    refs, stack = [], [resolver.root.raw_get("/Pages")]
    while stack:
        node_ref = stack.pop()
        node = resolver(node_ref.reference)
        if node.get("/Type") == "/Pages":
            kids = node["/Kids"]
            stack.extend(kids.raw_get(i) for i in range(len(kids)))
        else:
            refs.append(node_ref.reference)
    return refs


def _annot_refs(page: Any) -> set[Any]:
    annots = page.get("/Annots")
    if annots is None:
        return set()
    return {getattr(annots.raw_get(i), "reference", None) for i in range(len(annots))}


def _metadata_ref(resolver: Any) -> Any:
    meta = _raw(resolver.root, "/Metadata")
    return getattr(meta, "reference", None)


def _same_xmp(before: Any, after: Any) -> bool:
    if not isinstance(before, generic.StreamObject) or not isinstance(after, generic.StreamObject):
        return False
    return bool(_XMP_DATES.sub(b"", before.data) == _XMP_DATES.sub(b"", after.data))


def _raw(container: Any, key: Any) -> Any:
    """A dictionary value without resolving references (None when absent)."""
    return container.raw_get(key) if key in container else None


def _deref(value: Any) -> Any:
    if isinstance(value, generic.IndirectObject):
        return value.get_object()  # type: ignore[no-untyped-call]
    return value


def _is_type(obj: Any, name: str) -> bool:
    return isinstance(obj, generic.DictionaryObject) and obj.get("/Type") == name


def _describe(obj: Any) -> str:
    if isinstance(obj, generic.DictionaryObject):
        kind = obj.get("/Type") or obj.get("/FT") or "dictionary"
        subtype = obj.get("/Subtype")
        return f"{kind} {subtype}" if subtype else str(kind)
    return type(obj).__name__
