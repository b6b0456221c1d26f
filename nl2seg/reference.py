"""The reference date ``as_of``: "today" for every window of a rule."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
from sqlglot import exp

from nl2seg.catalog.models import Catalog, split_column
from nl2seg.compile.literals import col, table
from nl2seg.errors import DatabaseError
from nl2seg.inert import one_line


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


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` or raise ``ValueError`` with the expected format.

    Only that form: ``date.fromisoformat`` also reads ISO week dates (``2026-W26-1``) and
    ``20260622``, which a reader of the command line would not recognise as the day used.

    >>> parse_date("2026-W26-1")
    Traceback (most recent call last):
    ValueError: '2026-W26-1' is not a date: write it as YYYY-MM-DD (e.g. 2026-06-30)
    """
    try:
        if not _DAY.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{one_line(text)[:40]}' is not a date: write it as YYYY-MM-DD "
                         "(e.g. 2026-06-30)") from None
