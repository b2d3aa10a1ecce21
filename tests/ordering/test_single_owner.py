"""Ordering is the single owner of order rows: no module outside tenant_apps/ordering creates, saves, updates,
deletes or locks an Order, OrderLine, OrderReservation or OrderEvent. Fulfilment and approvals call ordering's
services (lifecycle.order_transition, order_lock, order_event_add, fulfil.order_line_ship, ...) instead.

Read from the source (no database): every product module's syntax tree is searched for
- a manager call on one of those models that writes or locks (`Order.objects.filter(...).update(...)`,
  `OrderEvent.objects.bulk_create(...)`, `Order.objects.select_for_update()`, ...);
- a row of one of them built by hand (`OrderReservation(...)`), which only an insert would need;
- `.save()` / `.delete()` on a name that holds one of them (a parameter annotated with the model, a name
  assigned from its manager or from ordering's lock and getters) or on an `.order` / `.order_line` attribute,
  and writes through an order's related managers (`order.lines.update(...)`).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("tenant_apps", "shared_apps", "platform", "billing_saas", "onboarding", "tenants")
OWNER = ROOT / "tenant_apps" / "ordering"
OWNED = {"Order", "OrderLine", "OrderReservation", "OrderEvent"}
WRITES = {"create", "bulk_create", "bulk_update", "update", "delete", "get_or_create", "update_or_create",
          "select_for_update", "raw"}
ROW_WRITES = {"save", "delete"}
RELATED = {"lines", "reservations", "events"}  # an order's related managers
# Calls that hand back an order row (ordering's lock and scoped getter).
GIVES_ORDER = {"order_lock", "order_get_for", "order_transition", "order_cancel"}
ORDER_ATTRIBUTES = {"order", "order_line", "backorder", "backorder_of"}


def _modules():
    for top in PRODUCT:
        for path in sorted((ROOT / top).rglob("*.py")):
            if OWNER in path.parents or "migrations" in path.parts:
                continue
            yield path


def _owned_names(tree: ast.Module) -> dict[str, str]:
    """Local names bound to the owned models (`from tenant_apps.ordering.models import Order as O`)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "tenant_apps.ordering.models":
            for alias in node.names:
                if alias.name in OWNED:
                    names[alias.asname or alias.name] = alias.name
    return names


def _root(node) -> ast.AST:
    """The innermost receiver of a chain of attributes and calls (`X` of `X.objects.filter().update()`)."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _chain_attributes(node) -> list[str]:
    found = []
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        if isinstance(node, ast.Attribute):
            found.append(node.attr)
        node = node.func if isinstance(node, ast.Call) else node.value
    return found


def _annotation_names(annotation) -> set[str]:
    if annotation is None:
        return set()
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return set()
    return {n.id for n in ast.walk(annotation) if isinstance(n, ast.Name)}


def _row_variables(scope: ast.AST, owned: dict[str, str]) -> set[str]:
    """Names that hold an owned row in a function (parameters, assignments; nested functions included)."""
    rows = set()
    for node in ast.walk(scope):
        if isinstance(node, ast.arg) and _annotation_names(node.annotation) & set(owned):
            rows.add(node.arg)
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            value, root = node.value, _root(node.value)
            gives = isinstance(value, ast.Call) and (getattr(value.func, "id", None) in GIVES_ORDER
                                                     or getattr(value.func, "attr", None) in GIVES_ORDER)
            manager = (isinstance(root, ast.Name) and root.id in owned
                       and "objects" in _chain_attributes(value))
            if manager or gives:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                rows |= {t.id for target in targets for t in ast.walk(target) if isinstance(t, ast.Name)}
    return rows


def _write(node: ast.Call, owned: dict[str, str], rows: set[str]) -> str | None:
    func = node.func
    if isinstance(func, ast.Name) and func.id in owned:
        return f"builds a {owned[func.id]} row"
    if not isinstance(func, ast.Attribute):
        return None
    chain, root = _chain_attributes(func), _root(func)
    if isinstance(root, ast.Name) and root.id in owned and "objects" in chain and func.attr in WRITES:
        return f"{owned[root.id]}.objects...{func.attr}()"
    if func.attr in ROW_WRITES and isinstance(func.value, ast.Name) and func.value.id in rows:
        return f"{func.value.id}.{func.attr}() on an order row"
    if (func.attr in ROW_WRITES and isinstance(func.value, ast.Attribute)
            and func.value.attr in ORDER_ATTRIBUTES):
        return f".{func.value.attr}.{func.attr}()"
    if func.attr in WRITES and set(chain) & RELATED and isinstance(root, ast.Name) and root.id in rows:
        return f"{root.id}.{'.'.join(reversed(chain))}() through an order"
    return None


def _writes(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    owned = _owned_names(tree)
    found = set()
    scopes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]
    for scope in scopes:
        rows = _row_variables(scope, owned) if scope is not tree else set()
        for node in ast.walk(scope):
            what = _write(node, owned, rows) if isinstance(node, ast.Call) else None
            if what:
                found.add((node.lineno, what))
    where = path.relative_to(root)
    return [f"{where}:{line} {what}" for line, what in sorted(found)]


def test_no_module_outside_ordering_writes_or_locks_order_rows():
    found = [write for path in _modules() for write in _writes(path)]
    assert found == []


def test_the_search_finds_each_kind_of_write(tmp_path):
    """The search itself: each way of writing an order row that it looks for is found (it would pass vacuously
    on a tree where it finds nothing)."""
    module = tmp_path / "elsewhere.py"
    module.write_text(
        "from tenant_apps.ordering.models import Order, OrderEvent as Event, OrderLine\n"
        "def act(order: Order, shipment):\n"
        "    Event.objects.bulk_create([Event(order=order)])\n"
        "    OrderLine.objects.filter(order=order).update(reserved_base=0)\n"
        "    locked = Order.objects.select_for_update(of=('self',)).get(pk=order.pk)\n"
        "    locked.save()\n"
        "    order.lines.update(shipped_base=0)\n"
        "    shipment.order.save()\n"
        "    OrderLine.objects.filter(order=order).delete()\n")
    found = [line.split(":", 1)[1] for line in _writes(module, tmp_path)]
    assert found == [
        "3 OrderEvent.objects...bulk_create()", "3 builds a OrderEvent row", "4 OrderLine.objects...update()",
        "5 Order.objects...select_for_update()", "6 locked.save() on an order row",
        "7 order.lines.update() through an order", "8 .order.save()", "9 OrderLine.objects...delete()"]


def test_ordering_never_imports_approvals():
    """Approvals sits above ordering (docs/dev/ordering.md): ordering reaches the approval chain only through
    the interface it owns (ordering/approval.py), which the approvals app registers."""
    found = []
    for path in sorted(OWNER.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.relative_to(ROOT)}:{node.lineno} {name}" for name in names
                      if name == "tenant_apps.approvals" or name.startswith("tenant_apps.approvals.")]
    assert found == []
