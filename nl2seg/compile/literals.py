"""Typed SQL literals and column references, always built by sqlglot (never pasted)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlglot import exp

from nl2seg.catalog.models import type_family


def literal(value: Any, sql_type: str) -> exp.Expr:
    """``value`` as a literal of the column's type (dates cast, strings quoted by sqlglot)."""
    family = type_family(sql_type)
    if value is None:
        return exp.Null()
    if family == "boolean":
        return exp.Boolean(this=bool(value))
    if family == "number":
        return exp.Literal.number(value)
    if family == "date":
        return date_literal(dt.date.fromisoformat(str(value)))
    if family == "timestamp":
        return timestamp_literal(dt.date.fromisoformat(str(value)))
    return exp.Literal.string(str(value))


def date_literal(day: dt.date) -> exp.Expr:
    return exp.cast(exp.Literal.string(day.isoformat()), exp.DataType.build("DATE"))


def timestamp_literal(day: dt.date) -> exp.Expr:
    return exp.cast(exp.Literal.string(f"{day.isoformat()} 00:00:00"),
                    exp.DataType.build("TIMESTAMP", dialect="duckdb"))


def bound_literal(day: dt.date, sql_type: str) -> exp.Expr:
    """A window bound (midnight of ``day``) compared with a DATE or TIMESTAMP column."""
    return date_literal(day) if type_family(sql_type) == "date" else timestamp_literal(day)


def like_pattern(text: str, op: str) -> str:
    """An ILIKE pattern for contains / starts_with / ends_with, wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return {"contains": f"%{escaped}%", "starts_with": f"{escaped}%",
            "ends_with": f"%{escaped}"}[op]


def compare(left: exp.Expr, op: str, value: Any, values: list[Any] | None,
            sql_type: str) -> exp.Expr:
    """``left <op> value`` for every value operator of the rule."""
    if op == "is_null":
        return exp.Is(this=left, expression=exp.Null())
    if op == "is_not_null":
        return exp.not_(exp.Is(this=left, expression=exp.Null()))
    if op in ("contains", "starts_with", "ends_with"):
        like = exp.ILike(this=left, expression=exp.Literal.string(like_pattern(str(value), op)))
        return exp.Escape(this=like, expression=exp.Literal.string("\\"))
    if op in ("in", "not_in"):
        assert values is not None
        isin = exp.In(this=left, expressions=[literal(v, sql_type) for v in values])
        if op == "in":
            return isin
        # "not one of" is the complement of "one of": unknown (NULL) values are kept.
        return exp.not_(exp.Coalesce(this=isin, expressions=[exp.false()]))
    if op == "ne":
        return exp.NullSafeNEQ(this=left, expression=literal(value, sql_type))
    if op == "between":
        assert values is not None
        return exp.Between(this=left, low=literal(values[0], sql_type),
                           high=literal(values[1], sql_type))
    cls = {"eq": exp.EQ, "gt": exp.GT, "gte": exp.GTE, "lt": exp.LT,
           "lte": exp.LTE}[op]
    return cls(this=left, expression=literal(value, sql_type))


def col(name: str, alias: str) -> exp.Column:
    return exp.column(name, table=alias, quoted=None)


def table(qualified: str, alias: str | None = None) -> exp.Table:
    schema, name = qualified.split(".", 1)
    return exp.table_(name, db=schema, alias=alias)
