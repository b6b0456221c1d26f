"""The reference date ``as_of``: "today" for every window of a rule."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

import duckdb
from sqlglot import exp

from nl2seg.catalog.models import Catalog, ReferenceDate, split_column
from nl2seg.compile.literals import col, compare, table
from nl2seg.compile.paths import time_joins
from nl2seg.errors import DatabaseError
from nl2seg.inert import one_line

Origin = Literal["explicit", "stated", "data", "today"]


@dataclass(frozen=True)
class AsOf:
    """The reference date and where it came from (the read-back says when it is today's
    date because neither the request, the command line nor the catalog gave one)."""

    day: dt.date
    origin: Origin
    detail: str = ""
    """What it was read from: a column, an event, or empty."""


def resolve_as_of(catalog: Catalog, con: duckdb.DuckDBPyConnection | None = None,
                  explicit: dt.date | None = None) -> dt.date:
    """The day of :func:`reference_of`."""
    return reference_of(catalog, con, explicit).day


def reference_of(catalog: Catalog, con: duckdb.DuckDBPyConnection | None = None,
                 explicit: dt.date | None = None) -> AsOf:
    """``explicit`` if given; else the catalog's reference date (stated, or computed from
    ``con``: the latest value of a column, or the day of an event's latest occurrence); else
    today's date."""
    if explicit is not None:
        return AsOf(explicit, "explicit")
    ref = catalog.reference_date
    if isinstance(ref, str) and _DAY.fullmatch(ref):
        return AsOf(dt.date.fromisoformat(ref), "stated")
    if isinstance(ref, ReferenceDate) and ref.date is not None:
        return AsOf(dt.date.fromisoformat(ref.date), "stated")
    if con is not None and ref is not None:
        query, what = _latest_query(catalog, ref)
        try:
            row = con.execute(query.sql(dialect="duckdb")).fetchone()
        except duckdb.Error as exc:
            raise DatabaseError(f"cannot read the reference date from {what}: "
                                f"{one_line(str(exc))}. Pass --as-of YYYY-MM-DD.",
                                code="db_reference") from None
        if row and isinstance(row[0], dt.datetime):
            return AsOf(row[0].date(), "data", what)
        if row and isinstance(row[0], dt.date):
            return AsOf(row[0], "data", what)
    return AsOf(dt.date.today(), "today")


def _latest_query(catalog: Catalog, ref: str | ReferenceDate) -> tuple[exp.Select, str]:
    """``SELECT MAX(...)`` of the reference column, or of the event's time over its
    sources (each with its fixed filters, known customers only)."""
    if isinstance(ref, str):
        tname, cname = split_column(ref)
        return exp.select(exp.Max(this=col(cname, "r"))).from_(table(tname, "r")), ref
    assert ref.latest is not None
    event = catalog.events[ref.latest]
    branches: list[exp.Select] = []
    for src in event.sources:
        if ref.source is not None and src.name != ref.source:
            continue
        t = catalog.tables[src.table]
        joins, moment = time_joins(src)
        q = exp.select(moment.as_("d")).from_(table(src.table, "s"))
        for tbl, on in joins:
            q = q.join(tbl, on=on, join_type="inner")
        preds: list[exp.Expr] = [compare(col(f.column, "s"), f.op, f.value, f.values,
                                         t.columns[f.column].type) for f in src.where]
        if t.customer_key is not None:
            preds.append(compare(col(t.customer_key, "s"), "is_not_null", None, None, "BIGINT"))
        branches.append(q.where(exp.and_(*preds)) if preds else q)
    union: exp.Query = branches[0]
    for b in branches[1:]:
        union = exp.union(union, b, distinct=False)
    what = f"the latest {ref.latest}" + (f" ({ref.source})" if ref.source else "")
    return exp.select(exp.Max(this=col("d", "u"))).from_(union.subquery("u")), what


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
