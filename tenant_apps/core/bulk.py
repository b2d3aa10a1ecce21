"""Writes for hot paths: the rows of several models in one INSERT statement, and ids taken ahead.

An order's submission writes the order, its lines, their reservations, purchase records, timeline events,
approval steps and audit entries. Through the ORM that is a statement (and a round trip, and a compilation)
per model; `insert_together` sends them as one statement of data-modifying CTEs. The values come from the
model fields' own `pre_save` / `get_db_prep_save` (defaults, auto_now_add, JSON), as `bulk_create` does;
the columns are every concrete field (the primary key too when the rows carry one). Foreign keys between
the groups hold because every row that is referred to carries its id already (`ids_take`) and PostgreSQL
checks Django's foreign keys at commit (they are DEFERRABLE INITIALLY DEFERRED).

No signals are sent and no `save()` runs: only for models whose writes have no side effects of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import Model

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
def _shape(model: type[Model], with_pk: bool) -> tuple[tuple, str, str | None]:
    """(fields as (field, attname, stamped, as_is), quoted column list, unnest casts or None when a column is an
    array: then VALUES rows)."""
    fields = tuple(f for f in model._meta.concrete_fields if with_pk or not f.primary_key)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    plan = tuple((f, f.attname, bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)),
                  _as_is(f)) for f in fields)
    if any(isinstance(f, ArrayField) for f in fields):
        return plan, columns, None
    casts = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    return plan, columns, casts


def _value(row: Model, field, attname: str, stamped: bool, as_is: bool):
    value = field.pre_save(row, True) if stamped else getattr(row, attname)
    return value if as_is else field.get_db_prep_save(value, connection)


def _source(model: type[Model], rows: Sequence[Model], params: list) -> str:
    with_pk = rows[0].pk is not None
    plan, columns, casts = _shape(model, with_pk)
    values = [[_value(row, *step) for step in plan] for row in rows]
    if casts is not None:
        params.extend(list(column) for column in zip(*values, strict=True))
        return (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "  # noqa: S608 - names from the model
                f"SELECT * FROM unnest({casts})")
    placeholders = "(" + ", ".join(["%s"] * len(plan)) + ")"
    for value in values:
        params.extend(value)
    return (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608
            + ", ".join([placeholders] * len(values)))


def insert_together(*groups: Sequence[Model]) -> None:
    """Insert each group (rows of one model; empty groups are skipped) in a single statement."""
    groups = [group for group in groups if group]
    if not groups:
        return
    params: list = []
    parts = [f"i{number} AS ({_source(type(group[0]), group, params)})" for number, group in enumerate(groups)]
    with connection.cursor() as cursor:
        cursor.execute("WITH " + ", ".join(parts) + " SELECT 1", params)


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
