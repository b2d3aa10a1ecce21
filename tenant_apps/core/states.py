"""Explicit state machines (STYLE #11): one helper for every stateful row (orders, shipments, returns,
approval steps).

A machine is the row's `TextChoices` states and ONE mapping of its legal moves (action -> sources, target).
`StateMachine.move` is the only way a row changes state: inside a transaction it locks the row
(`select_for_update(of=("self",))`, or the app's own lock), runs the caller's guard on the locked row, checks
the move against the mapping, changes the state, runs the move's side effects, saves, and records it through
the audit writer the app passes in (core imports no other app). A move the mapping does not allow from the
current state raises the machine's domain error (a `Conflict`: 409 through the handler), naming both.

Rows born in a state (an approval step recorded as skipped) and conditional bulk updates whose WHERE is the
source state are the only other writes of a state field; `StateMachine.sources` gives them their condition.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db import models, transaction
from django.utils.translation import gettext as _

from tenant_apps.core.errors import Conflict


class IllegalTransition(Conflict):
    code = "illegal_transition"


class Move:
    """A legal move: from any of `sources` to `target`; audited as "<machine>.<audited_as or the action>"."""

    __slots__ = ("sources", "target", "audited_as")

    def __init__(self, sources: str | Iterable[str], target: str, *, audited_as: str = ""):
        self.sources = (sources,) if isinstance(sources, str) else tuple(sources)
        self.target = target
        self.audited_as = audited_as


# audit(actor=, action=, target=, before=, after=, reason=): the app's audit writer
# (tenant_apps.audit.services.audit_record)
AuditWriter = Callable[..., object]


def _lock_self(obj: models.Model) -> models.Model | None:
    return type(obj)._default_manager.select_for_update(of=("self",)).filter(pk=obj.pk).first()


@dataclass(frozen=True)
class StateMachine:
    name: str  # the audit action's prefix: "fulfillment.shipment" -> "fulfillment.shipment.<action>"
    states: type[models.TextChoices]
    moves: Mapping[str, Move]
    field: str = "status"
    error: type[Conflict] = IllegalTransition
    # An illegal move's message, (row, action) -> text or the error itself; default: the state and action.
    refusal: Callable[[models.Model, str], str | Exception] | None = None
    # action -> its past participle ("shipped"), for the default message
    labels: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        known = set(self.states.values)
        for action, move in self.moves.items():
            unknown = ({*move.sources, move.target} - known)
            if unknown:
                raise ValueError(f"{self.name}.{action}: unknown states {sorted(unknown)}")

    # --- reading the mapping --------------------------------------------------------------------------
    def state(self, obj) -> str:
        return getattr(obj, self.field)

    def can(self, obj, action: str) -> bool:
        move = self.moves.get(action)
        return move is not None and self.state(obj) in move.sources

    def legal(self, obj) -> list[str]:
        """The actions that may follow the row's current state, in the mapping's order."""
        return [action for action in self.moves if self.can(obj, action)]

    def sources(self, action: str) -> tuple[str, ...]:
        return self.moves[action].sources

    def check(self, obj, action: str,
              refusal: Callable[[models.Model, str], str | Exception] | None = None) -> str:
        """The target of `action` from the row's state; the machine's error (409) if the mapping forbids it
        (`refusal`, or the machine's: its message, or the error to raise)."""
        if self.can(obj, action):
            return self.moves[action].target
        refusal = refusal or self.refusal
        if refusal is not None:
            refused = refusal(obj, action)
            raise refused if isinstance(refused, Exception) else self.error(refused)
        state = self.state(obj)
        label = self.states(state).label if state in self.states.values else state
        raise self.error(_("It is %(state)s; it cannot be %(action)s now.")
                         % {"state": label, "action": self.labels.get(action, action)})

    def apply(self, obj, action: str, refusal=None) -> str:
        """Check and change the state in memory (a row being written in this transaction); returns the state
        before."""
        before = self.state(obj)
        setattr(obj, self.field, self.check(obj, action, refusal))
        return before

    # --- the one way a stored row changes state --------------------------------------------------------
    def move(self, *, actor, obj, action: str, audit: AuditWriter | None, reason: str = "",
             lock: Callable[[models.Model], models.Model | None] | None = None,
             guard: Callable[[models.Model], None] | None = None,
             effects: Callable[[models.Model, str], Iterable[str] | None] | None = None,
             refusal: Callable[[models.Model, str], str | Exception] | None = None,
             then: Callable[[models.Model, str], Mapping | None] | None = None) -> models.Model:
        """Lock `obj`'s row, `guard` it (raise to refuse), check and apply `action`, run
        `effects(locked, before)` (side effects; returns the other fields it changed, to save with the state),
        save and audit, in one transaction. Returns the locked row; `obj` gets the new state too. `audit` None:
        the caller's effects record the move themselves (orders write their timeline and audit entry in one
        insert). `then(locked, before)` runs after the save (what needs the new state stored) and may return
        more to audit as after. `lock`: the app's own lock (orders), or the identity for a row the caller has
        just locked."""
        with transaction.atomic():
            locked = (lock or _lock_self)(obj)
            if locked is None:
                raise self.error(_("It no longer exists."))
            if guard is not None:
                guard(locked)
            before = self.apply(locked, action, refusal)
            changed = list(effects(locked, before) or ()) if effects is not None else []
            locked.save(update_fields=[self.field, *changed])
            more = (then(locked, before) or {}) if then is not None else {}
            if audit is not None:
                audited_as = self.moves[action].audited_as or action
                audit(actor=actor, action=f"{self.name}.{audited_as}", target=locked, reason=reason,
                      before={self.field: before}, after={self.field: self.state(locked), **more})
            setattr(obj, self.field, self.state(locked))
            return locked
