"""The reference date ``as_of``: "today" for every window of a rule."""

from __future__ import annotations

import datetime as dt

import duckdb
from sqlglot import exp

from nl2seg.catalog.models import Catalog, split_column
from nl2seg.compile.literals import col, table
from nl2seg.errors import DatabaseError


def resolve_as_of(catalog: Catalog, con: duckdb.DuckDBPyConnection | None = None,
                  explicit: dt.date | None = None) -> dt.date:
    """``explicit`` if given; else the catalog's reference-date column read from ``con``;
    else today's date."""
    if explicit is not None:
        return explicit
    if con is not None and catalog.reference_date is not None:
        tname, cname = split_column(catalog.reference_date)
        q = exp.select(exp.Max(this=col(cname, "r"))).from_(table(tname, "r"))
        try:
            row = con.execute(q.sql(dialect="duckdb")).fetchone()
        except duckdb.Error as exc:
            raise DatabaseError(f"cannot read the reference date from {catalog.reference_date}:"
                                f" {exc}. Pass --as-of YYYY-MM-DD.", code="db_reference") from None
        if row and isinstance(row[0], dt.date):
            return row[0]
    return dt.date.today()


def parse_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` or raise ``ValueError`` with the expected format."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date: write it as YYYY-MM-DD") from None
