"""Writes for hot paths: the rows of several models in one INSERT statement, and ids taken ahead.

An order's submission writes the order, its lines, their reservations, purchase records, timeline events,
approval steps and audit entries. Through the ORM that is a statement (and a round trip, and a compilation)
per model; `insert_together` sends them as one statement of data-modifying CTEs. The values come from the
model fields' own `pre_save` / `get_db_prep_save` (defaults, auto_now_add, JSON, encryption), as `bulk_create`
does; the columns are every concrete field (the primary key too when the rows carry one). Foreign keys between
the groups hold because every row that is referred to carries its id already (`ids_take`) and PostgreSQL
checks Django's foreign keys at commit (they are DEFERRABLE INITIALLY DEFERRED).

Each column travels as ONE parameter, an array literal (`core.prepared.pg_array`), into a prepared statement
whose text depends only on the models: parsed and planned once per connection.

No signals are sent and no `save()` runs: only for models whose writes have no side effects of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import Model

from tenant_apps.core import prepared
from tenant_apps.core.prepared import pg_array

# Fields whose Python value psycopg2 adapts as it is (ints, ids, strings, booleans, decimals, dates, datetimes):
# their get_db_prep_save is the identity on PostgreSQL, and calling it for every value of every row was most
# of the cost of a submission's write. A subclass counts only if it prepares values as its base does (an
# encrypted text field does not: it goes through get_db_prep_save like JSON and everything else).
_AS_IS = (models.IntegerField, models.CharField, models.TextField, models.BooleanField, models.DecimalField,
          models.DateTimeField, models.DateField, models.ForeignKey)
_PREPARES = ("get_prep_value", "get_db_prep_value", "get_db_prep_save")


def _as_is(field) -> bool:
    base = next((kind for kind in _AS_IS if isinstance(field, kind)), None)
    return base is not None and not isinstance(field, ArrayField) and all(
        getattr(type(field), method) is getattr(base, method) for method in _PREPARES)


@cache
def _shape(model: type[Model], with_pk: bool) -> tuple[tuple, str, tuple[str, ...] | None]:
    """(fields as (field, attname, stamped, as_is), quoted column list, the columns' array types or None when a
    column is itself an array: then VALUES rows)."""
    fields = tuple(f for f in model._meta.concrete_fields if with_pk or not f.primary_key)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    plan = tuple((f, f.attname, bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)),
                  _as_is(f)) for f in fields)
    if any(isinstance(f, ArrayField) for f in fields):
        return plan, columns, None
    return plan, columns, tuple(f"{f.db_type(connection)}[]" for f in fields)


def _value(row: Model, field, attname: str, stamped: bool, as_is: bool):
    value = field.pre_save(row, True) if stamped else getattr(row, attname)
    return value if as_is else field.get_db_prep_save(value, connection)


def column_values(model: type[Model], rows: Sequence[Model]) -> list[list]:
    """Each column's values for `rows`, as the fields prepare them for the database (in `_shape` order)."""
    plan, _columns, _types = _shape(model, rows[0].pk is not None)
    return [list(column) for column in zip(*[[_value(row, *step) for step in plan] for row in rows], strict=True)]


def _source(number: int, model: type[Model], rows: Sequence[Model], params: dict) -> tuple[str, bool]:
    """The INSERT of one group and whether its text is the same for any number of rows (then it is prepared)."""
    with_pk = rows[0].pk is not None
    plan, columns, types = _shape(model, with_pk)
    table = connection.ops.quote_name(model._meta.db_table)
    if types is not None:
        casts = []
        for index, (column, db_type) in enumerate(zip(column_values(model, rows), types, strict=True)):
            params[f"g{number}c{index}"] = pg_array(column)
            casts.append(f"%(g{number}c{index})s::{db_type}")
        return f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({', '.join(casts)})", True  # noqa: S608
    placeholders = []
    for row_number, row in enumerate(rows):
        names = []
        for index, step in enumerate(plan):
            params[f"g{number}r{row_number}c{index}"] = _value(row, *step)
            names.append(f"%(g{number}r{row_number}c{index})s")
        placeholders.append("(" + ", ".join(names) + ")")
    return f"INSERT INTO {table} ({columns}) VALUES " + ", ".join(placeholders), False  # noqa: S608


def insert_together(*groups: Sequence[Model]) -> None:
    """Insert each group (rows of one model; empty groups are skipped) in a single statement."""
    groups = [group for group in groups if group]
    if not groups:
        return
    params: dict = {}
    parts, fixed = [], True
    for number, group in enumerate(groups):
        sql, same = _source(number, type(group[0]), group, params)
        parts.append(f"i{number} AS ({sql})")
        fixed = fixed and same
    sql = "WITH " + ", ".join(parts) + " SELECT 1"
    with connection.cursor() as cursor:
        if fixed:
            name = "bulk:" + ",".join(f"{type(g[0])._meta.label_lower}{'+pk' if g[0].pk is not None else ''}"
                                      for g in groups)
            prepared.execute(cursor, name, sql, params)
        else:
            cursor.execute(sql, params)


def ids_take(**counts: tuple[type[Model], int]) -> dict[str, list[int]]:
    """Ids from the models' sequences, taken ahead so that rows can refer to each other before they are
    written: `ids_take(order=(Order, 1), lines=(OrderLine, 20))` -> {"order": [..], "lines": [..]}. One query."""
    names = [name for name, (_model, count) in counts.items() if count > 0]
    if not names:
        return {name: [] for name in counts}
    selects, params = [], []
    for name in names:
        model, count = counts[name]
        selects.append("ARRAY(SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s))")
        params.extend([model._meta.db_table, model._meta.pk.column, count])
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        row = cursor.fetchone()
    taken = dict(zip(names, row, strict=True))
    return {name: taken.get(name, []) for name in counts}


def insert_grouped(rows: Sequence[Model]) -> None:
    """Insert rows of mixed models in one statement: grouped by model, each group in the rows' order (so ids,
    and a timeline ordered by id, follow the order the rows were made in)."""
    groups: dict[type[Model], list[Model]] = {}
    for row in rows:
        groups.setdefault(type(row), []).append(row)
    insert_together(*groups.values())
