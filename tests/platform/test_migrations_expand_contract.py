"""Migrations are expand/contract (docs/dev/migrations.md): a release's migrations run while the previous release
still serves, so none may take away what that code reads or writes, unless it is marked as a contract step.

Read from the migration files (no database). A migration fails the check when it, outside a class attribute
`contract = "<why it is safe now>"`:
- drops or renames a column or a table (RemoveField, RenameField, DeleteModel, RenameModel, AlterModelTable, an
  AlterField that changes the column's name, or RunSQL with DROP COLUMN / DROP TABLE / RENAME), also inside
  SeparateDatabaseAndState's database operations (its state operations alone change no table: that is how a field
  leaves the code one release before its column leaves the database);
- adds a NOT NULL column to an existing table without a database default (`db_default`): the running code's inserts
  do not name it and would fail;
- makes a nullable column NOT NULL (the running code may still write NULL).

Migrations that shipped before the rule are listed in BEFORE_THE_RULE and not checked; nor are third-party apps'
(Django's contrib apps: their release notes say what an upgrade needs).
"""

from __future__ import annotations

import re

from django.db import migrations, models
from django.db.migrations import operations as ops
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState
from django.db.models.fields import NOT_PROVIDED

BEFORE_THE_RULE = frozenset({
    ("accounts", "0002_user_is_support"),
    ("accounts", "0003_roles_and_invitations"),
    ("billing_saas", "0003_subscriptions"),
    ("billing_saas", "0005_plan_prices_replace_monthly_price"),
    ("catalog", "0004_sku_initials"),
    ("finance", "0002_rebate_pool"),
    ("finance", "0003_receivables"),
    ("ordering", "0007_cart_submitted_order_and_key_fingerprint"),
    ("ordering", "0010_erp_reference"),
    ("promotions", "0002_scope_arrays"),
    ("tenants", "0002_domain_last_check_error_domain_last_checked_at_and_more"),
    ("tenants", "0008_status_change_before_after"),
    ("tenants", "0009_tenant_billing_state"),
})
DESTRUCTIVE_SQL = re.compile(r"\b(DROP\s+(COLUMN|TABLE)|RENAME\s+(COLUMN|TO))\b", re.IGNORECASE)
OURS = ("tenant_apps.", "tenants.", "onboarding.", "billing_saas.", "shared_apps.")  # Django's own: its release notes
DROPS = (ops.RemoveField, ops.DeleteModel, ops.RenameField, ops.RenameModel, ops.AlterModelTable)


def _database_operations(operations):
    for operation in operations:
        if isinstance(operation, ops.SeparateDatabaseAndState):
            yield from _database_operations(operation.database_operations)
        else:
            yield operation


def _sql_text(operation: ops.RunSQL) -> str:
    sql = operation.sql
    parts = [sql] if isinstance(sql, str) else [part if isinstance(part, str) else part[0] for part in sql]
    return " ".join(parts)


def expand_problems(migration, state: ProjectState) -> list[str]:
    """Why this migration would break the code already running (empty: it is an expand step). `state` is the project
    state before it (read only)."""
    if getattr(migration, "contract", ""):
        return []
    created = {op.name_lower for op in migration.operations if isinstance(op, ops.CreateModel)}
    problems = []
    for operation in _database_operations(migration.operations):
        what = f"{migration.app_label}.{migration.name}: {operation.describe()}"
        if isinstance(operation, DROPS):
            problems.append(f"{what}: drops or renames what the running release reads")
        elif isinstance(operation, ops.RunSQL) and DESTRUCTIVE_SQL.search(_sql_text(operation)):
            problems.append(f"{what}: SQL that drops or renames")
        elif isinstance(operation, ops.AddField) and operation.model_name_lower not in created:
            field = operation.field
            if not field.null and not field.many_to_many and field.db_default is NOT_PROVIDED:
                problems.append(f"{what}: NOT NULL without db_default (the running release's inserts fail)")
        elif isinstance(operation, ops.AlterField):
            model = state.models.get((migration.app_label, operation.model_name_lower))
            old = model.fields.get(operation.name) if model is not None else None
            if old is not None:
                if (old.db_column or operation.name) != (operation.field.db_column or operation.name):
                    problems.append(f"{what}: renames the column")
                if old.null and not operation.field.null:
                    problems.append(f"{what}: makes the column NOT NULL (the running release may write NULL)")
    return problems


def _all_problems(skip=BEFORE_THE_RULE) -> list[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    state = ProjectState(real_apps=loader.unmigrated_apps)
    problems = []
    seen = set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for key in loader.graph.forwards_plan(leaf):
            if key in seen:
                continue
            seen.add(key)
            migration = loader.graph.nodes[key]
            if key not in skip and type(migration).__module__.startswith(OURS):
                problems += expand_problems(migration, state)
            state = migration.mutate_state(state, preserve=False)
    return problems


def test_every_migration_is_an_expand_step_or_marked_contract():
    assert _all_problems() == []


def test_the_listed_old_migrations_would_fail_the_check():
    """The grandfather list holds only what the rule catches (so it cannot hide a new migration by mistake)."""
    flagged = {problem.split(":")[0] for problem in _all_problems(skip=frozenset())}
    assert {f"{app}.{name}" for app, name in BEFORE_THE_RULE} <= flagged


def _migration(*operations, contract: str = ""):
    migration = migrations.Migration("0099_test", "shop")
    migration.operations = list(operations)
    if contract:
        migration.contract = contract
    return migration


def _shop_state() -> ProjectState:
    state = ProjectState()
    ops.CreateModel("Item", [("id", models.BigAutoField(primary_key=True)),
                             ("note", models.TextField(null=True)),
                             ("code", models.CharField(max_length=8))]).state_forwards("shop", state)
    return state


def test_a_dropped_or_renamed_column_fails_unless_marked_contract():
    state = _shop_state()
    assert len(expand_problems(_migration(ops.RemoveField("item", "note")), state)) == 1
    assert len(expand_problems(_migration(ops.RenameField("item", "note", "remark")), state)) == 1
    renamed = ops.AlterField("item", "code", models.CharField(max_length=8, db_column="sku_code"))
    assert expand_problems(_migration(renamed), state) == [
        "shop.0099_test: Alter field code on item: renames the column"]
    assert len(expand_problems(_migration(ops.RunSQL("ALTER TABLE shop_item DROP COLUMN note")), state)) == 1
    hidden = ops.SeparateDatabaseAndState(database_operations=[ops.RemoveField("item", "note")])
    assert len(expand_problems(_migration(hidden), state)) == 1
    marked = _migration(ops.RemoveField("item", "note"), contract="release 42 stopped reading Item.note")
    assert expand_problems(marked, state) == []


def test_expand_steps_pass():
    state = _shop_state()
    expand = _migration(
        ops.AddField("item", "colour", models.CharField(max_length=8, null=True)),
        ops.AddField("item", "size", models.IntegerField(db_default=0)),
        ops.AddIndex("item", models.Index(fields=["colour"], name="item_colour")),
        ops.AlterField("item", "code", models.CharField(max_length=16)),  # wider, same column
        # the field leaves the code, its column stays (nullable) until a contract step drops it
        ops.SeparateDatabaseAndState(state_operations=[ops.RemoveField("item", "note")]),
        ops.CreateModel("Tag", [("id", models.BigAutoField(primary_key=True)), ("name", models.TextField())]),
        ops.AddField("tag", "item", models.ForeignKey("shop.Item", models.CASCADE)),  # a new table's column
    )
    assert expand_problems(expand, state) == []


def test_not_null_without_database_default_fails():
    state = _shop_state()
    added = _migration(ops.AddField("item", "size", models.IntegerField(default=0)))
    assert expand_problems(added, state) == [
        "shop.0099_test: Add field size to item: NOT NULL without db_default (the running release's inserts fail)"]
    tightened = _migration(ops.AlterField("item", "note", models.TextField()))
    assert len(expand_problems(tightened, state)) == 1
