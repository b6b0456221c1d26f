"""The reference date ``as_of``: "today" for every window of a rule."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

import duckdb
from sqlglot import exp

from nl2seg.catalog.models import Catalog, ReferenceDate, split_column
from nl2seg.compile.literals import col, table
from nl2seg.compile.paths import source_filters, time_joins
from nl2seg.errors import DatabaseError
from nl2seg.inert import one_line
from nl2seg.rule.nodes import (
    Age,
    CalendarWindow,
    LastWindow,
    MoreThanAgoWindow,
    Rule,
    walk,
)

Origin = Literal["explicit", "stated", "data", "today"]


@dataclass(frozen=True)
class AsOf:
    """The reference date and where it came from (the read-back says so when it is today's
    date because neither the command line nor the catalog gave one, or the catalog's could not
    be read: :func:`nl2seg.readback.describe_reference`)."""

    day: dt.date
    origin: Origin
    detail: str = ""
    """What it was read from (a column, an event), or could not be read from; else empty."""


def resolve_as_of(catalog: Catalog, con: duckdb.DuckDBPyConnection | None = None,
                  explicit: dt.date | None = None) -> dt.date:
    """The day of :func:`reference_of`."""
    return reference_of(catalog, con, explicit).day


def reference_of(catalog: Catalog, con: duckdb.DuckDBPyConnection | None = None,
                 explicit: dt.date | None = None) -> AsOf:
    """``explicit`` if given; else the catalog's reference date (stated, or computed from
    ``con``: the latest value of a column, or the day of an event's latest occurrence); else
    today's date, with the catalog's reference that was not read (no ``con``, or no value in
    the data) as its ``detail``."""
    if explicit is not None:
        return AsOf(explicit, "explicit")
    ref = catalog.reference_date
    if isinstance(ref, str) and _DAY.fullmatch(ref):
        return AsOf(dt.date.fromisoformat(ref), "stated")
    if isinstance(ref, ReferenceDate) and ref.date is not None:
        return AsOf(dt.date.fromisoformat(ref.date), "stated")
    if ref is None:
        return AsOf(dt.date.today(), "today")
    what = _what(ref)
    day = None if con is None else _fetch_day(con, _reference_query(catalog, ref),
                                              f"the reference date from {what}")
    return AsOf(day, "data", what) if day is not None else AsOf(dt.date.today(), "today", what)


def origin_of(catalog: Catalog, con: duckdb.DuckDBPyConnection | None, day: dt.date) -> AsOf:
    """Where ``day``, a reference date already resolved, came from: the catalog's (as
    :func:`reference_of` finds it) when that is ``day``, else the command line's.

    The day of an event's latest occurrence is checked without computing it (an occurrence
    on ``day``, none after: two queries that stop early, where the maximum reads every row).
    An explicit day equal to the catalog's reads as the catalog's: the same day, truly so."""
    ref = catalog.reference_date
    try:
        if (con is not None and isinstance(ref, ReferenceDate) and ref.latest is not None
                and day != dt.date.today()):
            held = (occurs_since(catalog, con, ref.latest, day, ref.source)
                    and not occurs_since(catalog, con, ref.latest, day + dt.timedelta(days=1),
                                         ref.source))
            return AsOf(day, "data", _what(ref)) if held else AsOf(day, "explicit")
        found = reference_of(catalog, con)
    except DatabaseError:  # the day came from elsewhere: the catalog's cannot be read
        return AsOf(day, "explicit")
    return found if found.day == day else AsOf(day, "explicit")


def _what(ref: str | ReferenceDate) -> str:
    if isinstance(ref, str):
        return ref
    return f"the latest {ref.latest}" + (f" ({ref.source})" if ref.source else "")


def _reference_query(catalog: Catalog, ref: str | ReferenceDate) -> exp.Select:
    """``SELECT MAX(...)`` of the reference column, or of the ``latest`` event's time."""
    if isinstance(ref, str):
        tname, cname = split_column(ref)
        return exp.select(exp.Max(this=col(cname, "r"))).from_(table(tname, "r"))
    assert ref.latest is not None  # a stated date needs no query
    return exp.select(exp.Max(this=col("d", "u"))).from_(
        occurrences(catalog, ref.latest, ref.source))


def occurrences(catalog: Catalog, event: str, source: str | None = None) -> exp.Subquery:
    """The moments ``d`` of ``event``'s occurrences over its sources (or the one named
    ``source``), each with its fixed filters, known customers only: the subquery ``u``."""
    branches: list[exp.Select] = []
    for src in catalog.events[event].sources:
        if source is not None and src.name != source:
            continue
        joins, moment = time_joins(src)
        q = exp.select(moment.as_("d")).from_(table(src.table, "s"))
        for tbl, on in joins:
            q = q.join(tbl, on=on, join_type="inner")
        preds = source_filters(catalog, src)
        branches.append(q.where(exp.and_(*preds)) if preds else q)
    union: exp.Query = branches[0]
    for b in branches[1:]:
        union = exp.union(union, b, distinct=False)
    return union.subquery("u")


def latest_day(catalog: Catalog, con: duckdb.DuckDBPyConnection, event: str,
               source: str | None = None) -> dt.date | None:
    """The day of ``event``'s latest occurrence in ``con`` (None when it has none);
    :class:`~nl2seg.errors.DatabaseError` when the data cannot be read."""
    query = exp.select(exp.Max(this=col("d", "u"))).from_(occurrences(catalog, event, source))
    return _fetch_day(con, query, f"the latest {event}")


def occurs_since(catalog: Catalog, con: duckdb.DuckDBPyConnection, event: str, day: dt.date,
                 source: str | None = None) -> bool:
    """Has ``event`` an occurrence on ``day`` or later in ``con``? (The query stops at the
    first one it finds.)"""
    since = exp.GTE(this=col("d", "u"), expression=exp.cast(exp.Literal.string(
        day.isoformat()), "DATE"))
    query = exp.select(exp.Literal.number(1)).from_(
        occurrences(catalog, event, source)).where(since).limit(1)
    return _fetch(con, query, f"the occurrences of {event}") is not None


def _fetch(con: duckdb.DuckDBPyConnection, query: exp.Select,
           what: str) -> tuple[object, ...] | None:
    try:
        row: tuple[object, ...] | None = con.execute(query.sql(dialect="duckdb")).fetchone()
    except duckdb.Error as exc:
        raise DatabaseError(f"cannot read {what}: {one_line(str(exc))}. Pass --as-of "
                            "YYYY-MM-DD.", code="db_reference") from None
    return row


def _fetch_day(con: duckdb.DuckDBPyConnection, query: exp.Select, what: str) -> dt.date | None:
    """The date (or the day of the timestamp) ``query`` returns, None for NULL."""
    row = _fetch(con, query, what)
    value = row[0] if row else None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def uses_reference_date(rule: Rule) -> bool:
    """Does the rule's audience depend on the reference date? A window counted back from it
    ("last 6 months", "this year", "more than a year ago") or an age; fixed dates and "ever"
    do not (nothing exists after the reference date when it is the data's last day)."""
    for node in walk(rule.where):
        if isinstance(node, Age):
            return True
        window = getattr(node, "window", None)
        if isinstance(window, (LastWindow, MoreThanAgoWindow, CalendarWindow)):
            return True
    return False


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
