"""The audit trail: writing (pending, then chained by the sequencer), verifying, checkpoints.

Import from here: `audit_record`, `audit_sequence`, `verify_chain`, `verify_trail`,
`audit_checkpoint`. The modules:

- writer: `audit_record`, what every audited action calls (`audit_record_many` for batches)
- scrub: values under secret-looking keys never reach the trail
- hashing: the exact text that is hashed
- sequencer: integrates pending entries into the chain, one lock per batch
- chain: recomputes the chain
- keys, timestamps, checkpoints: signed checkpoints (Ed25519, optional RFC 3161 token)
- trail: the chain against its newest checkpoint, everything `audit_verify` reports
"""

from core.audit.chain import ChainVerification, verify_chain, verify_entries
from core.audit.hashing import GENESIS_HASH, canonical_content, compute_hash, content_hash
from core.audit.scrub import REDACTED, is_secret_key, scrub
from core.audit.sequencer import audit_sequence, chain_head
from core.audit.writer import audit_entry, audit_record, audit_record_many

__all__ = [
    "GENESIS_HASH",
    "REDACTED",
    "ChainVerification",
    "audit_entry",
    "audit_record",
    "audit_record_many",
    "audit_sequence",
    "canonical_content",
    "chain_head",
    "compute_hash",
    "content_hash",
    "is_secret_key",
    "scrub",
    "verify_chain",
    "verify_entries",
]
