"""The database backend: django-tenants' PostgreSQL backend with two round trips per request fewer.

Each request of a busy worker used to spend two of its round trips on bookkeeping: Django's health check
(`SELECT 1` before the request's first query, CONN_HEALTH_CHECKS) and django-tenants' `SET search_path`
(issued once per request, because the routing middleware sets the tenant on every request): two of the order
submission's nine round trips, each a wait for the database's turn on a busy machine (in a profile of
sequential submissions the health check alone was an eighth of the time).

- Health check: skipped when the connection answered a query less than DB_HEALTH_CHECK_DELAY seconds ago, the
  way PgBouncer's `server_check_delay` skips its check query on a server connection used moments ago, and its
  socket has nothing to read. An idle connection is sent nothing by the server, except when the server is going
  away: a stopped, restarted or crashed PostgreSQL ends each session with an error message and closes the socket,
  so a readable socket (one `select`, no round trip) means "check it", and the first request after a quick
  restart reconnects instead of failing on the dead connection. A connection idle for longer (a quiet worker)
  is still checked first.
- search_path: the path last set on the session is remembered with the raw connection it was set on, and
  `SET` is skipped when the path wanted is that one. Whatever can change the session's path otherwise forgets
  it: a rollback or a savepoint rollback (a `SET` in the rolled-back work is undone), closing the connection,
  a failed `SET`, and `search_path_forget()` after raw SQL that sets the path itself (django-tenants'
  clone_schema restores the path it found, but with `set_config` in places: tenants.schemas.clone_template
  forgets the path after it, whatever happened).
- Schemas per connection: a PostgreSQL backend keeps, for every table it has touched, relation cache entries and,
  for every foreign key it has checked, a cached plan (the RI triggers' queries), per schema, for the life of the
  session: nothing (DISCARD ALL included) frees them. A web or worker connection that serves hundreds of tenants
  grows to hundreds of MB, and every DDL anywhere in the database (a sign-up's pool claim, a pool refill, a
  migration) makes it walk all of its cached plans, once per relation invalidated (PlanCacheRelCallback). So a
  connection that has set more than DB_CONN_MAX_SCHEMAS distinct tenant schemas is closed at the next request or
  task boundary (never inside a transaction); the next one opens a fresh backend. docs/dev/scale-out.md has the
  figures that chose the bound (bench/provision.py --fleet).
- Savepoints: `all_or_nothing()` is an atomic block whose nested atomic blocks make no savepoints (two round trips
  each). For chains of services that can only succeed or fail together, such as provisioning a tenant: an error
  anywhere marks the whole block for rollback, as `atomic(savepoint=False)` does.
"""

from __future__ import annotations

import select
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django_tenants.postgresql_backend import base as tenants_base


class DatabaseWrapper(tenants_base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        self._wire_search_path: tuple[object, list[str]] | None = None  # (raw connection, path) as set
        self._answered_at = 0.0  # when the connection last answered a request's queries (monotonic)
        self._in_use = False  # a cursor was opened since the last request ended
        self._schemas_used: set[str] = set()  # tenant schemas put on this session's search_path since it opened
        self.recycled = 0  # connections closed for having served too many schemas (this process)
        self._savepoints_off = 0  # depth of all_or_nothing() blocks open
        super().__init__(*args, **kwargs)

    # --- health check ----------------------------------------------------------------------------------

    def close_if_health_check_failed(self):
        if (self.connection is not None and not self.health_check_done
                and time.monotonic() - self._answered_at < settings.DB_HEALTH_CHECK_DELAY
                and self._socket_quiet()):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _socket_quiet(self) -> bool:
        """Nothing waits to be read on the idle connection's socket (no goodbye from the server, no EOF)."""
        try:
            if self.connection.closed:
                return False
            readable, _w, _x = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError, self.Database.Error):
            return False
        return not readable

    def close_if_unusable_or_obsolete(self):
        # Called when a request starts and when it ends (and around each Celery task). A request that used the
        # connection without a database error had every query answered: the connection was good just now.
        if self._in_use and self.connection is not None and not self.errors_occurred:
            self._answered_at = time.monotonic()
        self._in_use = False
        super().close_if_unusable_or_obsolete()
        limit = settings.DB_CONN_MAX_SCHEMAS
        if (self.connection is not None and limit and len(self._schemas_used) > limit
                and not self.in_atomic_block):
            self.recycled += 1
            self.close()

    def schemas_used(self) -> int:
        """How many distinct tenant schemas this session has had on its search_path."""
        return len(self._schemas_used)

    def connect(self):
        self._schemas_used = set()
        super().connect()

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        self._in_use = True
        return cursor

    # --- savepoints -------------------------------------------------------------------------------------

    def _savepoint_allowed(self):
        return not self._savepoints_off and super()._savepoint_allowed()

    # --- search_path -----------------------------------------------------------------------------------

    def _handle_search_path(self, cursor=None):
        if self._setting_search_path:  # re-entered while the path is being set: nothing to do or remember
            return
        if self.connection is not None and self.schema_name:
            wire = self._wire_search_path
            paths = self._get_cursor_search_paths()
            if wire is not None and wire[0] is self.connection and wire[1] == paths:
                self.search_path_set_schemas = paths
                return
        super()._handle_search_path(cursor)
        if self.search_path_set_schemas is not None:
            self._wire_search_path = (self.connection, list(self.search_path_set_schemas))
            self._schemas_used.update(s for s in self.search_path_set_schemas if s != "public")
        else:
            self._wire_search_path = None

    def search_path_forget(self):
        """The session's path is unknown now (raw SQL may have set it): the next cursor sets it again."""
        self._wire_search_path = None
        self.search_path_set_schemas = None

    def close(self):
        self._wire_search_path = None
        self._schemas_used = set()
        super().close()

    def rollback(self):
        self._wire_search_path = None
        super().rollback()

    def savepoint_rollback(self, sid):
        try:
            super().savepoint_rollback(sid)
        finally:
            self._wire_search_path = None


@contextmanager
def all_or_nothing():
    """An atomic block (on the default database) in which nested atomic blocks make no savepoints: whatever fails
    inside rolls all of it back. Not for code that catches a database error and goes on inside the block."""
    with transaction.atomic():
        connection._savepoints_off += 1
        try:
            yield
        finally:
            connection._savepoints_off -= 1
