"""The preview: how many, what share, who, and what each condition keeps and drops.

Everything numeric comes from **one** aggregate query over the compiled rule's source:
``COUNT(*) FILTER (WHERE …)`` for the base, each funnel step and each leave-one-out variant,
so the cost is one scan whatever the number of conditions. The sample is a second query.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, Literal

import duckdb
from pydantic import BaseModel, Field
from sqlglot import exp

from nl2seg.catalog.models import Catalog
from nl2seg.compile.compiler import CompiledRule, Step
from nl2seg.compile.literals import col, table
from nl2seg.compile.paths import column_expr
from nl2seg.compile.safety import check_query
from nl2seg.errors import DatabaseError
from nl2seg.readback import describe_condition, describe_consent
from nl2seg.rule.canonical import fingerprint

Lang = Literal["en", "fr"]


class FunnelStep(BaseModel):
    """One top-level condition: who remains after it, and its leave-one-out impact."""

    label: str
    kind: Literal["condition", "consent"]
    alone: int = Field(description="Customers matching this condition on its own.")
    remaining: int = Field(description="Customers left after this and every earlier step.")
    dropped: int = Field(description="Customers this step removed from the previous step.")
    without: int = Field(description="Audience size if this step were removed.")
    impact: int = Field(description="How many more would be in without it (without - count).")


class Preview(BaseModel):
    count: int
    base: int
    share: float
    funnel: list[FunnelStep]
    sample: list[dict[str, Any]]
    sample_masked: bool
    as_of: dt.date
    fingerprint: str
    catalog_version: str
    sql: str
    timings_ms: dict[str, float]
    database: str = ""
    """The database's path and content fingerprint, when the guard asked for them
    (:func:`nl2seg.guard.prepare`): what an approval of this preview binds."""
    database_fingerprint: str = ""


def preview(compiled: CompiledRule, con: duckdb.DuckDBPyConnection, *, sample_size: int = 10,
            mask_pii: bool = True, lang: Lang = "fr") -> Preview:
    """Run the compiled rule's preview on ``con`` (open it read-only: see ``open_db``)."""
    v = compiled.validated
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    funnel_q = funnel_query(compiled)
    check_query(funnel_q, v.catalog)
    row = _fetch_one(con, funnel_q)
    timings["count_and_funnel"] = _ms(t0)
    base, counts = int(row[0]), [int(x) for x in row[1:]]
    steps = compiled.steps
    n = len(steps)
    alone, cumulative, loo = counts[:n], counts[n:2 * n], counts[2 * n:]
    final = cumulative[-1]
    funnel = []
    for i, step in enumerate(steps):
        without = loo[i] if n > 1 else base
        funnel.append(FunnelStep(
            label=_step_label(step, v.catalog, v.as_of, lang), kind=step.kind, alone=alone[i],
            remaining=cumulative[i], dropped=(cumulative[i - 1] if i else base) - cumulative[i],
            without=without, impact=without - final))
    t1 = time.perf_counter()
    sample = sample_members(compiled, con, sample_size, mask_pii) if sample_size > 0 else []
    timings["sample"] = _ms(t1)
    timings["total"] = _ms(t0)
    return Preview(
        count=final, base=base, share=final / base if base else 0.0, funnel=funnel,
        sample=sample, sample_masked=mask_pii, as_of=v.as_of, fingerprint=fingerprint(v.rule),
        catalog_version=v.catalog.version, sql=compiled.sql(), timings_ms=timings)


def funnel_query(compiled: CompiledRule) -> exp.Select:
    """``COUNT(*)`` of the base, then per step: alone, cumulative, and leave-one-out.

    Each step's predicate is evaluated once per customer, as a boolean column of an inner
    query (``s0``, ``s1``…); the counts only combine those columns, so a step's subqueries
    run once however many funnel and leave-one-out counts use it.
    """
    names = [f"s{i}" for i in range(len(compiled.steps))]
    inner = compiled.source.copy().select(
        *(exp.alias_(s.predicate.copy(), n) for s, n in zip(compiled.steps, names, strict=True)))
    flags: list[exp.Expr] = [exp.column(n, table="f") for n in names]

    def count_where(cond: exp.Expr | None) -> exp.Expr:
        star = exp.Count(this=exp.Star())
        if cond is None:
            return star
        return exp.Filter(this=star, expression=exp.Where(this=cond))

    def both(parts: list[exp.Expr]) -> exp.Expr:
        return exp.and_(*(p.copy() for p in parts))

    cols: list[exp.Expr] = [count_where(None)]
    cols += [count_where(f.copy()) for f in flags]
    cols += [count_where(both(flags[: i + 1])) for i in range(len(flags))]
    if len(flags) > 1:
        cols += [count_where(both([f for j, f in enumerate(flags) if j != i]))
                 for i in range(len(flags))]
    return exp.select(*cols).from_(inner.subquery("f"))


def sample_members(compiled: CompiledRule, con: duckdb.DuckDBPyConnection, size: int,
                   mask_pii: bool) -> list[dict[str, Any]]:
    """A few members with their profile (the entity table's declared columns, computed ones
    included), PII masked unless asked. A column the catalog does not declare is never read:
    a warehouse table has many, and what the catalog does not describe is not shown."""
    cat = compiled.validated.catalog
    entity = cat.entity
    tbl = cat.tables[entity.table]
    columns = tbl.columns
    # The key, then what describes the customer, then the (masked) personal data.
    names = sorted(columns, key=lambda c: (c != entity.key, columns[c].pii))
    members = compiled.audience().subquery("a")
    q = (exp.select(*(exp.alias_(column_expr(tbl, c, "m"), c) for c in names))
         .from_(table(entity.table, "m"))
         .join(members, on=exp.EQ(this=col(entity.key, "m"), expression=col(entity.key, "a")))
         .order_by(col(entity.key, "m")).limit(size))
    check_query(q, cat)
    try:
        rows = con.execute(q.sql(dialect="duckdb")).fetchall()
    except duckdb.Error as exc:
        raise DatabaseError(f"the sample query failed: {exc}", code="db_query") from None
    out = []
    for r in rows:
        rec = dict(zip(names, r, strict=True))
        if mask_pii:
            rec = {k: (mask(v) if columns[k].pii else v) for k, v in rec.items()}
        out.append(rec)
    return out


def mask(value: Any) -> Any:
    """Hide personal data but keep its shape: ``jane.doe@x.com`` → ``j***@x.com``."""
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year}-**-**"
    text = str(value)
    if "@" in text:
        user, _, domain = text.partition("@")
        return f"{user[:1]}***@{domain}"
    if text.startswith("+") and len(text) > 6:
        return text[:3] + "*" * (len(text) - 5) + text[-2:]
    return text[:1] + "***" if text else text


def _step_label(step: Step, catalog: Catalog, as_of: dt.date, lang: Lang) -> str:
    if step.kind == "consent":
        assert step.channel is not None
        return describe_consent(step.channel, catalog, lang)
    assert step.node is not None
    return describe_condition(step.node, catalog, as_of, lang)


def _fetch_one(con: duckdb.DuckDBPyConnection, q: exp.Expr) -> tuple[Any, ...]:
    try:
        row = con.execute(q.sql(dialect="duckdb")).fetchone()
    except duckdb.Error as exc:
        raise DatabaseError(f"the preview query failed: {exc}. Check that the database "
                            "matches the catalog (`nl2seg catalog check`).",
                            code="db_query") from None
    assert row is not None
    return tuple(row)


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)


def explain_member(compiled: CompiledRule, con: duckdb.DuckDBPyConnection, key: int,
                   lang: Lang = "fr") -> list[tuple[str, bool]] | None:
    """Why is this customer in or out? Each step's label and whether the customer passes it.

    None when ``key`` is not a customer of the base."""
    v = compiled.validated
    names = [f"s{i}" for i in range(len(compiled.steps))]
    q = compiled.source.copy().select(
        *(exp.alias_(s.predicate.copy(), n) for s, n in zip(compiled.steps, names, strict=True))
    ).where(exp.EQ(this=compiled.key.copy(), expression=exp.Literal.number(int(key))))
    check_query(q, v.catalog)
    try:
        rows = con.execute(q.sql(dialect="duckdb")).fetchall()
    except duckdb.Error as exc:
        raise DatabaseError(f"the look-up query failed: {exc}", code="db_query") from None
    if not rows:
        return None
    return [(_step_label(s, v.catalog, v.as_of, lang), bool(rows[0][i]))
            for i, s in enumerate(compiled.steps)]
