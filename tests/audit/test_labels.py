"""Every action the code records reads as words in both languages: a subject and a verb of
tenant_apps/audit/labels.py for the tenant's log, tenants/labels.py for a workspace's history."""

from __future__ import annotations

import ast
from pathlib import Path

from django.utils import translation

from tenant_apps.approvals.models import ApprovalStatus
from tenant_apps.audit.labels import action_label, subject_label
from tenant_apps.finance.models import EntryKind
from tenant_apps.fulfillment.models import ReturnStatus, ShipmentStatus
from tenant_apps.ordering.lifecycle import ACTIONS
from tenants.labels import action_label as history_label

ROOT = Path(__file__).resolve().parents[2]
WRITERS = {"audit_record", "audit_entry"}
# Actions whose last word is computed: their prefix and every word it can be.
DYNAMIC = {
    "ordering.order.": (*ACTIONS, "await_dealer"),
    "approvals.step.": [status for status in ApprovalStatus.values if status != ApprovalStatus.PENDING],
    "fulfillment.shipment.": ShipmentStatus.values,
    "fulfillment.return.": ReturnStatus.values,
    "pricing.price_list.": ["activated", "deactivated"],
    "inventory.stock.": ["received", "returned", "adjusted", "reserved", "released", "transferred"],
    "ordering.cart.": ["lines_pasted", "uploaded", "reordered", "template_loaded", "demand_suggested"],
    "finance.ledger.": EntryKind.values,
}


def _recorded_actions() -> tuple[set[str], set[str], set[str]]:
    """(the tenant log's actions, the workspace history's, the computed prefixes) written by the code."""
    tenant_log, history, prefixes = set(), set(), set()
    for package in ("tenant_apps", "tenants"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                action = next((k.value for k in node.keywords if k.arg == "action"), None)
                if name in WRITERS | {"tenant_history_record"} and isinstance(action, ast.Constant):
                    (history if name == "tenant_history_record" else tenant_log).add(action.value)
                elif name in WRITERS and isinstance(action, ast.JoinedStr):
                    prefixes.add(action.values[0].value)
    return tenant_log, history, prefixes


def test_every_recorded_action_has_words_in_both_languages():
    tenant_log, history, prefixes = _recorded_actions()
    assert sorted(prefixes - set(DYNAMIC)) == []  # a computed action this test does not know yet
    actions = tenant_log | {prefix + verb for prefix, verbs in DYNAMIC.items() for verb in verbs}
    assert len(actions) > 100
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert [a for a in sorted(actions) if action_label(a) == a or subject_label(a) == ".".join(
                a.split(".")[:2])] == []
            assert [a for a in sorted(history) if history_label(a) == a] == []
    with translation.override("zh-hans"):
        assert (subject_label("ordering.order.submitted"), action_label("ordering.order.submitted")) == (
            "订单", "已提交")
