"""Checks a production process runs before it starts: files it cannot work without.

Called when a production web process (config/wsgi.py), worker or beat (workers/celery.py)
starts, so a misconfigured deployment fails at start-up with a message naming the file, not
later on the first consent signature. Management commands (`migrate`, `make_clinic_certificate`)
do not need the seal and run before it exists.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured as ConfigError


def _require_readable_file(path: Path, what: str, variable: str) -> None:
    if not path.is_file() or not os.access(path, os.R_OK):
        raise ConfigError(f"{what} {path} is missing or unreadable (set {variable}).")


def require_production_files(*, seal_key: Path, seal_cert: Path, records: Path) -> None:
    """The clinic seal key and certificate exist and are readable, and the records store
    (MEDIA_ROOT) is a folder this process can read and write."""
    _require_readable_file(seal_key, "The clinic seal key", "SEAL_KEY_PATH")
    _require_readable_file(seal_cert, "The clinic seal certificate", "SEAL_CERT_PATH")
    try:
        records.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"The records store {records} cannot be created: {exc}.") from exc
    if not os.access(records, os.R_OK | os.W_OK | os.X_OK):
        raise ConfigError(
            f"The records store {records} is not readable and writable by this process "
            "(set PATHWAY_VAR_DIR)."
        )


def require_production_ready() -> None:
    """In production, refuse to start without the seal key and certificate or a usable records
    store (DEBUG on is refused by the settings themselves)."""
    from django.conf import settings

    if settings.PRODUCTION:
        require_production_files(
            seal_key=Path(settings.SEAL_KEY_PATH),
            seal_cert=Path(settings.SEAL_CERT_PATH),
            records=Path(settings.MEDIA_ROOT),
        )
