"""Which database an approval was made on: its path and a fingerprint of its content.

The fingerprint covers what the catalog reads: each table's row count and the latest value
of each of its DATE and TIMESTAMP columns, read with queries sqlglot builds from quoted
identifiers. Another file, or the same path holding other data (a copy, a restore, a
refresh), gives another identity; an approval does not carry over to it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from pydantic import BaseModel
from sqlglot import exp

from nl2seg.catalog.models import Catalog
from nl2seg.compile.literals import table
from nl2seg.guard.state import json_sha256

_TIMES = ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ")


class DatabaseIdentity(BaseModel):
    path: str
    fingerprint: str
    facts: dict[str, list[str]]
    """Per table: its row count then its latest timestamps, as text (what was hashed)."""


def database_path(con: duckdb.DuckDBPyConnection) -> str:
    """The open database's file, resolved (``:memory:`` when it has none)."""
    row = con.execute("SELECT path FROM duckdb_databases() "
                      "WHERE database_name = current_database()").fetchone()
    path = row[0] if row else None
    return str(Path(path).resolve()) if path else ":memory:"


def database_identity(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> DatabaseIdentity:
    facts: dict[str, list[str]] = {}
    for name, t in sorted(catalog.tables.items()):
        times = sorted(c for c, col in t.columns.items() if col.type.upper() in _TIMES)
        q = exp.select(exp.Count(this=exp.Star()),
                       *(exp.Max(this=exp.column(c)) for c in times)).from_(table(name))
        try:
            row = con.execute(q.sql(dialect="duckdb")).fetchone()
        except duckdb.Error as exc:  # a table the catalog names but the database lacks
            facts[name] = [f"unreadable: {type(exc).__name__}"]
            continue
        facts[name] = [str(v) for v in row or ()]
    return DatabaseIdentity(path=database_path(con), fingerprint=json_sha256(facts)[:16],
                            facts=facts)
