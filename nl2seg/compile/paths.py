"""Where a column comes from: profile fields through the customer's references, event times
through a dimension, computed columns as checked expressions.

Every query that reads a profile field or an event's time asks this module, so the
compiler, the preview's sample and the breakdowns join the same way, on any schema the
catalog describes (a one-row-per-customer table on its customer key; an address or the
demographics many-to-one from the customer; a sale's date in a date dimension).
"""

from __future__ import annotations

from sqlglot import exp

from nl2seg.catalog.expressions import computed
from nl2seg.catalog.models import Catalog, ColumnPath, EventSource, Hop, Table, split_column
from nl2seg.compile.literals import col, compare, table
from nl2seg.errors import CompileError


def column_expr(tbl: Table, name: str, alias: str) -> exp.Expr:
    """``alias.name``, or the computed column's expression over ``alias``."""
    spec = tbl.columns[name]
    return computed(spec.expr, alias) if spec.expr is not None else col(name, alias)


class ProfileJoins:
    """LEFT JOINs, added on demand, that bring profile tables onto a query whose FROM is the
    entity table (alias ``entity_alias``). Many-to-one only, so no customer is repeated."""

    def __init__(self, catalog: Catalog, query: exp.Select, entity_alias: str = "c",
                 prefix: str = "p") -> None:
        self.cat = catalog
        self.query = query
        self.prefix = prefix
        self.aliases: dict[str, str] = {catalog.entity.table: entity_alias}
        self._paths = catalog.profile_paths()

    def column(self, qualified: str) -> exp.Expr:
        tname, cname = split_column(qualified)
        return column_expr(self.cat.tables[tname], cname, self.alias(tname))

    def alias(self, tname: str) -> str:
        if tname in self.aliases:
            return self.aliases[tname]
        path = self._paths.get(tname)
        if path is None:
            raise CompileError(f"table {tname} is not reachable from the customer table "
                               f"{self.cat.entity.table}: give it grain 'customer' with a "
                               "customer_key, or mark it 'profile: true' and reference it from "
                               "the customer table", code="catalog_path")
        if not path:  # a one-row-per-customer table: on its customer key
            t = self.cat.tables[tname]
            assert t.customer_key is not None
            entity = self.aliases[self.cat.entity.table]
            on: exp.Expr = exp.EQ(this=col(t.customer_key, self._new(tname)),
                                  expression=col(self.cat.entity.key, entity))
        else:
            step = path[-1]
            outer = self.alias(step.from_table)
            on = exp.EQ(this=col(step.to_column, self._new(tname)),
                        expression=col(step.from_column, outer))
        self.query = self.query.join(table(tname, self.aliases[tname]), on=on,
                                     join_type="left")
        return self.aliases[tname]

    def _new(self, tname: str) -> str:
        alias = f"{self.prefix}{len(self.aliases)}"
        self.aliases[tname] = alias
        return alias


def time_joins(src: EventSource, alias: str = "s",
               prefix: str = "t") -> tuple[list[tuple[exp.Table, exp.Expr]], exp.Expr]:
    """The INNER JOINs that reach an event's time (none when it is a column of the event
    table) and the time expression. A row whose date key matches no dimension row has no
    time, so it is outside every window, as a NULL time column is."""
    path: ColumnPath = src.time_path
    joins: list[tuple[exp.Table, exp.Expr]] = []
    outer = alias
    for i, hop in enumerate(path.via):
        if len(hop.join_on) != 1:
            raise CompileError(f"the time of {src.table} must join on one column per hop "
                               f"({hop.table} joins on {len(hop.join_on)})", code="catalog_path")
        (outer_col, inner_col), = hop.join_on.items()
        inner = f"{prefix}{i}"
        joins.append((table(hop.table, inner),
                      exp.EQ(this=col(outer_col, outer), expression=col(inner_col, inner))))
        outer = inner
    return joins, col(path.column, outer)


def time_table(src: EventSource) -> str:
    """The table holding the event's time column (the last hop's, else the event table)."""
    via = src.time_path.via
    return via[-1].table if via else src.table


def time_type(catalog: Catalog, src: EventSource) -> str:
    """The SQL type of an event source's time."""
    return catalog.tables[time_table(src)].columns[src.time_path.column].type


def through(via: list[Hop], cond: exp.Expr, table_name: str, outer: str = "s") -> exp.Expr:
    """``cond`` (on the last hop, alias ``h<n-1>``) reached from ``outer`` through ``via``:
    a chain of uncorrelated semi-joins, innermost on the last hop's table
    (``s.a IN (SELECT h0.b FROM … WHERE h0.c IN (…))``), measured faster than JOINs inside
    one IN. ``table_name`` names the starting table in the error."""
    for i in range(len(via) - 1, -1, -1):
        hop = via[i]
        if len(hop.join_on) != 1:
            raise CompileError(f"property paths from {table_name} must join on one column "
                               f"per hop ({hop.table} joins on {len(hop.join_on)})",
                               code="catalog_path")
        (outer_col, inner_col), = hop.join_on.items()
        keys = exp.select(col(inner_col, f"h{i}")).from_(table(hop.table, f"h{i}"))
        cond = exp.In(this=col(outer_col, outer if i == 0 else f"h{i - 1}"),
                      query=keys.where(cond).subquery())
    return cond


def known_customer(catalog: Catalog, src: EventSource, alias: str = "s") -> list[exp.Expr]:
    """``customer_key IS NOT NULL``: an anonymous row is never part of an audience."""
    key = catalog.tables[src.table].customer_key
    return [] if key is None else [compare(col(key, alias), "is_not_null", None, None,
                                           "BIGINT")]


def fixed_filters(catalog: Catalog, src: EventSource, alias: str = "s") -> list[exp.Expr]:
    """The source's fixed filters (only completed orders…)."""
    t = catalog.tables[src.table]
    return [compare(col(f.column, alias), f.op, f.value, f.values, t.columns[f.column].type)
            for f in src.where]


def source_filters(catalog: Catalog, src: EventSource, alias: str = "s") -> list[exp.Expr]:
    """A known customer and the source's fixed filters."""
    return [*known_customer(catalog, src, alias), *fixed_filters(catalog, src, alias)]
