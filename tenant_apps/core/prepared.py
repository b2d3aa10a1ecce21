"""Hot fixed-shape queries as server-side prepared statements: parsed and planned once per database connection
and tenant schema instead of on every request.

Why: an order's submission reads through a few wide queries (its context, the price book, the promotions)
whose planning cost PostgreSQL about as much as running them (~1 ms each on the bench machine), and under load
PostgreSQL shares the cores with the application.

How:
- `execute(cursor, name, sql, params)` takes SQL with `%(name)s` placeholders (as psycopg2 does), prepares it
  once as `$1..$n` under a statement name made of `name` and the connection's schema, and runs
  `EXECUTE stmt(...)` with the values rendered by psycopg2. Names of statements differ per schema because a
  tenant's statement resolves that tenant's tables: sharing one across schemas would make PostgreSQL re-parse
  it at every switch of search_path.
- Each connection keeps at most MAX_PER_CONNECTION statements (least recently used deallocated), so a
  connection that serves many tenants does not hold a plan per tenant forever.
- The SQL must name its result columns (no `*`): a migration that adds a column then cannot change a prepared
  statement's result type (PostgreSQL re-plans after DDL on its own).
- A list parameter travels as the text of a PostgreSQL array ('{1,2,3}', `pg_array`), which PostgreSQL reads
  with one array_in call into the parameter's array type. psycopg2 renders a list as ARRAY[1, 2, 3], an
  expression that PostgreSQL parses and coerces element by element: for the columns of a 20-line order's
  insert that parse cost more than the insert itself.
- Statements live in a server session: like django-tenants' search_path, they need a direct connection or a
  session-pooling proxy, never transaction pooling (docs/dev/scale-out.md).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from django.db import connection

MAX_PER_CONNECTION = 64
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@cache
def _positional(sql: str) -> tuple[str, tuple[str, ...]]:
    """`%(name)s` placeholders to `$n` (one number per distinct name), and the names in number order."""
    names: list[str] = []

    def number(match: re.Match) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _PLACEHOLDER.sub(number, sql), tuple(names)


def _statements() -> OrderedDict:
    """The statements prepared on the current database session (a new session starts with none)."""
    raw = connection.connection
    state = getattr(connection, "_prepared_statements", None)
    if state is None or state[0] is not raw:
        state = (raw, OrderedDict())
        connection._prepared_statements = state
    return state[1]


@cache
def _statement_name(schema: str, name: str, text: str) -> str:
    return "dms_" + hashlib.blake2s(f"{schema}\0{name}\0{text}".encode(), digest_size=10).hexdigest()


def execute(cursor, name: str, sql: str, params: dict) -> None:
    """Run `sql` with `params` as the prepared statement `name` of the current schema (see the module doc)."""
    text, names = _positional(sql)
    statement = _statement_name(getattr(connection, "schema_name", "public"), name, text)
    prepared = _statements()
    if statement in prepared:
        prepared.move_to_end(statement)
    else:
        cursor.execute(f"PREPARE {statement} AS {text}")
        prepared[statement] = True
        while len(prepared) > MAX_PER_CONNECTION:
            oldest, _ = prepared.popitem(last=False)
            cursor.execute(f"DEALLOCATE {oldest}")
    values = [pg_array(value) if isinstance(value, list | tuple) else value for value in (params[key] for key in names)]
    cursor.execute(f"EXECUTE {statement}({', '.join(['%s'] * len(values))})" if values else f"EXECUTE {statement}",
                   values)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _other(value) -> str:
    if isinstance(value, int):  # an int subclass (an IntegerChoices member)
        return str(int(value))
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime | date):
        return _quoted(value.isoformat())
    if isinstance(value, str):
        return _quoted(value)
    if hasattr(value, "adapted") and hasattr(value, "dumps"):  # psycopg2's Json / Django's Jsonb adapter
        return _quoted(value.dumps(value.adapted))
    if isinstance(value, dict | list):
        return _quoted(json.dumps(value))
    return _quoted(str(value))


# The text of an element by its exact type (the common ones); anything else through _other.
_ELEMENT = {int: str, str: _quoted, bool: lambda value: "t" if value else "f", type(None): lambda _value: "NULL",
            Decimal: lambda value: f"{value:f}", datetime: lambda value: _quoted(value.isoformat())}


def pg_array(values: Iterable) -> str:
    """`values` as the text of a one-dimensional PostgreSQL array ('{1,NULL,"a \\"b\\""}'), to pass as one
    parameter cast to the column's array type (`%s::integer[]`). Elements are ints, decimals, strings,
    booleans, dates, datetimes, JSON adapters or None."""
    element = _ELEMENT.get
    return "{" + ",".join([element(type(value), _other)(value) for value in values]) + "}"
