"""Gold queries: hand-written SQL that selects the right customers, run safely.

Gold SQL comes from case files other teams bring, so it is checked before it runs: one
read-only query (``SELECT`` / ``WITH`` / set operations), no statement that writes, and the
connection has file access switched off (DuckDB's ``enable_external_access``), so
``read_csv('/etc/passwd')`` fails too.
"""

from __future__ import annotations

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from nl2seg.errors import Nl2SegError


class GoldQueryError(Nl2SegError):
    """A gold query is not one read-only SELECT, fails, or does not return one column."""

    code = "gold_query_invalid"


_WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Create, exp.Drop, exp.Alter, exp.Command,
           exp.Merge, exp.Copy, exp.Attach, exp.Detach, exp.Set, exp.Pragma, exp.Use)


def check_gold(sql: str) -> None:
    """Raise unless ``sql`` is exactly one read-only query.

    >>> check_gold("SELECT customer_id FROM crm.customers")
    >>> check_gold("DROP TABLE crm.customers")
    Traceback (most recent call last):
    ...
    nl2seg.evaluation.gold.GoldQueryError: gold SQL must be one read-only query (found Drop)
    """
    try:
        statements = [s for s in sqlglot.parse(sql, dialect="duckdb") if s is not None]
    except ParseError as exc:
        raise GoldQueryError(f"gold SQL does not parse: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise GoldQueryError(f"gold SQL must be one statement (found {len(statements)})")
    stmt = statements[0]
    bad = next((n for n in stmt.walk() if isinstance(n, _WRITES)), None)
    if not isinstance(stmt, exp.Query) or bad is not None:
        kind = type(bad if bad is not None else stmt).__name__
        raise GoldQueryError(f"gold SQL must be one read-only query (found {kind})")


def lock_down(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No file system access from this connection from now on."""
    con.execute("SET enable_external_access = false")
    return con


def gold_ids(con: duckdb.DuckDBPyConnection, sql: str, *, checked: bool = False) -> set[int]:
    """The customer ids the gold query selects (it must return exactly one column).

    ``checked``: :func:`check_gold` already passed on this text (a case runs its gold query
    on several databases; parsing it once is enough)."""
    if not checked:
        check_gold(sql)
    try:
        cur = con.execute(sql)
        if cur.description is None or len(cur.description) != 1:
            n = 0 if cur.description is None else len(cur.description)
            raise GoldQueryError(f"gold SQL must return one column (customer_id), not {n}")
        rows = cur.fetchall()
    except duckdb.Error as exc:
        raise GoldQueryError(f"gold SQL failed: {str(exc).splitlines()[0]}") from None
    try:
        return {int(r[0]) for r in rows if r[0] is not None}
    except (TypeError, ValueError):
        raise GoldQueryError("gold SQL must return integer customer ids") from None
