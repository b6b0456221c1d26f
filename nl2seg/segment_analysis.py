"""Segment = understanding: how the audience differs from the base, dimension by dimension.

Dimensions come from the catalog: every profile field with a closed value list (region,
loyalty tier, acquisition channel, RFM segment, …) and age bands from the birth-date field.
Each breakdown gives, per value, the audience's count and share next to the base's, so a
marketer sees what the segment over- or under-represents before it becomes an audience.
"""

from __future__ import annotations

from typing import Any

import duckdb
from pydantic import BaseModel
from sqlglot import exp

from nl2seg.catalog.models import Catalog, Lang
from nl2seg.compile.compiler import CompiledRule
from nl2seg.compile.literals import table
from nl2seg.compile.paths import ProfileJoins
from nl2seg.compile.safety import check_query
from nl2seg.windows import shift

AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 120))


class Row(BaseModel):
    value: str
    audience: int
    audience_share: float
    base: int
    base_share: float

    @property
    def index(self) -> float:
        """Over-representation: 100 = as in the base."""
        return 100 * self.audience_share / self.base_share if self.base_share else 0.0


class Breakdown(BaseModel):
    dimension: str
    label: str
    rows: list[Row]


def dimensions(catalog: Catalog, lang: Lang = "fr") -> dict[str, str]:
    """``{field: label}`` of the dimensions a segment can be broken down by."""
    out: dict[str, str] = {}
    for f in catalog.profile_fields():
        col = catalog.column(f)
        if col.role == "birth_date":
            out[f] = "tranche d'âge" if lang == "fr" else "age band"
        elif col.values and not col.pii and col.family in ("text", "boolean") \
                and len(col.values) <= 20:
            out[f] = col.label.get(lang) if col.label else f
    return out


def breakdown(compiled: CompiledRule, con: duckdb.DuckDBPyConnection, field: str,
              lang: Lang = "fr") -> Breakdown:
    """Audience vs base over the values of ``field`` (one query). The field's table is
    joined the way the compiler joins it (:class:`ProfileJoins`): a one-row-per-customer table
    on the customer key, a profile lookup through the customer's references, a computed
    column as its expression."""
    v = compiled.validated
    cat = v.catalog
    col = cat.column(field)
    member = exp.column(cat.entity.key, "e").isin(query=compiled.audience())
    joins = ProfileJoins(cat, exp.select().from_(table(cat.entity.table, "e")),
                         entity_alias="e", prefix="d")
    raw = joins.column(field)
    dim = _age_band(raw, v.as_of) if col.role == "birth_date" else raw
    src = joins.query.select(exp.alias_(dim, "dim"), exp.alias_(member, "m"))
    count_m = exp.Filter(this=exp.Count(this=exp.Star()),
                         expression=exp.Where(this=exp.column("m")))
    q = (exp.select(exp.column("dim"), count_m.as_("aud"), exp.Count(this=exp.Star()).as_("base"))
         .from_(src.subquery("s")).group_by(exp.column("dim")).order_by(exp.column("dim")))
    check_query(q, cat)
    rows = con.execute(q.sql(dialect="duckdb")).fetchall()
    total_a = sum(int(r[1]) for r in rows) or 1
    total_b = sum(int(r[2]) for r in rows) or 1
    labels = {str(x.value): (x.label.get(lang) if x.label else str(x.value))
              for x in col.values or []}
    unknown = "inconnu" if lang == "fr" else "unknown"
    out = [Row(value=labels.get(str(r[0]), unknown if r[0] is None else str(r[0])),
               audience=int(r[1]), audience_share=int(r[1]) / total_a, base=int(r[2]),
               base_share=int(r[2]) / total_b) for r in rows]
    label = dimensions(cat, lang).get(field, field)
    return Breakdown(dimension=field, label=label, rows=out)


def _age_band(birth: exp.Expr, as_of: Any) -> exp.Expr:
    """'25-34' … in full years at ``as_of`` (as the compiler: age ≥ N ⇔ born on or before
    as_of − N years; age ≤ M ⇔ born after as_of − (M + 1) years)."""
    case = exp.Case()
    for lo, hi in AGE_BANDS:
        latest = shift(as_of, -lo, "year")
        earliest = shift(as_of, -(hi + 1), "year")
        cond = exp.and_(birth <= exp.cast(exp.Literal.string(latest.isoformat()), "date"),
                        birth > exp.cast(exp.Literal.string(earliest.isoformat()), "date"))
        case = case.when(cond, exp.Literal.string(f"{lo}-{hi}" if hi < 120 else f"{lo}+"))
    return case
