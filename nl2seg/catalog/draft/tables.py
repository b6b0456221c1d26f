"""Reading the database: every table with its columns, row count, prefix and key.

Queries here are the draft's only cost. Each one reads one table; on a big table it reads a
deterministic sample (every k-th row), never the whole table twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
from sqlglot import exp

from nl2seg.catalog.check import table_ref
from nl2seg.catalog.draft.names import column_prefix, is_key_name, noun, stem, words
from nl2seg.catalog.models import Family, type_family
from nl2seg.db import table_columns
from nl2seg.errors import DatabaseError

#: Rows a check reads at most from one table (a sample above that).
SAMPLE_ROWS = 50_000
#: Blocks of consecutive rows a sample is made of.
SAMPLE_BLOCKS = 20
INTEGERS = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT",
                      "UINTEGER", "UBIGINT"})


@dataclass(frozen=True)
class TableInfo:
    """What the draft knows about one database table."""

    name: str
    columns: dict[str, str]
    rows: int
    primary_key: list[str]
    prefix: str = ""
    base: bool = True
    """A base table (sampled by ``rowid``), not a view."""
    noun: list[str] = field(default_factory=list)

    @property
    def short(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def schema(self) -> str:
        return self.name.split(".", 1)[0]

    def stem(self, column: str) -> list[str]:
        return stem(column, self.prefix)

    def family(self, column: str) -> Family:
        return type_family(self.columns[column])


def ident(name: str) -> str:
    """A quoted identifier (names are never pasted into SQL as they are)."""
    return exp.to_identifier(name, quoted=True).sql(dialect="duckdb")


def tref(table: str) -> str:
    return table_ref(table).sql(dialect="duckdb")


def query(con: duckdb.DuckDBPyConnection, sql: str,
          params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Run one draft query; a failure becomes a :class:`DatabaseError`."""
    try:
        return [tuple(row) for row in con.execute(sql, params).fetchall()]
    except duckdb.Error as exc:
        raise DatabaseError(f"query failed: {exc}\n  {sql}", code="db_query") from None


def sample(t: TableInfo, columns: list[str], size: int | None = None) -> str:
    """A subquery reading ``columns`` from about ``size`` rows of ``t``: of a base table,
    blocks of consecutive rows spread evenly over it (deterministic, and cheap: DuckDB skips
    the row groups in between); of a view, its first rows."""
    cols = ", ".join(ident(c) for c in columns)
    size = SAMPLE_ROWS if size is None else size
    if t.rows <= size:
        return f"(SELECT {cols} FROM {tref(t.name)})"
    if t.base:
        per = math.ceil(size / SAMPLE_BLOCKS)
        ranges = " OR ".join(f"rowid BETWEEN {start} AND {start + per - 1}" for start in
                             (j * t.rows // SAMPLE_BLOCKS for j in range(SAMPLE_BLOCKS)))
        return f"(SELECT {cols} FROM {tref(t.name)} WHERE {ranges})"
    return f"(SELECT {cols} FROM {tref(t.name)} LIMIT {size})"


def inspect_tables(con: duckdb.DuckDBPyConnection) -> dict[str, TableInfo]:
    """Every user table and view with its row count, prefix and key (declared, else guessed)."""
    declared = declared_keys(con)
    base = {f"{s}.{t}" for s, t in query(
        con, "SELECT schema_name, table_name FROM duckdb_tables() "
             "WHERE database_name = current_database() AND NOT temporary")}
    out: dict[str, TableInfo] = {}
    for name, columns in table_columns(con).items():
        info = TableInfo(name, columns, row_count(con, name), [], column_prefix(list(columns)),
                         name in base, noun(name.split(".", 1)[1]))
        key = declared.get(name) or guess_key(con, info)
        out[name] = TableInfo(info.name, columns, info.rows, key, info.prefix, info.base,
                              info.noun)
    return out


def declared_keys(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """PRIMARY KEY constraints, when the database has them (generated data rarely does)."""
    rows = query(con, "SELECT schema_name, table_name, constraint_column_names "
                      "FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' "
                      "AND database_name = current_database()")
    return {f"{schema}.{table}": [str(c) for c in cols] for schema, table, cols in rows}


def guess_key(con: duckdb.DuckDBPyConnection, t: TableInfo) -> list[str]:
    """The first key-named column that names the table (``c_customer_sk`` of ``customer``,
    ``store_id`` of ``stores``) or leads it, if its values are unique and never NULL."""
    cols = list(t.columns)
    candidates = [c for c in cols if is_key_name(c)
                  and (c == cols[0] or t.stem(c) == t.noun or words(c) == ["id"]
                       or (t.stem(c) and t.stem(c)[-1:] == t.noun[-1:]))]
    for col in candidates:
        if t.family(col) in {"number", "text"} and is_unique(con, t, col):
            return [col]
    return []


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(query(con, f"SELECT count(*) FROM {tref(table)}")[0][0])


def is_unique(con: duckdb.DuckDBPyConnection, t: TableInfo, column: str) -> bool:
    """No NULL and no duplicate: the column can identify a row. On a big table, a sample is
    tried first (a duplicate is cheap to find there), then an integer key that is never NULL
    and spans exactly as many values as rows is taken as unique without counting them all."""
    col = ident(column)
    if t.rows > SAMPLE_ROWS:
        n, distinct, non_null = query(
            con, f"SELECT count(*), count(DISTINCT {col}), count({col}) "
                 f"FROM {sample(t, [column])}")[0]
        if not n == distinct == non_null:
            return False
        if t.columns[column].upper() in INTEGERS:
            low, high, non_null = query(
                con, f"SELECT min({col}), max({col}), count({col}) FROM {tref(t.name)}")[0]
            if non_null == t.rows and low is not None and high - low + 1 == t.rows:
                return True
    n, distinct, non_null = query(
        con, f"SELECT count(*), count(DISTINCT {col}), count({col}) FROM {tref(t.name)}")[0]
    return bool(n == distinct == non_null)
