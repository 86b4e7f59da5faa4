"""Typed readers for environment variables that fail loudly on bad values.

Every variable the project reads goes through these helpers and is listed in `.env.example`.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the process must not start."""


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ConfigError(f"Environment variable {name} is required but not set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"Environment variable {name}={raw!r} is not a boolean (use true/false).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"Environment variable {name}={raw!r} is not an integer.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(
    name: str, default: list[str]
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """A comma-separated list of addresses or CIDRs (`10.0.0.0/8,::1`)."""
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ConfigError(f"{name}: {item!r} is not an IP address or CIDR range.") from exc
    return networks


def database_from_url(url: str, *, base_dir: Path) -> dict[str, Any]:
    """Translate `sqlite:///path` or `postgres://user:pw@host:port/name` into Django settings."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        raw_path = unquote(parts.path)
        # sqlite:///var/db.sqlite3 is relative to the project; sqlite:////abs/db.sqlite3 absolute.
        path = Path(raw_path[1:]) if raw_path.startswith("//") else base_dir / raw_path[1:]
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            # IMMEDIATE takes the write lock at BEGIN, so the audit chain's "read the last hash,
            # append" step cannot interleave between two writers.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if parts.scheme in {"postgres", "postgresql"}:
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
        }
    raise ConfigError(f"DATABASE_URL scheme {parts.scheme!r} is not supported (sqlite, postgres).")
