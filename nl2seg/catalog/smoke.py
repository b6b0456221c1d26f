"""Smoke queries: ``catalog check`` runs, on the data, what previews will run.

Comparing names and types (:mod:`nl2seg.catalog.check`) is not enough: a catalog could pass
it and still fail at preview, e.g. a date key declared as an event's time (``Binder Error:
Cannot compare values of type BIGINT and type TIMESTAMP``), or quietly repeat customers
through an address table with a duplicate key. So the check builds, with the compiler's own
path helpers (:mod:`nl2seg.compile.paths`), one small query per event source (its rows and
latest time over its time path: :mod:`nl2seg.catalog.smoke_events`), per profile field
(``SELECT <field> FROM <customers> LEFT JOIN … LIMIT 1``), per property path and per
computed column; it checks that every join a preview relies on is many-to-one, and how fresh
each event source is (:mod:`nl2seg.catalog.freshness`). A failure is one line: the catalog
place, then the database's message.

Only what the comparison found in the database is queried, so a renamed column is one
problem, not one per query that reads it.
"""

from __future__ import annotations

import duckdb
from sqlglot import exp

from nl2seg.catalog.models import Catalog, split_column, type_family
from nl2seg.catalog.probe import Probe, SmokeReport, same_family
from nl2seg.catalog.smoke_events import events, reference
from nl2seg.compile.literals import table
from nl2seg.compile.paths import ProfileJoins, column_expr


def smoke_check(catalog: Catalog, con: duckdb.DuckDBPyConnection,
                db: dict[str, dict[str, str]]) -> SmokeReport:
    """Run the smoke queries of ``catalog`` on ``con``; ``db`` is what
    :func:`nl2seg.db.table_columns` found there (only that is queried)."""
    p = Probe(catalog, con, db)
    as_of = reference(p)
    join_keys(p)
    profile_fields(p)
    computed_columns(p)
    events(p, as_of)
    return p.report


def join_keys(p: Probe) -> None:
    """Every join a preview makes onto a customer row is many-to-one: a one-row-per-customer
    table on its customer key, a ``profile`` lookup on the key its reference joins."""
    for tname, path in p.cat.profile_paths().items():
        t = p.cat.tables[tname]
        if not path:
            if t.customer_key is not None and p.has(tname, t.customer_key):
                p.unique(f"tables.{tname}.customer_key", tname, t.customer_key,
                         "customers would be repeated: a 'customer' table holds one row per "
                         "customer")
            continue
        step = path[-1]
        if p.has(tname, step.to_column) and p.has(step.from_table, step.from_column):
            p.unique(f"tables.{tname}", tname, step.to_column,
                     f"customers joined through {step.from_table}.{step.from_column} would "
                     f"be repeated: keep one row per {step.to_column}",
                     among=(step.from_table, step.from_column))


def profile_fields(p: Probe) -> None:
    """``SELECT <field> FROM <customers> LEFT JOIN … LIMIT 1`` joined as the compiler joins
    it (:class:`~nl2seg.compile.paths.ProfileJoins`): one query per table, one per field if
    it fails."""
    entity = p.cat.entity
    if not p.has(entity.table, entity.key):
        return
    paths = p.cat.profile_paths()
    fields: dict[str, list[tuple[str, str]]] = {}
    for qualified in p.cat.profile_fields():
        tname, cname = split_column(qualified)
        t = p.cat.tables[tname]
        reachable = all(p.has(s.from_table, s.from_column) and p.has(s.to_table, s.to_column)
                        for s in paths[tname]) and (
            bool(paths[tname]) or t.customer_key is None or p.has(tname, t.customer_key))
        if reachable and p.has(tname, cname):
            fields.setdefault(tname, []).append((f"tables.{tname}.columns.{cname}", qualified))

    def build(qualified: list[str]) -> exp.Query:
        joins = ProfileJoins(p.cat, exp.select().from_(table(entity.table, "c")))
        values = [exp.alias_(joins.column(q), f"v{i}") for i, q in enumerate(qualified)]
        return joins.query.select(*values).limit(1)

    for items in fields.values():
        p.batch("profile fields", items, build)


def computed_columns(p: Probe) -> None:
    """Each expression over its whole table (a bad value fails here, not at preview), and
    its result's type against the declared one."""
    for tname, t in p.cat.tables.items():
        for cname, spec in t.columns.items():
            if spec.expr is None or not p.has(tname, cname):
                continue
            where = f"tables.{tname}.columns.{cname}.expr"
            value = column_expr(t, cname, "x")
            query = exp.select(exp.Count(this=exp.Star()).as_("n"),
                               exp.Count(this=value.copy()).as_("known"),
                               exp.AnyValue(this=value.copy()).as_("v")
                               ).from_(table(tname, "x"))
            result = p.run("computed columns", where, query)
            if result is None:
                continue
            (n, known, _), = result[0]
            got = result[1][2]
            if not same_family(type_family(got), spec.family):
                p.problem(f"{where}: '{spec.expr}' gives {got}, but the column is declared "
                          f"{spec.type}")
            elif n and not known:
                p.note(f"{where}: '{spec.expr}' is NULL on every row of {tname}")
