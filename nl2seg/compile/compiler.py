"""Rule → sqlglot expression, with exactly the semantics of ``semantics.md``.

Shape of the SQL (one statement, no correlated subquery):

- the customer entity table is the base (``AS c``); other one-row-per-customer tables
  (scores) are LEFT JOINed on the customer key when a condition reads them;
- each event condition becomes one per-customer aggregate (``GROUP BY`` the customer key)
  over the UNION ALL of the event's sources, filtered by window and properties, LEFT JOINed
  as ``e1``, ``e2``…; its predicate reads that aggregate (``COALESCE(e1.v, 0) >= 2``);
- properties reached through lines (a category) filter with an uncorrelated semi-join
  (``s.transaction_id IN (SELECT …)``), never a NOT IN over a nullable column;
- NOT is a set complement: ``NOT COALESCE(p, FALSE)``, so unknown values are not lost.

Every top-level condition stays a separate *step* so the preview can compute the funnel and
each condition's leave-one-out impact in one scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlglot import exp

from nl2seg.catalog.models import Catalog, EventSource, PropertySource
from nl2seg.compile.literals import bound_literal, col, compare, literal, table
from nl2seg.errors import CompileError
from nl2seg.rule.nodes import (
    Age,
    All,
    AnyOf,
    Attribute,
    Condition,
    DateIn,
    EventCondition,
    Not,
    PropertyFilter,
    Score,
    SegmentRef,
)
from nl2seg.validate import ValidatedRule
from nl2seg.windows import Bounds, everything, resolve, shift

DIALECTS = ("duckdb", "postgres", "snowflake", "bigquery", "spark")


@dataclass(frozen=True)
class Step:
    """One top-level condition (or the channel's consent) and its SQL predicate."""

    kind: Literal["condition", "consent"]
    predicate: exp.Expr
    node: Condition | None = None
    channel: str | None = None


@dataclass(frozen=True)
class CompiledRule:
    """A validated rule as SQL parts: the FROM clause with its joins, and the steps."""

    validated: ValidatedRule
    source: exp.Select
    """``SELECT`` with only FROM and JOINs: the customers and the features they need."""
    key: exp.Column
    steps: list[Step] = field(default_factory=list)

    def where(self) -> exp.Expr:
        return exp.and_(*(s.predicate for s in self.steps))

    def audience(self) -> exp.Select:
        """``SELECT DISTINCT <key>`` of the audience: the query that defines it."""
        q = self.source.copy().select(self.key.copy().as_(self.key.name)).distinct()
        return q.where(self.where().copy())

    def sql(self, dialect: str = "duckdb", pretty: bool = True) -> str:
        if dialect not in DIALECTS:
            raise CompileError(f"unknown dialect '{dialect}'; choose one of "
                               f"{', '.join(DIALECTS)}", code="unknown_dialect")
        return self.audience().sql(dialect=dialect, pretty=pretty)


def compile_rule(validated: ValidatedRule) -> CompiledRule:
    """Compile a validated rule (see :func:`nl2seg.validate.validate`).

    The audience query passes :func:`nl2seg.compile.safety.check_query` before it is
    returned, so no table or column outside the catalog can reach a database.
    """
    from nl2seg.compile.safety import check_query

    compiled = _Compiler(validated).run()
    check_query(compiled.audience(), validated.catalog)
    return compiled


class _Compiler:
    def __init__(self, validated: ValidatedRule) -> None:
        self.v = validated
        self.cat: Catalog = validated.catalog
        entity = self.cat.entity
        self.key = col(entity.key, "c")
        self.query = exp.select().from_(table(entity.table, "c"))
        self.profile_aliases: dict[str, str] = {entity.table: "c"}
        self.n_events = 0

    def run(self) -> CompiledRule:
        rule = self.v.rule
        nodes = rule.where.conditions if isinstance(rule.where, All) else [rule.where]
        steps = [Step("condition", self.predicate(n), node=n) for n in nodes]
        if rule.channel is not None:
            steps.append(Step("consent", self.consent(rule.channel), channel=rule.channel))
        return CompiledRule(self.v, self.query, self.key, steps)

    # -- profile ----------------------------------------------------------------------------
    def field_column(self, qualified: str) -> exp.Column:
        tname, cname = qualified.rsplit(".", 1)
        if tname not in self.profile_aliases:
            alias = f"p{len(self.profile_aliases)}"
            t = self.cat.tables[tname]
            assert t.customer_key is not None
            self.query = self.query.join(
                table(tname, alias), on=exp.EQ(this=col(t.customer_key, alias),
                                               expression=self.key.copy()),
                join_type="left")
            self.profile_aliases[tname] = alias
        return col(cname, self.profile_aliases[tname])

    def consent(self, channel: str) -> exp.Expr:
        ch = self.cat.channels[channel]
        preds: list[exp.Expr] = [
            exp.EQ(this=self.field_column(ch.consent), expression=exp.true())]
        if ch.contact is not None:
            preds.append(compare(self.field_column(ch.contact), "is_not_null", None, None,
                                 self.cat.column(ch.contact).type))
        return exp.and_(*preds)

    # -- conditions -------------------------------------------------------------------------
    def predicate(self, node: Condition) -> exp.Expr:
        if isinstance(node, All):
            return exp.and_(*(self.predicate(c) for c in node.conditions))
        if isinstance(node, AnyOf):
            return exp.or_(*(self.predicate(c) for c in node.conditions))
        if isinstance(node, Not):
            inner = exp.Coalesce(this=exp.paren(self.predicate(node.condition)),
                                 expressions=[exp.false()])
            return exp.not_(inner)
        if isinstance(node, Attribute):
            return compare(self.field_column(node.field), node.op, node.value, node.values,
                           self.cat.column(node.field).type)
        if isinstance(node, Age):
            return self.age(node)
        if isinstance(node, DateIn):
            return self.in_bounds(self.field_column(node.field),
                                  resolve(node.window, self.v.as_of),
                                  self.cat.column(node.field).type)
        if isinstance(node, Score):
            return self.score(node)
        if isinstance(node, EventCondition):
            return self.event(node)
        if isinstance(node, SegmentRef):
            return exp.paren(self.predicate(self.v.segments[node.segment].where))
        raise CompileError(f"cannot compile node of kind '{node.kind}'")

    @staticmethod
    def in_bounds(column: exp.Expr, b: Bounds, sql_type: str) -> exp.Expr:
        preds: list[exp.Expr] = []
        if b.start is not None:
            preds.append(exp.GTE(this=column.copy(), expression=bound_literal(b.start, sql_type)))
        preds.append(exp.LT(this=column.copy(), expression=bound_literal(b.end, sql_type)))
        return exp.and_(*preds)

    def age(self, node: Age) -> exp.Expr:
        """Full years at ``as_of`` as date bounds: age ≥ N ⇔ birth ≤ as_of − N years."""
        birth = self.field_column(node.field)
        sql_type = self.cat.column(node.field).type

        def at_least(n: int) -> exp.Expr:
            return exp.LTE(this=birth.copy(),
                           expression=literal(shift(self.v.as_of, -n, "year").isoformat(),
                                              sql_type))

        def below(n: int) -> exp.Expr:
            return exp.GT(this=birth.copy(),
                          expression=literal(shift(self.v.as_of, -n, "year").isoformat(),
                                             sql_type))

        n = node.value if node.value is not None else 0
        if node.op == "gte":
            return at_least(n)
        if node.op == "gt":
            return at_least(n + 1)
        if node.op == "lt":
            return below(n)
        if node.op == "lte":
            return below(n + 1)
        if node.op == "eq":
            return exp.and_(at_least(n), below(n + 1))
        if node.op == "ne":
            return exp.or_(below(n), at_least(n + 1))
        assert node.values is not None
        return exp.and_(at_least(node.values[0]), below(node.values[1] + 1))

    def score(self, node: Score) -> exp.Expr:
        column = self.field_column(node.field)
        sql_type = self.cat.column(node.field).type
        if node.op != "top_percent":
            return compare(column, node.op, node.value, node.values, sql_type)
        assert isinstance(node.value, (int, float))
        tname, cname = node.field.rsplit(".", 1)
        fraction = round(1 - float(node.value) / 100, 6)
        # DOUBLE, not the column's DECIMAL: DuckDB would round the interpolated percentile
        # to the column's scale and let a customer just below the threshold in.
        as_double = exp.cast(col(cname, "q"), exp.DataType.build("DOUBLE"))
        pct = exp.PercentileCont(this=as_double, expression=exp.Literal.number(fraction))
        threshold = exp.select(pct).from_(table(tname, "q"))
        return exp.GTE(this=column, expression=exp.paren(threshold))

    # -- events -----------------------------------------------------------------------------
    def event(self, node: EventCondition) -> exp.Expr:
        self.n_events += 1
        alias = f"e{self.n_events}"
        sub = self.event_aggregate(node)
        self.query = self.query.join(
            exp.Subquery(this=sub, alias=exp.TableAlias(this=exp.to_identifier(alias))),
            on=exp.EQ(this=col("k", alias), expression=self.key.copy()), join_type="left")
        v = col("v", alias)
        agg = node.aggregate
        if agg == "exists":
            return exp.not_(exp.Is(this=v, expression=exp.Null()))
        if agg == "none":
            return exp.Is(this=v, expression=exp.Null())
        if agg == "count":
            counted = exp.Coalesce(this=v, expressions=[exp.Literal.number(0)])
            return compare(counted, node.op or "gte", node.value, node.values, "BIGINT")
        if agg in ("first", "last"):
            assert node.window is not None
            ev = self.cat.events[node.event]
            time_type = self.cat.tables[ev.sources[0].table].columns[ev.sources[0].time].type
            return self.in_bounds(v, resolve(node.window, self.v.as_of), time_type)
        return compare(v, node.op or "gte", node.value, node.values, "DOUBLE")

    def event_aggregate(self, node: EventCondition) -> exp.Select:
        ev = self.cat.events[node.event]
        dated = node.aggregate in ("first", "last")
        bounds = everything(self.v.as_of) if dated or node.window is None else resolve(
            node.window, self.v.as_of)
        branches = [b for src in ev.sources if (b := self.branch(node, src, bounds)) is not None]
        if not branches:  # every source ruled out by a filter: no event can match
            first = self.branch(node, ev.sources[0], bounds, force=True)
            assert first is not None
            branches = [first.where(exp.false())]
        union: exp.Query = branches[0]
        for b in branches[1:]:
            union = exp.union(union, b, distinct=False)
        u = col("x", "u")
        agg: exp.Expr = {
            "sum": exp.Sum(this=u), "avg": exp.Avg(this=u), "min": exp.Min(this=u),
            "max": exp.Max(this=u), "first": exp.Min(this=u), "last": exp.Max(this=u),
        }.get(node.aggregate, exp.Count(this=exp.Star()))
        return (exp.select(col("k", "u").as_("k"), exp.alias_(agg, "v"))
                .from_(exp.Subquery(this=union, alias=exp.TableAlias(this=exp.to_identifier("u"))))
                .group_by(col("k", "u")))

    def branch(self, node: EventCondition, src: EventSource, bounds: Bounds,
               force: bool = False) -> exp.Select | None:
        t = self.cat.tables[src.table]
        assert t.customer_key is not None
        time_type = t.columns[src.time].type
        preds: list[exp.Expr] = [
            compare(col(t.customer_key, "s"), "is_not_null", None, None, "BIGINT"),
            self.in_bounds(col(src.time, "s"), bounds, time_type),
        ]
        for f in src.where:
            preds.append(compare(col(f.column, "s"), f.op, f.value, f.values,
                                 t.columns[f.column].type))
        for pf in node.filters:
            pred = self.property_filter(node.event, src, pf)
            if pred is False and not force:
                return None
            if isinstance(pred, exp.Expr):
                preds.append(pred)
        projections: list[exp.Expr] = [col(t.customer_key, "s").as_("k")]
        if node.aggregate in ("first", "last"):
            projections.append(col(src.time, "s").as_("x"))
        elif node.property is not None:
            ps = src.properties.get(node.property)
            value: exp.Expr = exp.Null() if ps is None else (
                literal(ps.const, "DOUBLE") if ps.const is not None
                else col(ps.column or "", "s"))
            projections.append(exp.alias_(value, "x"))
        return exp.select(*projections).from_(table(src.table, "s")).where(exp.and_(*preds))

    def property_filter(self, event: str, src: EventSource,
                        f: PropertyFilter) -> exp.Expr | bool:
        """The predicate for ``f`` on one source; ``True``/``False`` when known statically."""
        ptype = self.cat.events[event].properties[f.property].type
        ps: PropertySource | None = src.properties.get(f.property)
        if ps is None:  # this source lacks the property: it is NULL there
            return f.op in ("is_null", "ne", "not_in")
        if ps.const is not None:
            return _static_compare(ps.const, f)
        assert ps.column is not None
        if not ps.via:
            return compare(col(ps.column, "s"), f.op, f.value, f.values, ptype)
        return self.path_filter(src, ps, f, ptype)

    def path_filter(self, src: EventSource, ps: PropertySource, f: PropertyFilter,
                    ptype: str) -> exp.Expr:
        """``s.<col> IN (SELECT … FROM hop1 JOIN hop2 … WHERE <last hop column matches>)``.

        Negative operators are the complement of their positive twin, so an event with no
        related row (a web event without product) or no matching line is kept:
        ``NOT COALESCE(s.<col> IN (…eq…), FALSE)`` — never a bare NOT IN.
        """
        positive = {"ne": "eq", "not_in": "in", "is_null": "is_not_null"}.get(f.op)
        if positive is not None:
            twin = f.model_copy(update={"op": positive})
            matched = self.path_filter(src, ps, twin, ptype)
            return exp.not_(exp.Coalesce(this=matched, expressions=[exp.false()]))
        first = ps.via[0]
        if len(first.join_on) != 1:
            raise CompileError(f"property path from {src.table} must start with a "
                               "single-column join", code="catalog_path")
        (src_col, hop_col), = first.join_on.items()
        sub = exp.select(col(hop_col, "h0")).from_(table(first.table, "h0"))
        for i, hop in enumerate(ps.via[1:], start=1):
            on = exp.and_(*(exp.EQ(this=col(a, f"h{i - 1}"), expression=col(b, f"h{i}"))
                            for a, b in hop.join_on.items()))
            sub = sub.join(table(hop.table, f"h{i}"), on=on)
        last = f"h{len(ps.via) - 1}"
        sub = sub.where(compare(col(ps.column or "", last), f.op, f.value, f.values, ptype))
        return exp.In(this=col(src_col, "s"), query=sub.subquery())


def _static_compare(const: Any, f: PropertyFilter) -> bool:
    """Evaluate a filter on a constant property (SQL semantics, so NULL never matches)."""
    v, vs = f.value, f.values or []
    ops: dict[str, Any] = {
        "eq": lambda: const == v, "ne": lambda: const != v,
        "in": lambda: const in vs, "not_in": lambda: const not in vs,
        "is_null": lambda: False, "is_not_null": lambda: True,
        "gt": lambda: const > v, "gte": lambda: const >= v,
        "lt": lambda: const < v, "lte": lambda: const <= v,
        "between": lambda: vs[0] <= const <= vs[1],
        "contains": lambda: str(v).lower() in str(const).lower(),
        "starts_with": lambda: str(const).lower().startswith(str(v).lower()),
        "ends_with": lambda: str(const).lower().endswith(str(v).lower()),
    }
    try:
        return bool(ops[f.op]())
    except TypeError:
        return False
