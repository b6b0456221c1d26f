"""Computed columns: a catalog expression over one table's columns, parsed by sqlglot and
checked against an allow-list, never free SQL.

A warehouse often splits a fact a marketer sees as one value (a birth date stored as year,
month and day columns). The catalog may declare such a column with ``expr``; this module is
the only place that reads that text. It accepts column references, literals, arithmetic,
comparisons, ``CASE`` and a short list of scalar functions; anything else (a subquery, an
unknown function, a column of another table) is refused with the reason.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

#: Scalar functions and operators a computed column may use (sqlglot node types).
ALLOWED: tuple[type[exp.Expr], ...] = (
    exp.Column, exp.Identifier, exp.Literal, exp.Null, exp.Boolean, exp.Paren, exp.DataType,
    exp.Cast, exp.TryCast, exp.Case, exp.If, exp.Coalesce, exp.Nullif,
    exp.DateFromParts, exp.Concat, exp.DPipe, exp.Lower, exp.Upper, exp.Trim, exp.Substring,
    exp.Length, exp.Abs, exp.Round, exp.Floor, exp.Ceil, exp.Neg,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod,
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is, exp.In, exp.Between,
    exp.And, exp.Or, exp.Not,
)


class ExpressionError(ValueError):
    """A computed column's expression is not one nl2seg accepts (the message says why)."""


def parse_computed(text: str, columns: set[str], where: str = "expr") -> exp.Expr:
    """Parse ``text`` (DuckDB syntax) and check it: allowed nodes only, and every column one
    of ``columns`` (the table's stored columns). Raise :class:`ExpressionError`."""
    try:
        tree = sqlglot.parse_one(text, read="duckdb")
    except ParseError as exc:
        first = exc.errors[0].get("description") if exc.errors else None
        raise ExpressionError(f"{where}: '{text}' does not parse: {first or 'invalid SQL'}"
                              ) from None
    for node in tree.walk():
        if not isinstance(node, ALLOWED):
            what = f"function {node.name}()" if isinstance(node, exp.Anonymous) \
                else node.key.upper()
            raise ExpressionError(
                f"{where}: '{text}' uses {what}, which a computed column may not "
                "(allowed: columns of the same table, literals, arithmetic, comparisons, CASE, "
                "CAST, COALESCE, MAKE_DATE, CONCAT, LOWER, UPPER, TRIM, SUBSTRING, ROUND)")
        if isinstance(node, exp.Column):
            if node.table:
                raise ExpressionError(f"{where}: '{text}' names table '{node.table}': a computed"
                                      " column reads its own table's columns only")
            if node.name not in columns:
                raise ExpressionError(f"{where}: '{text}' reads unknown column '{node.name}'")
    return tree


def computed(text: str, alias: str) -> exp.Expr:
    """The (already checked) expression with its columns qualified by ``alias``."""
    tree = sqlglot.parse_one(text, read="duckdb")
    for column in tree.find_all(exp.Column):
        column.set("table", exp.to_identifier(alias))
    return tree
