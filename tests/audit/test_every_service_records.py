"""Every public service that takes an `actor` records what it did in an audit log (STYLE.md #12).

Static: each module holding write use cases is parsed (nothing is imported or run), and a public function with
an `actor` parameter passes when it calls an audit writer, or a function of its own module that does (followed
to any depth), or another module's service that does, called with `actor=`. Services that provably hand the
recording to something the scan cannot follow are named in ALLOWED, each with the reason.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("tenant_apps", "tenants", "onboarding", "billing_saas")
# Modules that are not write use cases although their functions take an actor: reads scoped to the actor,
# pages, API, forms, tasks (which only call services), commands and the audit app itself (the writer).
NOT_SERVICES = ("selectors", "views", "views_console", "views_storefront", "api", "api_views", "api_urls",
                "api_transfer", "urls", "urls_api", "urls_console", "urls_storefront", "forms", "serializers",
                "tasks", "admin", "apps", "context_processors", "access", "permissions", "labels", "console",
                "checklist", "prerequisites", "models", "errors")
NOT_SERVICE_DIRS = ("migrations", "management", "templatetags", "api", "tests", "audit")
# Calling one of these is recording: the tenant's audit log (an entry saved now, or an unsaved one written
# with the change's other rows in one statement), a tenant's own history in the public schema and a subscription's
# history (billing, public schema; its changes reach the tenant's history too: billing_saas.history writes it).
WRITERS = {"audit_record", "audit_entry", "tenant_history_record", "subscription_history_record",
           "subscription_change_record"}

# Steps of a larger change that its callers record: each writes rows of its own ledger with the actor (the
# stock ledger: actor, deltas, the order's number as reference) inside the caller's transaction. The test
# below checks that every caller of each of them records.
DELEGATES: dict[str, str] = {
    "tenant_apps.inventory.services.stock_allocate":
        "an order's allocation (submission, fulfilment's allocate)",
    "tenant_apps.inventory.services.stock_release_allocations":
        "an order's cancel, revision or trimmed allocation",
    "tenant_apps.inventory.services.stock_ship": "a shipment sent (fulfillment.shipment.shipped)",
    "tenant_apps.inventory.services.allocation_params":
        "the one-statement submission's parameters; writes nothing",
    "tenant_apps.ordering.lifecycle.reservations_release": "an order's transition or revision",
    "tenant_apps.ordering.lifecycle.order_event_add": "an order's timeline row, written by recorded changes",
    "tenant_apps.ordering.fulfil.order_lines_allocate": "fulfilment's allocation of the order",
    # the approval plan's rows hold its audit entries, made through the chain ordering owns and approvals
    # registers (ordering.approval), which the scan cannot follow
    "tenant_apps.ordering.approval.order_approval_start": "an order run into its approval chain",
    "tenant_apps.approvals.services.approval_start": "an order run into its approval chain",
    "tenant_apps.ordering.placement.order_place":
        "writes the rows submission built, its audit entry among them",
}
# Public services with an actor that record nothing, and why that is right.
ALLOWED: dict[str, str] = {
    **DELEGATES,
    "tenant_apps.ordering.internal_approval.internal_hold_rows":
        "rows of an order being submitted: written with the order, whose submission records it",
    "tenant_apps.ordering.saved_views.order_filter_for":
        "a read: the order list's filters in the actor's scope",
    # Drops the tenant's schema and its row, and with the row its history: nothing of the tenant is left to
    # hold an entry. Its record is the log line tenants.tenant.purged; the deletion before it is in the
    # history.
    "tenants.services.tenant_purge": "the tenant and its history are gone; logged",
    # The outbox row names the actor of a change whose own service records it (the event is written with it).
    "tenant_apps.events.services.event_record": "an outbox row written beside the change's own audit entry",
    "tenant_apps.events.services.event_row": "an unsaved outbox row, written with the change's audit entry",
}


@dataclass
class Module:
    name: str
    functions: dict[str, ast.FunctionDef] = field(default_factory=dict)
    # local name -> (module, attribute or None for a module imported whole)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _parse(source: str, name: str) -> Module:
    tree = ast.parse(source)
    module = Module(name=name)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            module.functions[node.name] = node
    for node in ast.walk(tree):  # in-function imports too
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                module.imports[alias.asname or alias.name] = (node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    module.imports[alias.asname] = (alias.name, None)
    return module


def _all_modules() -> dict[str, Module]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = _module_name(path)
            modules[name] = _parse(path.read_text(encoding="utf-8"), name)
    return modules


def _is_service_module(name: str) -> bool:
    parts = name.split(".")
    if any(part in NOT_SERVICE_DIRS for part in parts[:-1]):
        return False
    # an app's reads split by area are selectors too (finance/selectors_rebates.py)
    return parts[-1] not in NOT_SERVICES and not parts[-1].startswith(("_", "selectors_"))


def _takes_actor(function: ast.FunctionDef) -> bool:
    """A service takes its actor as a keyword-only argument (a helper taking it positionally is none)."""
    return any(arg.arg == "actor" for arg in function.args.kwonlyargs)


class Recorder:
    def __init__(self, modules: dict[str, Module]):
        self.modules = modules
        self.memo: dict[tuple[str, str], bool] = {}

    def _target(self, module: Module, call: ast.Call) -> tuple[str, str] | None:
        """The (module, function) a call names, if it is one of ours."""
        func = call.func
        if isinstance(func, ast.Name):
            if func.id in module.functions:
                return module.name, func.id
            imported = module.imports.get(func.id)
            if imported and imported[1]:
                return imported
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            imported = module.imports.get(func.value.id)
            if imported:
                source, attribute = imported
                return (f"{source}.{attribute}" if attribute else source), func.attr
        return None

    def records(self, module_name: str, function_name: str) -> bool:
        key = (module_name, function_name)
        if key in self.memo:
            return self.memo[key]
        self.memo[key] = False  # a cycle records nothing by itself
        module = self.modules.get(module_name)
        function = module.functions.get(function_name) if module else None
        found = False
        for node in ast.walk(function) if function else ():
            if isinstance(node, ast.Name) and node.id in WRITERS:  # called, or handed to a helper (audit=...)
                found = True
                break
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name in WRITERS:
                found = True
                break
            target = self._target(module, node)
            if target is None:
                continue
            same_module = target[0] == module_name
            with_actor = any(keyword.arg == "actor" for keyword in node.keywords)
            if (same_module or with_actor) and self.records(*target):
                found = True
                break
        self.memo[key] = found
        return found


def silent_services() -> list[str]:
    modules = _all_modules()
    recorder = Recorder(modules)
    silent = []
    for name, module in modules.items():
        if not _is_service_module(name):
            continue
        for function_name, function in module.functions.items():
            if function_name.startswith("_") or function_name in WRITERS or not _takes_actor(function):
                continue
            if not recorder.records(name, function_name):
                silent.append(f"{name}.{function_name}")
    return sorted(silent)


def test_every_public_service_with_an_actor_records_it():
    silent = [name for name in silent_services() if name not in ALLOWED]
    assert silent == [], "services that take an actor and record nothing:\n" + "\n".join(silent)


def test_the_allow_list_names_only_silent_services():
    """An entry that records by now, or no longer exists, is taken off the list."""
    assert sorted(set(ALLOWED) - set(silent_services())) == []


def _callers(modules: dict[str, Module], recorder: Recorder, target: str) -> list[tuple[str, str]]:
    """The (module, function) pairs that call `target` ("module.function")."""
    found = []
    for name, module in modules.items():
        for function_name, function in module.functions.items():
            if any(isinstance(node, ast.Call) and ".".join(recorder._target(module, node) or ()) == target
                   for node in ast.walk(function)):
                found.append((name, function_name))
    return found


def test_every_caller_of_a_delegate_records():
    """A step allowed because its callers record it: each function that calls it records, or is a private
    helper (or another such step) whose own callers all do, so nothing changes stock or orders through it
    unrecorded."""
    modules = _all_modules()
    recorder = Recorder(modules)

    def covered(name: str, function_name: str, seen: frozenset) -> bool:
        qualified = f"{name}.{function_name}"
        if recorder.records(name, function_name):
            return True
        if qualified in seen or not (function_name.startswith("_") or qualified in DELEGATES):
            return False
        callers = _callers(modules, recorder, qualified)
        return bool(callers) and all(covered(*caller, seen | {qualified}) for caller in callers)

    unrecorded = [f"{'.'.join(caller)} -> {delegate}" for delegate in DELEGATES
                  for caller in _callers(modules, recorder, delegate)
                  if not covered(*caller, frozenset({delegate}))]
    assert unrecorded == []


def test_the_scan_sees_a_silent_service_and_a_recording_one():
    """The scan itself: a service that writes without recording is found; one that calls the writer through a
    helper of its module, or another module's service with actor=, is not."""
    source = '''
from tenant_apps.audit.services import audit_record
from tenant_apps.other import services as other

def thing_create(*, actor, name):
    Thing.objects.create(name=name)

def thing_update(*, actor, thing):
    _log(actor, thing)

def _log(actor, thing):
    audit_record(actor=actor, action="x.thing.updated", target=thing)

def thing_move(*, actor, thing):
    other.thing_moved(actor=actor, thing=thing)

def thing_copy(*, actor, thing):
    other.thing_moved(thing=thing)
'''
    other = '''
from tenant_apps.audit.services import audit_record

def thing_moved(*, actor, thing):
    audit_record(actor=actor, action="x.thing.moved", target=thing)
'''
    mine = _parse(source, "tenant_apps.mine.services")
    theirs = _parse(other, "tenant_apps.other.services")
    recorder = Recorder({mine.name: mine, theirs.name: theirs})
    assert [name for name in ("thing_create", "thing_update", "thing_move", "thing_copy")
            if not recorder.records(mine.name, name)] == ["thing_create", "thing_copy"]
