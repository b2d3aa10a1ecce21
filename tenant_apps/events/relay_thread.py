"""The relay thread: without a broker (EVENTS_RELAY = "thread"), each process relays its outbox events in a
background thread of its own instead of in the request that wrote them (docs/dev/events.md).

- One daemon thread per process, started lazily by the first commit that wrote events (so after gunicorn's fork;
  a forked child forgets its parent's thread and starts its own).
- A commit that wrote events signals the thread with its tenant (`relay_signal`, from transaction.on_commit) and
  returns at once. The thread waits a few milliseconds (EVENTS_RELAY_GATHER_MS) for more signals to gather, then
  relays every signalled schema in turn (events.tasks.outbox_relay: until nothing is left), on its own database
  connection, in that tenant's context. Commits arriving while it relays are taken in the next round: many
  commits coalesce into few relay batches.
- Nothing is lost: outbox_relay is one transaction per batch (rows locked with SKIP LOCKED), so a relay that
  fails, or a process that exits in the middle of one, leaves the rows unrelayed, never half-relayed, for the next
  round, the beat's minute relay or `manage.py webhooks_worker`. An error is logged and the thread goes on. At a
  normal interpreter exit the thread is given a moment (EXIT_WAIT_S) to finish what was signalled.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time

logger = logging.getLogger(__name__)

EXIT_WAIT_S = 5.0
IDLE_CLOSE_S = 60.0  # an idle thread closes its database connection after this long without a signal


def _close_connections() -> None:
    from django.db import connections

    connections.close_all()  # this thread's own: Django's connections are per thread


def _gather_s() -> float:
    from django.conf import settings

    return max(0.0, float(getattr(settings, "EVENTS_RELAY_GATHER_MS", 50))) / 1000


def relay_tenant(tenant) -> int:
    """Relay the committed events of one tenant (and, through the consumers' own on-commit hooks, what follows
    them: the notification deliveries), in this thread's connection; the number of events relayed."""
    from django.db import close_old_connections
    from django_tenants.utils import tenant_context

    from dms.logcontext import tenant_var
    from tenant_apps.events.services import outbox_relay_all

    tenant_var.set(tenant.schema_name)
    close_old_connections()  # a connection past its age, broken, or over DB_CONN_MAX_SCHEMAS is replaced
    try:
        with tenant_context(tenant):
            return outbox_relay_all()
    finally:
        close_old_connections()


class RelayThread:
    """The process's relay thread and what has been signalled to it (schema name -> tenant)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._pending: dict[str, object] = {}
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._busy = False
        self._release = False
        self.rounds = 0  # relay rounds run (each: every schema signalled since the last one)
        self.errors = 0  # relays that raised (logged; their rows wait for the next relay)

    def signal(self, tenant) -> None:
        """Ask for a relay of `tenant`'s outbox soon (called after the commit that wrote its events)."""
        with self._cond:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._start()
            self._pending[tenant.schema_name] = tenant
            self._cond.notify_all()

    def _start(self) -> None:
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    if self._release:
                        self._release = False
                        _close_connections()
                        self._cond.notify_all()
                    elif not self._cond.wait(IDLE_CLOSE_S) and not self._pending:
                        _close_connections()  # idle: no backend kept open for nothing
            gather = _gather_s()
            if gather:
                time.sleep(gather)  # let the commits of the next few milliseconds join this round
            with self._cond:
                pending, self._pending = self._pending, {}
                self._busy = True
            try:
                for schema, tenant in pending.items():
                    try:
                        relay_tenant(tenant)
                    except Exception:  # noqa: BLE001 - the thread must survive; the rows wait for the next relay
                        self.errors += 1
                        logger.exception("outbox relay of schema %s failed; its events wait for the next relay",
                                         schema)
            finally:
                with self._cond:
                    self._busy = False
                    self.rounds += 1
                    self._cond.notify_all()

    def release_connection(self, timeout: float = EXIT_WAIT_S) -> bool:
        """Have the thread close its database connection once idle (before the database is dropped, in tests);
        whether it did within `timeout` seconds. It opens a new one at its next round."""
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                return True
            self._release = True
            self._cond.notify_all()
            while self._release:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is signalled and no round runs (at most `timeout` seconds); whether it is idle."""
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                return not self._pending
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True


_relay = RelayThread()


def relay_thread() -> RelayThread:
    return _relay


def relay_signal(tenant) -> None:
    """After a commit that wrote events in `tenant`'s schema: the process's relay thread relays them soon."""
    _relay.signal(tenant)


def _forget_after_fork() -> None:
    """A forked child has no relay thread (only the forking thread survives a fork) and must not use the parent's
    lock, which another of the parent's threads may have held: it starts afresh. What the parent had signalled is
    the parent's to relay (or the next relay's)."""
    global _relay
    _relay = RelayThread()


def _flush_at_exit() -> None:
    _relay.wait_idle(EXIT_WAIT_S)


os.register_at_fork(after_in_child=_forget_after_fork)
atexit.register(_flush_at_exit)
