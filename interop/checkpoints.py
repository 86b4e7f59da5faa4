"""Signed audit checkpoints in a records export, if the project has them: pluggable.

The app that keeps checkpoints registers, at start-up, a provider (the latest checkpoint as
JSON-ready data with at least `seq` and `entry_hash`) and optionally a verifier (problems found
in such data, checked offline, e.g. its signature). Without one, exports carry no checkpoint
and say so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Checkpoint = dict[str, Any]
Provider = Callable[[], Checkpoint | None]
Verifier = Callable[[Checkpoint], list[str]]

_providers: list[Provider] = []
_verifiers: list[Verifier] = []


def register_checkpoint_provider(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def register_checkpoint_verifier(verifier: Verifier) -> Verifier:
    if verifier not in _verifiers:
        _verifiers.append(verifier)
    return verifier


def latest_checkpoint() -> Checkpoint | None:
    for provider in _providers:
        found = provider()
        if found is not None:
            return found
    return None


def checkpoint_problems(checkpoint: Checkpoint) -> list[str]:
    problems: list[str] = []
    for key in ("seq", "entry_hash"):
        if key not in checkpoint:
            problems.append(f"the checkpoint has no {key}")
    for verifier in _verifiers:
        problems += verifier(checkpoint)
    return problems
