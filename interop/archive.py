"""A case's records for a records request, as one zip that can be checked with nothing else.

Members: `bundle.json` (the FHIR Bundle), `records/*.pdf` (the sealed PDFs, byte for byte),
`audit/entries.json` (the audit chain from the entry before the case's first one up to the
head: the case's own entries in full, other patients' entries reduced to their sequence
number and hashes), `audit/head.json`, `audit/checkpoint.json` (when checkpoints exist),
`seal/certificate.pem` (the clinic's seal certificate), and `manifest.json` with the SHA-256
of every member, itself digested in `manifest.sha256`.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from api.records import sealed_records
from core.audit import canonical_content, compute_hash
from core.audit.hashing import content_hash, link_hash
from core.models import AuditEntry
from interop.checkpoints import checkpoint_problems, latest_checkpoint
from interop.fhir.bundle import case_bundle
from planning.pathway.models import Case
from records.keys import trust_root_pem

FORMAT = "pathway-records-export/1"
MANIFEST, MANIFEST_DIGEST = "manifest.json", "manifest.sha256"
BUNDLE, ENTRIES, HEAD = "bundle.json", "audit/entries.json", "audit/head.json"
CHECKPOINT, CERTIFICATE = "audit/checkpoint.json", "seal/certificate.pem"


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def audit_segment(case: Case) -> list[dict[str, Any]]:
    """From the entry before the case's first one to the head; others' entries redacted."""
    mine = Q(case_id=case.pk) | Q(patient_id=case.patient_id)
    first = AuditEntry.objects.filter(mine).order_by("seq").values_list("seq", flat=True).first()
    if first is None:
        return []
    rows = []
    for entry in AuditEntry.objects.filter(seq__gte=max(first - 1, 1)).order_by("seq").iterator():
        link = {
            "seq": entry.seq,
            "prev_hash": entry.prev_hash,
            "content_hash": entry.content_hash,
            "hash_version": entry.hash_version,
            "entry_hash": entry.entry_hash,
        }
        if entry.case_id == case.pk or entry.patient_id == case.patient_id:
            content = json.loads(canonical_content(entry))
            content.pop("v", None)
            rows.append({**content, **link})
        else:
            # Another patient's event: only its chain position and hashes. Its content hash
            # still lets the link (seq, previous hash, content hash) be recomputed.
            rows.append({**link, "redacted": True})
    return rows


def build_archive(case: Case) -> bytes:
    members: dict[str, bytes] = {BUNDLE: _json(case_bundle(case))}
    for record in sealed_records(case.pk, with_bytes=True):
        members[f"records/{record.filename}"] = record.pdf or b""
    entries = audit_segment(case)
    members[ENTRIES] = _json(entries)
    head = entries[-1] if entries else {"seq": 0, "entry_hash": ""}
    members[HEAD] = _json({"seq": head["seq"], "entry_hash": head["entry_hash"]})
    checkpoint = latest_checkpoint()
    if checkpoint is not None:
        members[CHECKPOINT] = _json(checkpoint)
    members[CERTIFICATE] = trust_root_pem()
    manifest = {
        "format": FORMAT,
        "case_id": case.pk,
        "created_at": timezone.now().isoformat(),
        "members": {name: _sha256(data) for name, data in sorted(members.items())},
    }
    members[MANIFEST] = _json(manifest)
    members[MANIFEST_DIGEST] = f"{_sha256(members[MANIFEST])}  {MANIFEST}\n".encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            archive.writestr(name, members[name])
    return buffer.getvalue()


@dataclass
class ExportCheck:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_archive(data: bytes, *, trust_root: bytes | None = None) -> ExportCheck:
    """Check everything from the archive alone (no database): member digests, each PDF's seal,
    the FHIR attachments against the PDFs, the audit chain and the checkpoint."""
    check = ExportCheck()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        check.problems.append(f"not a readable zip archive ({exc})")
        return check
    manifest = _manifest(members, check)
    if manifest is None:
        return check
    _check_pdfs(
        members, trust_root or members.get(CERTIFICATE, b""), check, pinned=bool(trust_root)
    )
    _check_bundle(members, check)
    _check_chain(members, check)
    return check


def _manifest(members: dict[str, bytes], check: ExportCheck) -> dict[str, Any] | None:
    digest = members.get(MANIFEST_DIGEST, b"").decode("ascii", "replace").split()
    if MANIFEST not in members or not digest or digest[0] != _sha256(members[MANIFEST]):
        check.problems.append("manifest.json does not match manifest.sha256")
        return None
    try:
        manifest: dict[str, Any] = json.loads(members[MANIFEST])
    except ValueError:
        check.problems.append("manifest.json is not JSON")
        return None
    listed: dict[str, str] = manifest.get("members", {})
    present = set(members) - {MANIFEST, MANIFEST_DIGEST}
    for name in sorted(present ^ set(listed)):
        check.problems.append(f"{name}: {'not in the manifest' if name in present else 'missing'}")
    for name in sorted(present & set(listed)):
        if _sha256(members[name]) != listed[name]:
            check.problems.append(f"{name}: SHA-256 does not match the manifest")
    check.notes.append(f"{len(listed)} members, case {manifest.get('case_id')}")
    return manifest


def _check_pdfs(
    members: dict[str, bytes], trust_root: bytes, check: ExportCheck, *, pinned: bool
) -> None:
    from records.validation import verify_pdf

    for name in sorted(n for n in members if n.startswith("records/")):
        try:
            result = verify_pdf(members[name], trust_root_pem=trust_root)
        except ValueError as exc:
            check.problems.append(
                f"{name}: the certificate to check it against is unusable ({exc})"
            )
            continue
        if not result.ok:
            check.problems.append(
                f"{name}: seal not valid ({'; '.join(result.problems) or 'altered'})"
            )
    if not pinned:
        check.notes.append(
            "PDF seals checked against the certificate inside the archive; "
            "pass --trust-root to pin the clinic's certificate"
        )


def _check_bundle(members: dict[str, bytes], check: ExportCheck) -> None:
    """Each Consent's attached PDF is one of the sealed PDFs, byte for byte."""
    try:
        bundle = json.loads(members.get(BUNDLE, b""))
    except ValueError:
        check.problems.append("bundle.json is not JSON")
        return
    pdf_hashes = {_sha256(data) for name, data in members.items() if name.startswith("records/")}
    for entry in bundle.get("entry", []):
        source = entry.get("resource", {}).get("sourceAttachment")
        if source and source.get("extension", [{}])[0].get("valueString") not in pdf_hashes:
            check.problems.append(f"bundle.json: {entry['fullUrl']} attaches no PDF in the archive")


def _check_chain(members: dict[str, bytes], check: ExportCheck) -> None:
    try:
        entries = json.loads(members.get(ENTRIES, b"[]"))
        head = json.loads(members.get(HEAD, b"{}"))
    except ValueError:
        check.problems.append("the audit members are not JSON")
        return
    check.problems += chain_problems(entries)
    last = entries[-1] if entries else {"seq": 0, "entry_hash": ""}
    if (last["seq"], last["entry_hash"]) != (head.get("seq"), head.get("entry_hash")):
        check.problems.append("audit: the last entry is not the recorded head")
    full = sum(1 for e in entries if not e.get("redacted"))
    check.notes.append(f"audit chain: {len(entries)} entries linked, {full} of this case in full")
    if CHECKPOINT in members:
        _check_checkpoint(json.loads(members[CHECKPOINT]), entries, check)
    else:
        check.notes.append("no audit checkpoint in the archive")


def chain_problems(entries: list[dict[str, Any]]) -> list[str]:
    """Every link recomputed (sequence, previous hash, content hash: core.audit.link_hash) and,
    for entries in full, the content hash from the content itself."""
    problems = []
    for before, entry in zip([None, *entries], entries, strict=False):
        seq = entry.get("seq")
        if before is not None and (
            seq != before["seq"] + 1 or entry["prev_hash"] != before["entry_hash"]
        ):
            problems.append(f"audit #{seq}: does not link to #{before['seq']}")
        if _entry_hash(entry) != entry.get("entry_hash"):
            problems.append(f"audit #{seq}: its content does not match its hash")
    return problems


def _entry_hash(row: dict[str, Any]) -> str:
    """The hash this row should carry; "" when it cannot be recomputed from the archive."""
    try:
        if row.get("hash_version", 2) == 2:
            content = row["content_hash"]
            if not row.get("redacted"):
                content = content_hash(_entry_from(row))
            return link_hash(int(row["seq"]), str(row["prev_hash"]), content)
        if row.get("redacted"):
            return str(row.get("entry_hash"))  # a v1 entry's hash needs its content
        return compute_hash(_entry_from(row))
    except (TypeError, ValueError, KeyError):
        return ""


def _entry_from(row: dict[str, Any]) -> AuditEntry:
    fields = {f.name for f in AuditEntry._meta.fields} | {"actor_id"}
    values = {k: v for k, v in row.items() if k in fields and k not in {"created_at", "actor"}}
    return AuditEntry(**values, created_at=datetime.fromisoformat(row["created_at"]))


def _check_checkpoint(
    checkpoint: dict[str, Any], entries: list[dict[str, Any]], check: ExportCheck
) -> None:
    problems = checkpoint_problems(checkpoint)
    by_seq = {e["seq"]: e["entry_hash"] for e in entries}
    if checkpoint.get("seq") in by_seq and by_seq[checkpoint["seq"]] != checkpoint.get(
        "entry_hash"
    ):
        problems.append("its hash differs from the chain's entry")
    check.problems += [f"audit checkpoint: {p}" for p in problems]
    if not problems:
        check.notes.append(f"audit checkpoint at #{checkpoint['seq']} matches the chain")
