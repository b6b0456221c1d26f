"""Rule → sqlglot expression, with exactly the semantics of ``semantics.md``.

Shape of the SQL (one statement, no correlated subquery):

- the customer entity table is the base (``AS c``); other one-row-per-customer tables
  (scores) are LEFT JOINed on the customer key when a condition reads them;
- each event condition is a semi-join on the customer key: ``c.key IN (SELECT u.k FROM
  (<sources, UNION ALL, filtered by window and properties>) AS u [GROUP BY u.k HAVING …])``;
  when customers with no matching event satisfy it (``none``, ``count < 3``) it is the
  anti-join of the complement, ``NOT COALESCE(c.key IN (…), FALSE)`` — NULL-safe, no NOT IN;
- properties reached through lines (a category) filter with an uncorrelated semi-join
  (``s.transaction_id IN (SELECT …)``), never a NOT IN over a nullable column;
- NOT is a set complement: ``NOT COALESCE(p, FALSE)``, so unknown values are not lost.

Every top-level condition stays a separate *step* so the preview can compute the funnel and
each condition's leave-one-out impact in one scan.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlglot import exp

from nl2seg.catalog.models import Catalog, EventSource, PropertySource, type_family
from nl2seg.compile.literals import bound_literal, col, compare, literal, table
from nl2seg.compile.paths import (
    ProfileJoins,
    column_expr,
    fixed_filters,
    known_customer,
    through,
    time_joins,
    time_type,
)
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
#: What a reachable contact looks like (issue 12 §9): an address with one @ and a dot in its
#: domain; an E.164 phone number. '' and 'not-an-email' are not reachable.
CONTACT_PATTERNS = {"email": r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "phone": r"^\+[1-9][0-9]{6,14}$"}
_DEFAULT_FORMAT = {"email": "email", "sms": "phone"}


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
        self.profile = ProfileJoins(self.cat, exp.select().from_(table(entity.table, "c")))

    def run(self) -> CompiledRule:
        rule = self.v.rule
        nodes = rule.where.conditions if isinstance(rule.where, All) else [rule.where]
        steps = [Step("condition", self.predicate(n), node=n) for n in nodes]
        if rule.channel is not None:
            steps.append(Step("consent", self.consent(rule.channel), channel=rule.channel))
        return CompiledRule(self.v, self.profile.query, self.key, steps)

    # -- profile ----------------------------------------------------------------------------
    def field_column(self, qualified: str) -> exp.Expr:
        """A profile field, its table joined on demand (see :class:`ProfileJoins`)."""
        return self.profile.column(qualified)

    def consent(self, channel: str) -> exp.Expr:
        """Consent and a reachable contact. A channel without consent data (``consent:
        null``) keeps the contact test only; its export needs an acknowledgement."""
        ch = self.cat.channels[channel]
        preds: list[exp.Expr] = []
        if ch.consent is not None:
            preds.append(exp.EQ(this=self.field_column(ch.consent), expression=exp.true()))
        if ch.contact is not None:
            contact = self.field_column(ch.contact)
            preds.append(compare(contact, "is_not_null", None, None,
                                 self.cat.column(ch.contact).type))
            pattern = CONTACT_PATTERNS.get(
                ch.contact_format or _DEFAULT_FORMAT.get(channel, "any"))
            if pattern is not None:  # reachable: a valid-looking address, not just non-NULL
                preds.append(exp.RegexpLike(this=contact.copy(),
                                            expression=exp.Literal.string(pattern)))
        return exp.and_(*preds) if preds else exp.true()

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
        if self.cat.profile_paths().get(tname) == []:  # a one-row-per-customer table
            values: exp.Expr = column_expr(self.cat.tables[tname], cname, "q")
            source: exp.Expr = table(tname, "q")
        else:  # every customer's value, joined the way the audience is
            scores = ProfileJoins(self.cat, exp.select().from_(
                table(self.cat.entity.table, "q")), entity_alias="q", prefix="q")
            # The column first: it adds the joins to ``scores.query`` (read after it).
            every = scores.column(node.field)
            source = scores.query.select(every.as_("v")).subquery("qv")
            values = col("v", "qv")
        threshold = _top_threshold(values, source, node.value)
        return exp.GTE(this=column, expression=exp.paren(threshold))

    # -- events -----------------------------------------------------------------------------
    def event(self, node: EventCondition) -> exp.Expr:
        """A semi-join (``key IN (SELECT …)``) or, when customers without any matching event
        satisfy the condition (``none``, ``count < 3``), the anti-join of its complement
        (``NOT COALESCE(key IN (SELECT …), FALSE)``)."""
        agg, op = node.aggregate, node.op
        if agg == "exists" or (agg == "count" and _means_at_least_one(op, node.value)):
            return self.member(self.event_keys(node))
        if agg == "none":
            return self.non_member(self.event_keys(node))
        if op == "top_percent":
            return self.member(self.top_percent(node))
        if agg == "count":
            assert op is not None
            counted = exp.Count(this=exp.Star())
            test = compare(counted, op, node.value, node.values, "BIGINT")
            if _count_matches_zero(op, node.value, node.values):
                return self.non_member(self.event_keys(node, having=exp.not_(exp.paren(test))))
            return self.member(self.event_keys(node, having=test))
        u = col("x", "u")
        if agg in ("first", "last"):
            assert node.window is not None
            time_type = self.event_time_type(node.event)
            moment = exp.Min(this=u) if agg == "first" else exp.Max(this=u)
            having = self.in_bounds(moment, resolve(node.window, self.v.as_of), time_type)
            return self.member(self.event_keys(node, having=having))
        value = {"sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max}[agg](this=u)
        having = compare(value, op or "gte", node.value, node.values, "DOUBLE")
        return self.member(self.event_keys(node, having=having))

    def top_percent(self, node: EventCondition) -> exp.Select:
        """Keys whose aggregate is at or above the continuous percentile ``1 - value/100`` of
        the aggregates of the customers with at least one matching event (ties are in).

        The population is the entity's customers: a key missing from the entity table (an
        orphan sale) would move the threshold of an audience it can never join."""
        assert isinstance(node.value, (int, float))
        entity = self.cat.entity
        known = exp.select(col(entity.key, "e")).from_(table(entity.table, "e"))

        def measure() -> exp.Expr:
            if node.aggregate == "count":
                return exp.Count(this=exp.Star())
            agg = {"sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max}
            return agg[node.aggregate](this=col("x", "u"))

        per_customer = (self.event_keys(node).select(exp.alias_(measure(), "v"))
                        .where(exp.In(this=col("k", "u"), query=known.subquery()))
                        .group_by(col("k", "u")))
        threshold = _top_threshold(col("v", "t"), per_customer.subquery("t"), node.value)
        # Both sides as DOUBLE, so a customer exactly at the threshold compares equal.
        mine = exp.cast(measure(), exp.DataType.build("DOUBLE"))
        return self.event_keys(node, having=exp.GTE(this=mine, expression=exp.paren(threshold)))

    def event_time_type(self, event: str) -> str:
        """The type first/last dates compare as: TIMESTAMP if any source has one (UNION ALL
        widens a DATE source to it), else DATE."""
        types = [time_type(self.cat, s) for s in self.cat.events[event].sources]
        return next((t for t in types if type_family(t) == "timestamp"), types[0])

    def member(self, keys: exp.Select) -> exp.Expr:
        return exp.In(this=self.key.copy(), query=keys.subquery())

    def non_member(self, keys: exp.Select) -> exp.Expr:
        return exp.not_(exp.Coalesce(this=self.member(keys), expressions=[exp.false()]))

    def event_keys(self, node: EventCondition, having: exp.Expr | None = None) -> exp.Select:
        """Customer keys of the matching events (grouped and filtered by ``having``)."""
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
        keys = exp.select(col("k", "u")).from_(
            exp.Subquery(this=union, alias=exp.TableAlias(this=exp.to_identifier("u"))))
        if having is None:
            return keys
        return keys.group_by(col("k", "u")).having(having)

    def branch(self, node: EventCondition, src: EventSource, bounds: Bounds,
               force: bool = False) -> exp.Select | None:
        """One source's matching occurrences as rows ``(k[, x])``: the customer key and, when
        the condition needs it, the occurrence's moment or property value. A source at line
        grain is grouped by customer and occurrence key first (:meth:`lines`)."""
        t = self.cat.tables[src.table]
        assert t.customer_key is not None
        joins, moment = time_joins(src)
        preds = [*known_customer(self.cat, src),
                 self.in_bounds(moment, bounds, time_type(self.cat, src)),
                 *fixed_filters(self.cat, src)]
        if src.grain == "line":
            return self.lines(node, src, joins, moment, preds, force)
        for pf in node.filters:
            pred = self.property_filter(node.event, src, pf)
            if pred is False and not force:
                return None
            if isinstance(pred, exp.Expr):
                preds.append(pred)
        projections: list[exp.Expr] = [col(t.customer_key, "s").as_("k")]
        if node.aggregate in ("first", "last"):
            projections.append(moment.copy().as_("x"))
        elif node.property is not None:
            ps = src.properties.get(node.property)
            value: exp.Expr = exp.Null() if ps is None else (
                literal(ps.const, "DOUBLE") if ps.const is not None
                else col(ps.column or "", "s"))
            projections.append(exp.alias_(value, "x"))
        return self.joined(src, joins).select(*projections).where(exp.and_(*preds))

    @staticmethod
    def joined(src: EventSource, joins: list[tuple[exp.Table, exp.Expr]]) -> exp.Select:
        q = exp.select().from_(table(src.table, "s"))
        for tbl, on in joins:
            q = q.join(tbl, on=on, join_type="inner")
        return q

    def lines(self, node: EventCondition, src: EventSource,
              joins: list[tuple[exp.Table, exp.Expr]], moment: exp.Expr,
              preds: list[exp.Expr], force: bool) -> exp.Select | None:
        """A line-grain source as one row per occurrence (customer, ``key``).

        A property summed over lines (an amount) is compared per occurrence; a property of
        the lines (a category) matches an occurrence that has such a line, and its negation
        one that has none. So counts count occurrences, and the same data stored at ticket
        grain or at line grain gives the same audience."""
        t = self.cat.tables[src.table]
        assert t.customer_key is not None
        having: list[exp.Expr] = []
        for pf in node.filters:
            ps = src.properties.get(pf.property)
            if ps is None or ps.const is not None:
                pred = self.property_filter(node.event, src, pf)
                if pred is False and not force:
                    return None
                continue
            ptype = self.cat.events[node.event].properties[pf.property].type
            if ps.aggregate is not None:
                having.append(compare(_line_total(ps), pf.op, pf.value, pf.values, ptype))
                continue
            positive = {"ne": "eq", "not_in": "in", "is_null": "is_not_null"}.get(pf.op)
            if positive is not None:  # an occurrence with no such line, through a path or not
                twin = pf.model_copy(update={"op": positive})
                line = self.property_filter(node.event, src, twin)
                assert isinstance(line, exp.Expr)
                having.append(exp.EQ(this=_any_line(line), expression=exp.Literal.number(0)))
                continue
            line_pred = self.property_filter(node.event, src, pf)
            assert isinstance(line_pred, exp.Expr)
            having.append(exp.EQ(this=_any_line(line_pred), expression=exp.Literal.number(1)))
        projections: list[exp.Expr] = [col(t.customer_key, "s").as_("k")]
        if node.aggregate in ("first", "last"):
            projections.append(exp.Min(this=moment.copy()).as_("x"))
        elif node.property is not None:
            ps = src.properties.get(node.property)
            value: exp.Expr = exp.Null() if ps is None else (
                literal(ps.const, "DOUBLE") if ps.const is not None else _line_total(ps))
            projections.append(exp.alias_(value, "x"))
        q = (self.joined(src, joins).select(*projections).where(exp.and_(*preds))
             .group_by(col(t.customer_key, "s"), col(src.key, "s")))
        return q.having(exp.and_(*having)) if having else q

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
        # A chain of semi-joins, innermost on the property's table: each hop keeps the keys
        # of the rows whose next hop matches (measured faster than JOINs inside one IN).
        cond = compare(col(ps.column or "", f"h{len(ps.via) - 1}"), f.op, f.value, f.values,
                       ptype)
        return through(ps.via, cond, src.table)


def _line_total(ps: PropertySource) -> exp.Expr:
    """An occurrence's value from its lines: the declared aggregate (else the largest)."""
    agg = {"sum": exp.Sum, "min": exp.Min, "max": exp.Max}[ps.aggregate or "max"]
    return agg(this=col(ps.column or "", "s"))


def _any_line(pred: exp.Expr) -> exp.Expr:
    """``MAX(CASE WHEN pred THEN 1 ELSE 0 END)``: 1 when one line of the group matches."""
    case = exp.Case().when(pred, exp.Literal.number(1)).else_(exp.Literal.number(0))
    return exp.Max(this=case)


def _top_threshold(values: exp.Expr, source: exp.Expr, percent: float) -> exp.Select:
    """``SELECT PERCENTILE_CONT(1 - percent/100)`` of ``values`` over ``source``."""
    fraction = round(1 - float(percent) / 100, 6)
    # DOUBLE, not the column's DECIMAL: DuckDB would round the interpolated percentile
    # to the column's scale and let a customer just below the threshold in.
    as_double = exp.cast(values, exp.DataType.build("DOUBLE"))
    pct = exp.PercentileCont(this=as_double, expression=exp.Literal.number(fraction))
    return exp.select(pct).from_(source)


_OPERATORS = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gte": operator.ge,
              "lt": operator.lt, "lte": operator.le}


def _means_at_least_one(op: str | None, value: float | None) -> bool:
    """``count >= 1`` / ``count > 0``: the same as ``exists`` (no GROUP BY needed)."""
    return (op == "gte" and value == 1) or (op == "gt" and value == 0)


def _count_matches_zero(op: str, value: float | None, values: list[float] | None) -> bool:
    """Does a customer with no event (count 0) satisfy ``count <op> value``?"""
    if op == "between":
        assert values is not None
        return values[0] <= 0 <= values[1]
    return bool(_OPERATORS[op](0, value if value is not None else 0))


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
