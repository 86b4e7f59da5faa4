"""The PDF/A-3b checks that matter for an archived record (veraPDF cannot be installed here):
catalog version, XMP identification, output intent, embedded fonts, no encryption, no
JavaScript, no external references. Each check reads the whole file, every revision."""

from __future__ import annotations

import io
import re
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

_FORBIDDEN_ACTIONS = {"/JavaScript", "/Launch", "/GoToR", "/GoToE", "/ImportData", "/ResetForm"}


def pdfa_problems(data: bytes) -> list[str]:
    reader = PdfFileReader(io.BytesIO(data))
    problems = _version(data, reader) + _xmp(reader) + _output_intent(reader)
    if "/Encrypt" in reader.trailer_view:
        problems.append("the file is encrypted")
    for ref, obj in _objects(reader):
        problems += [f"object {ref.idnum}: {p}" for p in _object_problems(obj)]
    return problems


def _version(data: bytes, reader: PdfFileReader) -> list[str]:
    header = re.match(rb"%PDF-(\d)\.(\d)", data)
    problems = [] if header and (int(header[1]), int(header[2])) <= (1, 7) else ["header > 1.7"]
    version = reader.root.get("/Version")
    if version is not None and str(version).lstrip("/") > "1.7":
        problems.append(f"catalog /Version {version} (PDF/A-3 is PDF 1.7)")
    return problems


def _xmp(reader: PdfFileReader) -> list[str]:
    meta = reader.root["/Metadata"] if "/Metadata" in reader.root else None  # noqa: SIM401
    xmp = meta.data.decode("utf-8", "replace") if meta is not None else ""
    part = re.search(r'pdfaid:part(?:="|>)\s*3', xmp)
    conformance = re.search(r'pdfaid:conformance(?:="|>)\s*B', xmp)
    return [] if part and conformance else ["XMP lacks pdfaid:part 3 / conformance B"]


def _output_intent(reader: PdfFileReader) -> list[str]:
    intents = reader.root["/OutputIntents"] if "/OutputIntents" in reader.root else []  # noqa: SIM401
    ok = any(
        intents[i]["/S"] == "/GTS_PDFA1" and "/DestOutputProfile" in intents[i]
        for i in range(len(intents))
    )
    return [] if ok else ["no PDF/A output intent with an ICC profile"]


def _objects(reader: PdfFileReader) -> list[tuple[Any, Any]]:
    found = []
    for idnum in range(1, int(reader.trailer_view["/Size"])):
        ref = generic.Reference(idnum, 0)
        try:
            obj = reader.get_object(ref)
            obj = obj.get_object() if isinstance(obj, generic.IndirectObject) else obj
        except Exception:  # a free entry  # noqa: S112
            continue
        found.append((ref, obj))
    return found


def _object_problems(obj: Any) -> list[str]:
    if not isinstance(obj, generic.DictionaryObject):
        return []
    problems = []
    kind, subtype = obj.get("/Type"), obj.get("/Subtype")
    simple = kind == "/Font" and subtype in ("/Type1", "/TrueType", "/MMType1")
    if simple and "/FontDescriptor" not in obj:
        problems.append(f"font {obj.get('/BaseFont')} is not embedded")
    if kind == "/FontDescriptor" and not {"/FontFile", "/FontFile2", "/FontFile3"} & set(obj):
        problems.append(f"font {obj.get('/FontName')} is not embedded")
    if obj.get("/S") in _FORBIDDEN_ACTIONS or "/JS" in obj:
        problems.append(f"forbidden action {obj.get('/S')}")
    if "/JavaScript" in obj or "/AA" in obj:
        problems.append("JavaScript or additional actions")
    if subtype == "/Form" and "/Ref" in obj:
        problems.append("reference XObject (external content)")
    if kind == "/Filespec" and "/EF" not in obj:
        problems.append("file specification pointing outside the file")
    return problems
