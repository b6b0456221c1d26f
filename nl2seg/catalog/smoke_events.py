"""Smoke queries of the event sources: the reference date, then for each source its time
(a DATE or TIMESTAMP, through a dimension with a unique key), its rows and latest time over
its time path (freshness), its occurrence key at line grain, and its property paths.

Each query is built from the compiler's own pieces (:func:`~nl2seg.compile.paths.time_joins`,
:func:`~nl2seg.compile.literals.compare`, :func:`~nl2seg.compile.literals.bound_literal`),
so what fails here is what would fail at preview.
"""

from __future__ import annotations

import datetime as dt

from sqlglot import exp

from nl2seg.catalog.freshness import freshness
from nl2seg.catalog.models import Event, EventSource, ReferenceDate, split_column, type_family
from nl2seg.catalog.probe import Probe, same_family, show
from nl2seg.compile.literals import bound_literal, col, compare, table
from nl2seg.compile.paths import source_filters, through, time_joins, time_table, time_type
from nl2seg.errors import CompileError, DatabaseError
from nl2seg.inert import one_line
from nl2seg.reference import AsOf, reference_of
from nl2seg.windows import end_of

_MOMENTS = ("date", "timestamp")


def reference(p: Probe) -> AsOf | None:
    """The reference date as previews compute it, or ``None`` when the data cannot give it
    (a problem says why, unless the comparison already reported what is missing)."""
    ref = p.cat.reference_date
    if isinstance(ref, str) and "." in ref and not p.has(*split_column(ref)):
        return None
    if isinstance(ref, ReferenceDate) and ref.latest is not None and not all(
            source_present(p, s) and time_is_a_date(p, "", s, report=False)
            for s in p.cat.events[ref.latest].sources if ref.source in (None, s.name)):
        return None
    try:
        as_of = reference_of(p.cat, p.con)
    except DatabaseError as exc:
        p.problem(f"reference_date: {one_line(exc.message)}")
        return None
    if as_of.origin == "today" and p.cat.events:
        why = ("the catalog gives none" if ref is None
               else f"{as_of.detail or 'its reference'} has no value in the data")
        p.note(f"reference_date: {why}, so windows end today ({as_of.day.isoformat()}); for "
               "data that ends in the past, state it (reference_date: {date: YYYY-MM-DD}) or "
               "read it from the data (reference_date: {latest: <event>})")
    return as_of


def events(p: Probe, as_of: AsOf | None) -> None:
    """Every source of every event whose table, keys, filters and time path exist."""
    for ename, ev in p.cat.events.items():
        for i, src in enumerate(ev.sources):
            where, label = f"events.{ename}.sources[{i}]", f"events.{ename}.sources[{src.name}]"
            if not source_present(p, src):
                continue
            for j, hop in enumerate(src.time_path.via):  # a repeated date key repeats events
                if len(hop.join_on) == 1:
                    (_, inner), = hop.join_on.items()
                    p.unique(f"{where}.time.via[{j}]", hop.table, inner,
                             "events would be repeated (and amounts summed twice)")
            if time_is_a_date(p, where, src):
                event_source(p, where, label, src, as_of)
            if src.grain == "line":
                occurrences(p, where, label, src)
            properties(p, where, label, src, ev)


def source_present(p: Probe, src: EventSource) -> bool:
    """The source's table, keys, filters and time path exist in the database."""
    t = p.cat.tables[src.table]
    cols = [src.key, *(f.column for f in src.where)]
    if t.customer_key is not None:
        cols.append(t.customer_key)
    last = p.has_path(src.table, src.time_path.via)
    return (p.has(src.table) and all(p.has(src.table, c) for c in cols)
            and last is not None and p.has(last, src.time_path.column))


def time_is_a_date(p: Probe, where: str, src: EventSource, report: bool = True) -> bool:
    """An event's time is a stored DATE or TIMESTAMP column in the database, or no window
    compares with it; a date key is read through its dimension (the fix names it)."""
    tname, cname = time_table(src), src.time_path.column
    got = p.db_type(tname, cname)
    if got is not None and type_family(got) in _MOMENTS:
        return True
    if not report:
        return False
    if got is None:  # present, so computed: previews join and compare a time as stored
        p.problem(f"{where}.time: {tname}.{cname} is a computed column; an event's time must "
                  "be a stored DATE or TIMESTAMP column (of the event table or of a dimension)")
    else:
        p.problem(f"{where}.time: {tname}.{cname} is {got} in the database, not a DATE or "
                  f"TIMESTAMP, so no window can compare with it; {_time_fix(p, src)}")
    return False


def _time_fix(p: Probe, src: EventSource) -> str:
    """``time: {column: d_date, via: [...]}`` with real names when the key references a
    dimension that has a DATE column, else with placeholders."""
    cname = src.time_path.column
    if src.time_path.via:
        dim = time_table(src)
        dates = _moments(p, dim)
        return (f"point time.column at a DATE or TIMESTAMP column of {dim}"
                + (f" ({', '.join(dates)})" if dates else ""))
    target = p.cat.tables[src.table].references.get(cname)
    if target is not None:
        dim, key = split_column(target)
        dates = _moments(p, dim)
        if dates:
            return (f"read the day through the dimension: time: {{column: {dates[0]}, "
                    f"via: [{{table: {dim}, join_on: {{{cname}: {key}}}}}]}}")
    return ("a date key reaches its day through the date dimension: time: {column: "
            "<date column>, via: [{table: <dimension>, join_on: {<key>: <dimension key>}}]}")


def _moments(p: Probe, tname: str) -> list[str]:
    """The catalog's columns of ``tname`` that are DATE or TIMESTAMP in the database."""
    return [c for c, ty in p.db.get(tname, {}).items()
            if type_family(ty) in _MOMENTS and c in p.cat.tables[tname].columns]


def filters(p: Probe, src: EventSource) -> list[exp.Expr]:
    """A known customer and the source's fixed filters, as the compiler writes them."""
    return source_filters(p.cat, src)


def event_source(p: Probe, where: str, label: str, src: EventSource,
                 as_of: AsOf | None) -> None:
    """Rows, rows with a time, the latest time and rows after the reference date (compared
    with the window's bound literal), over the time path, with the source's filters and a
    known customer. Rows without a time are counted through LEFT JOINs; the compiler's INNER
    JOINs leave them out of every window."""
    try:
        joins, moment = time_joins(src)
    except CompileError as exc:
        p.problem(f"{where}.time: {one_line(exc.message)}")
        return
    columns: list[exp.Expr] = [exp.Count(this=exp.Star()).as_("n"),
                               exp.Count(this=moment.copy()).as_("timed"),
                               exp.Max(this=moment.copy()).as_("latest")]
    if as_of is not None:
        later = exp.GTE(this=moment.copy(),
                        expression=bound_literal(end_of(as_of.day), time_type(p.cat, src)))
        columns.append(exp.Count(this=exp.Case().when(later, exp.Literal.number(1)))
                       .as_("after"))
    query = exp.select(*columns).from_(table(src.table, "s"))
    for tbl, on in joins:
        query = query.join(tbl, on=on, join_type="left")
    result = p.run("event sources", where, query.where(exp.and_(*filters(p, src))))
    if result is None:
        return
    n, timed, latest, *after = result[0][0]
    if not n:
        p.note(f"{label}: no rows with a customer{' and its filters' if src.where else ''}")
        return
    if as_of is not None and isinstance(latest, dt.date):
        refresh = p.cat.sources[p.cat.tables[src.table].source].refresh
        p.note(freshness(label, latest, as_of.day, refresh, n))
    if timed < n:
        via = f", or no {src.time_path.via[-1].table} row" if src.time_path.via else ""
        p.note(f"{label}: {n - timed:,} of {n:,} rows have no time (NULL{via}) and are "
               "outside every window")
    if as_of is not None and after and after[0]:
        p.note(f"{label}: {after[0]:,} of {n:,} rows are after the reference date "
               f"{as_of.day.isoformat()}, outside every window")


def occurrences(p: Probe, where: str, label: str, src: EventSource) -> None:
    """A line-grain source groups lines by customer and occurrence key: a key shared by
    several customers is one occurrence for each of them (worth knowing, not wrong)."""
    t = p.cat.tables[src.table]
    if t.customer_key is None:
        return
    key = col(src.key, "s")
    customers = exp.Count(this=exp.Distinct(expressions=[col(t.customer_key, "s")]))
    shared = (exp.select(key.as_("k")).from_(table(src.table, "s"))
              .where(exp.and_(*filters(p, src))).group_by(key.copy())
              .having(exp.GT(this=customers, expression=exp.Literal.number(1))))
    query = exp.select(exp.Count(this=exp.Star()), exp.Min(this=col("k", "o"))).from_(
        shared.subquery("o"))
    result = p.run("many-to-one keys", f"{where}.key", query, guard=False)
    if result and result[0][0][0]:
        n, example = result[0][0]
        p.note(f"{label}: {n:,} {src.key} value{'s belong' if n != 1 else ' belongs'} to more "
               f"than one customer (e.g. {show(example)}): each counts as one occurrence for "
               "each of its customers")


def properties(p: Probe, where: str, label: str, src: EventSource, ev: Event) -> None:
    """Each column property has its property's type family; each path is queried once for
    the properties that share it."""
    paths: dict[tuple[object, ...], list[tuple[str, str]]] = {}
    for pname, ps in src.properties.items():
        if ps.column is None:
            continue
        where_p = f"{where}.properties.{pname}"
        last = p.has_path(src.table, ps.via)
        if last is None or not p.has(last, ps.column):
            continue
        got, ptype = p.db_type(last, ps.column), ev.properties[pname].type
        if got is not None and not same_family(type_family(got), type_family(ptype)):
            p.problem(f"{where_p}: {last}.{ps.column} is {got} in the database, but the "
                      f"property is {ptype}")
            continue
        wide = [(i, hop) for i, hop in enumerate(ps.via) if len(hop.join_on) != 1]
        if wide:  # the compiler's rule: a CompileError at preview
            i, hop = wide[0]
            p.problem(f"{where_p}.via[{i}]: a property path joins on one column per hop "
                      f"({hop.table} joins on {len(hop.join_on)})")
            continue
        if ps.via:
            hops = tuple((h.table, *h.join_on.items()) for h in ps.via)
            paths.setdefault(hops, []).append((where_p, ps.column))
    for items in paths.values():
        property_path(p, label, src, items)


def property_path(p: Probe, label: str, src: EventSource, items: list[tuple[str, str]]) -> None:
    """One LIMIT-1 query through a property path, for the properties that share it (one
    each if it fails), in the compiler's shape: a chain of semi-joins, innermost on the
    property's table (``s.a IN (SELECT h0.b FROM … WHERE h0.c IN (…))``), where a key of
    another type fails as it would at preview."""
    via = src.properties[items[0][0].rsplit(".", 1)[1]].via

    def build(columns: list[str]) -> exp.Query:
        last = f"h{len(via) - 1}"
        cond: exp.Expr = exp.or_(*(compare(col(c, last), "is_not_null", None, None, "VARCHAR")
                                   for c in columns))
        cond = through(via, cond, src.table)
        first = next(iter(via[0].join_on))
        return (exp.select(col(first, "s").as_("k")).from_(table(src.table, "s"))
                .where(cond).limit(1))

    result = p.batch("property paths", items, build)
    if result is not None and not result[0]:
        names = ", ".join(w.rsplit(".", 1)[1] for w, _ in items)
        p.note(f"{label}.properties.{names}: no row of {src.table} reaches a value in "
               f"{via[-1].table} through its path (do the join columns hold the same keys?)")
