"""``catalog check``: does the database hold what the catalog says it holds?

The compiler trusts the catalog blindly, so a renamed column or a new loyalty tier would
otherwise surface as a confusing SQL error or, worse, as an audience silently missing people.
This module compares the two up front and says, per table and column, what to fix; then it
runs the smoke queries of :mod:`nl2seg.catalog.smoke` (what previews will run: each event
source over its time path, each profile field through its joins, each property path and
computed column, the joins' many-to-one keys, each source's freshness).
"""

from __future__ import annotations

import contextlib
import re
from decimal import Decimal
from typing import Any

import duckdb
from pydantic import BaseModel, ConfigDict, Field
from sqlglot import exp

from nl2seg.catalog.expressions import computed
from nl2seg.catalog.models import Catalog, Column, Table
from nl2seg.catalog.probe import KINDS
from nl2seg.catalog.smoke import smoke_check
from nl2seg.db import table_columns
from nl2seg.errors import CatalogMismatch, DatabaseError, did_you_mean, suggestion_text

#: How many undeclared values one problem lists (the rest are counted).
MAX_LISTED = 10

_ALIASES = {
    "INT": "INTEGER", "INT4": "INTEGER", "SIGNED": "INTEGER",
    "INT8": "BIGINT", "LONG": "BIGINT", "INT2": "SMALLINT", "SHORT": "SMALLINT",
    "INT1": "TINYINT", "TEXT": "VARCHAR", "STRING": "VARCHAR", "CHAR": "VARCHAR",
    "BPCHAR": "VARCHAR", "NVARCHAR": "VARCHAR", "BOOL": "BOOLEAN", "LOGICAL": "BOOLEAN",
    "FLOAT4": "FLOAT", "REAL": "FLOAT", "FLOAT8": "DOUBLE", "DOUBLE PRECISION": "DOUBLE",
    "NUMERIC": "DECIMAL", "DATETIME": "TIMESTAMP", "TIMESTAMP_US": "TIMESTAMP",
    "TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE",
}


class CheckReport(BaseModel):
    """What ``check_catalog`` found: ``problems`` break queries, ``notes`` are worth a look."""

    model_config = ConfigDict(frozen=True)

    problems: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    checked: dict[str, int] = Field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    """What the smoke queries covered: how many event sources, profile fields…"""
    queries: int = 0
    """How many smoke queries ran."""

    @property
    def ok(self) -> bool:
        return not self.problems


def normalize_type(sql_type: str) -> str:
    """One spelling per DuckDB type, so 'int' and 'INTEGER' or 'DECIMAL(10, 2)' compare equal."""
    t = re.sub(r"\s*([(),\[\]])\s*", r"\1", " ".join(sql_type.upper().split()))
    if t.endswith("[]"):
        return normalize_type(t[:-2]) + "[]"
    base, _, params = t.partition("(")
    base = _ALIASES.get(base, base)
    if base == "VARCHAR":
        return base
    if base == "DECIMAL":
        precision, _, scale = params.rstrip(")").partition(",")
        return f"DECIMAL({precision or 18},{scale or (3 if not precision else 0)})"
    return f"{base}({params}" if params else base


def check_catalog(catalog: Catalog, con: duckdb.DuckDBPyConnection) -> CheckReport:
    """Compare the catalog with the open database (tables, columns, types and value lists),
    then run the smoke queries on what is there (:func:`nl2seg.catalog.smoke.smoke_check`)."""
    db = table_columns(con)
    problems: list[str] = []
    notes: list[str] = []
    for name in catalog.tables:
        if name not in db:
            problems.append(f"{name}: table is in the catalog but not in the database"
                            + suggestion_text(did_you_mean(name, set(db) - set(catalog.tables))))
            continue
        table = catalog.tables[name]
        for col_name in table.columns:
            _check_column(con, name, table, col_name, db[name], problems, notes)
    notes.extend(f"{name}: table is in the database but not in the catalog (nl2seg will not "
                 "use it)" for name in db if name not in catalog.tables)
    smoke = smoke_check(catalog, con, db)
    return CheckReport(problems=[*problems, *smoke.problems], notes=[*notes, *smoke.notes],
                       checked=smoke.checked, queries=smoke.queries)


def assert_catalog_matches(catalog: Catalog, con: duckdb.DuckDBPyConnection) -> None:
    """Raise :class:`CatalogMismatch` listing every problem (notes are not fatal)."""
    report = check_catalog(catalog, con)
    if not report.ok:
        raise CatalogMismatch(report.problems)


def _check_column(con: duckdb.DuckDBPyConnection, table: str, spec: Table, name: str,
                  db_columns: dict[str, str], problems: list[str], notes: list[str]) -> None:
    """Existence and type; then, for a closed value list, the values (one query)."""
    column = spec.columns[name]
    if column.expr is not None and name not in db_columns:
        # computed: not stored; its inputs are columns of this table, checked on their own,
        # and the smoke queries run it
        if column.values is not None and all(
                c.name in db_columns for c in computed(column.expr, "x").find_all(exp.Column)):
            with contextlib.suppress(DatabaseError):  # the smoke query names the failure
                _check_values(con, table, name, column, problems, notes)
        return
    if name not in db_columns:
        # A renamed column shows up as a database column the catalog does not know.
        undeclared = [c for c in db_columns if c not in spec.columns]
        problems.append(f"{table}: column '{name}' is in the catalog but not in the database"
                        + suggestion_text(did_you_mean(name, undeclared)))
        return
    if normalize_type(column.type) != normalize_type(db_columns[name]):
        problems.append(f"{table}: column '{name}' is {column.type} in the catalog but "
                        f"{db_columns[name]} in the database")
    if column.values is not None:
        _check_values(con, table, name, column, problems, notes)


def _check_values(con: duckdb.DuckDBPyConnection, table: str, name: str, column: Column,
                  problems: list[str], notes: list[str]) -> None:
    """Closed value lists must cover the data; declared values nobody has are only noted."""
    family = column.family
    declared = {value_key(v, family): v for v in column.value_names()}
    found = value_counts(con, table, name, expr=column.expr)
    seen = {value_key(v, family) for v, _ in found}
    extra = [(v, n) for v, n in found if value_key(v, family) not in declared]
    if extra:
        listed = ", ".join(f"{show_value(v)} ({n} row{'s' if n != 1 else ''})"
                           for v, n in extra[:MAX_LISTED])
        more = f" and {len(extra) - MAX_LISTED} more" if len(extra) > MAX_LISTED else ""
        problems.append(f"{table}: column '{name}' has values the catalog does not declare: "
                        f"{listed}{more} — add them to its values list or fix the data")
    absent = [v for k, v in declared.items() if k not in seen]
    if absent:
        notes.append(f"{table}: column '{name}': declared value(s) not found in the data: "
                     + ", ".join(show_value(v) for v in absent))


def value_key(value: object, family: str) -> object:
    """A comparison key: the data's Decimal 1.50 and the catalog's 1.5 are the same value."""
    if family == "boolean" and isinstance(value, bool):
        return value
    if family == "number" and isinstance(value, int | float | Decimal) \
            and not isinstance(value, bool):
        return float(value)
    return str(value)


def show_value(value: object) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


def value_counts(con: duckdb.DuckDBPyConnection, table: str, column: str,
                 limit: int | None = None, expr: str | None = None) -> list[tuple[object, int]]:
    """Distinct non-null values of ``table.column`` with their row counts, most frequent first.

    ``limit`` caps what is fetched, for callers that only need to know "more than N";
    ``expr`` is a computed column's (checked) expression, read instead of a stored column.
    """
    col: exp.Expr = (computed(expr, "x") if expr is not None
                     else exp.column(exp.to_identifier(column, quoted=True), table="x"))
    query = (
        exp.select(exp.alias_(col, "value", quoted=True),
                   exp.alias_(exp.Count(this=exp.Star()), "n", quoted=True))
        .from_(table_ref(table).as_("x"))
        .where(col.copy().is_(exp.null()).not_())
        .group_by(col.copy())
        .order_by(exp.Ordered(this=exp.column("n", quoted=True), desc=True), col.copy())
    )
    if limit is not None:
        query = query.limit(limit)
    return [(v, int(n)) for v, n in run(con, query)]


def table_ref(table: str) -> exp.Table:
    """``"schema.table"`` as a quoted sqlglot table (names are never pasted into SQL)."""
    schema, name = table.split(".", 1)
    return exp.table_(exp.to_identifier(name, quoted=True),
                      db=exp.to_identifier(schema, quoted=True))


def run(con: duckdb.DuckDBPyConnection, query: exp.Expression) -> list[tuple[Any, ...]]:
    """Execute a sqlglot query on DuckDB; a failure becomes a :class:`DatabaseError`."""
    sql = query.sql(dialect="duckdb")
    try:
        return [tuple(row) for row in con.execute(sql).fetchall()]
    except duckdb.Error as exc:
        raise DatabaseError(f"query failed: {exc}\n  {sql}", code="db_query") from None
