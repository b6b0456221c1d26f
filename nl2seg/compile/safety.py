"""The checks every query passes before it reaches a database.

- one statement, a read-only query (SELECT / UNION), nothing that writes or configures;
- every table it reads is in the catalog (sqlglot's ``qualify`` lets unknown tables through);
- every column resolves against the catalog's schema (``qualify`` with validation).
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError
from sqlglot.optimizer.qualify import qualify

from nl2seg.catalog.models import Catalog
from nl2seg.errors import UnsafeQueryError

_WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Create, exp.Drop, exp.Alter, exp.Merge,
           exp.Command, exp.Copy, exp.Set, exp.Pragma, exp.Use, exp.Attach, exp.Detach,
           exp.Transaction, exp.Commit, exp.Rollback)


def check_query(query: exp.Expr | str, catalog: Catalog,
                dialect: str = "duckdb") -> exp.Query:
    """Return the qualified query, or raise :class:`UnsafeQueryError` saying what is wrong."""
    if isinstance(query, str):
        try:
            statements = sqlglot.parse(query, read=dialect)
        except ParseError as exc:
            raise UnsafeQueryError(f"the SQL does not parse: {exc}") from None
        if not statements or all(s is None for s in statements):
            raise UnsafeQueryError("the SQL is empty")
        if len(statements) != 1 or statements[0] is None:
            raise UnsafeQueryError(f"expected exactly one statement, got {len(statements)}")
        query = statements[0]
    if not isinstance(query, exp.Query):
        raise UnsafeQueryError(f"only read-only queries may run, not {query.key.upper()}")
    for node in query.walk():
        if isinstance(node, _WRITES):
            raise UnsafeQueryError(f"the query contains a {node.key.upper()} statement")
        if isinstance(node, exp.Anonymous):
            raise UnsafeQueryError(f"the query calls function '{node.name}', which nl2seg "
                                   "never generates", value=node.name)
    ctes = {c.alias_or_name for c in query.find_all(exp.CTE)}
    for t in query.find_all(exp.Table):
        if not isinstance(t.this, exp.Identifier):
            raise UnsafeQueryError("the query reads from a table function, not a catalog table")
        if t.name in ctes and not t.db:
            continue
        name = f"{t.db}.{t.name}" if t.db else t.name
        if name not in catalog.tables:
            raise UnsafeQueryError(f"the query reads table '{name}', which is not in catalog "
                                   f"'{catalog.catalog}'", value=name)
    try:
        schema: dict[str, object] = dict(catalog.sqlglot_schema())
        qualified = qualify(query.copy(), schema=schema, dialect=dialect,
                            validate_qualify_columns=True, quote_identifiers=False)
    except OptimizeError as exc:
        raise UnsafeQueryError(f"the query does not match the catalog: {exc}") from None
    assert isinstance(qualified, exp.Query)
    return qualified
