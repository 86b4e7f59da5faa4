"""Database sessions that are written when their data changes, not on every request.

Django's `SESSION_SAVE_EVERY_REQUEST` costs every page a transaction (BEGIN, UPDATE, COMMIT)
only to push the row's expiry forward. This engine keeps that guarantee at a fraction of the
cost: a session read more than `REFRESH_SECONDS` after it was last written is written again at
the end of the request (SessionMiddleware saves a modified session), so an active session never
reaches `SESSION_COOKIE_AGE` while its row is touched at most once a minute. The clinic's idle
log-off (core.middleware.IdleTimeoutMiddleware) keeps its own time stamp in the session,
refreshed on the same beat. The row is read by Django's own statement, compiled once.

settings: SESSION_ENGINE = "core.sessions", SESSION_SAVE_EVERY_REQUEST = False.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from core.compiled import compiled_once

#: A session is written again once its last write is at least this old (seconds).
REFRESH_SECONDS = 60
_EXPIRE_DATE = Session._meta.get_field("expire_date")


_KEY = "pathway-session-key-placeholder"


def _statement(conn: BaseDatabaseWrapper) -> tuple[str, list[Any], int, int]:
    """Django's own read of a live session (key, not yet expired), compiled once per database
    vendor: its SQL, parameters, and the places of the key and of the current time."""
    sql, params, key_at = compiled_once(
        "core.sessions",
        conn.alias,
        lambda: Session.objects.filter(session_key=_KEY, expire_date__gt=timezone.now()),
        _KEY,
    )
    if len(params) != 2:
        raise RuntimeError("core.sessions: unexpected parameters of the session read")
    return sql, params, key_at, 1 - key_at


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Session | None:
        """As Django's, without compiling the same statement on every request."""
        conn = connections[router.db_for_read(Session)]
        sql, params, key_at, now_at = _statement(conn)
        params = [*params]
        params[key_at] = self.session_key
        params[now_at] = _EXPIRE_DATE.get_db_prep_value(timezone.now(), conn)
        try:
            found = list(Session.objects.db_manager(conn.alias).raw(sql, params))
        except SuspiciousOperation as error:
            logger = logging.getLogger(f"django.security.{error.__class__.__name__}")
            logger.warning(str(error))
            found = []
        row = found[0] if found else None
        if row is None:
            self._session_key = None
        self._loaded_expire_date = row.expire_date if row is not None else None
        return row

    def load(self) -> dict[str, Any]:
        data: dict[str, Any] = super().load()
        if data and self._due_for_refresh(data):
            self.modified = True  # SessionMiddleware saves it, pushing the expiry forward
        return data

    def _due_for_refresh(self, data: dict[str, Any]) -> bool:
        """Was the row last written at least REFRESH_SECONDS ago? Its expiry was set to the
        write's time plus the session's age; a session given a fixed end date (set_expiry with
        a datetime) has nothing to push forward."""
        expires: datetime | None = getattr(self, "_loaded_expire_date", None)
        custom = data.get("_session_expiry")
        if expires is None or not (custom is None or isinstance(custom, int)):
            return False
        age = custom or self.get_session_cookie_age()
        written = expires - timedelta(seconds=age)
        return timezone.now() - written >= timedelta(seconds=REFRESH_SECONDS)
