"""How the smoke queries of ``catalog check`` run: :class:`Probe` executes a sqlglot query
(through the compiler's safety check, as previews do), turns a failure into one problem line
naming the catalog place, and knows what the database holds, so nothing missing is queried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import duckdb
from sqlglot import exp

from nl2seg.catalog.expressions import computed
from nl2seg.catalog.models import Catalog, Family, Hop
from nl2seg.compile.literals import col, table
from nl2seg.compile.safety import check_query
from nl2seg.errors import UnsafeQueryError
from nl2seg.inert import clip, one_line

#: What the smoke queries cover, in the order the summary lists them.
KINDS = ("event sources", "profile fields", "property paths", "computed columns",
         "many-to-one keys")

Rows = list[tuple[Any, ...]]
Result = tuple[Rows, list[str]]
"""A query's rows and the SQL types of its result columns."""
T = TypeVar("T")


@dataclass
class SmokeReport:
    """Problems and notes of the smoke queries, what they covered and how many ran."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    """How many event sources, profile fields… the queries covered."""
    queries: int = 0


def db_message(exc: BaseException) -> str:
    """DuckDB's message on one line, without the SQL excerpt it appends ("LINE 1: …")."""
    return clip(one_line(str(exc).split("\nLINE ", 1)[0]), 300)


class Probe:
    """The catalog, the open database, what it holds (``db``, from
    :func:`nl2seg.db.table_columns`) and the report being written."""

    def __init__(self, catalog: Catalog, con: duckdb.DuckDBPyConnection,
                 db: dict[str, dict[str, str]]) -> None:
        self.cat = catalog
        self.con = con
        self.db = db
        self.report = SmokeReport()
        self._unique: set[tuple[str, str]] = set()

    # -- running ----------------------------------------------------------------------------
    def execute(self, query: exp.Query, guard: bool = True) -> Result | str:
        """Rows and result types, or the error on one line. ``guard``: pass the query
        through the compiler's safety check first, as previews do."""
        self.report.queries += 1
        try:
            if guard:
                check_query(query, self.cat)
            cursor = self.con.execute(query.sql(dialect="duckdb"))
            rows = [tuple(r) for r in cursor.fetchall()]
        except UnsafeQueryError as exc:
            return one_line(exc.message)
        except duckdb.Error as exc:
            return db_message(exc)
        return rows, [str(d[1]) for d in cursor.description or []]

    def run(self, kind: str, where: str, query: exp.Query, guard: bool = True) -> Result | None:
        """:meth:`execute` for one thing of ``kind``; a failure is a problem at ``where``."""
        self.report.checked[kind] += 1
        result = self.execute(query, guard)
        if isinstance(result, str):
            self.problem(f"{where}: {result}")
            return None
        return result

    def batch(self, kind: str, items: list[tuple[str, T]],
              build: Callable[[list[T]], exp.Query]) -> Result | None:
        """One query for several things (the fields of one table, the properties sharing a
        path): when it fails, one query each, so every problem names its own place."""
        if len(items) == 1:
            return self.run(kind, items[0][0], build([items[0][1]]))
        self.report.checked[kind] += len(items)
        result = self.execute(build([item for _, item in items]))
        if not isinstance(result, str):
            return result
        for where, item in items:
            alone = self.execute(build([item]))
            if isinstance(alone, str):
                self.problem(f"{where}: {alone}")
        return None

    def problem(self, text: str) -> None:
        self.report.problems.append(text)

    def note(self, text: str) -> None:
        self.report.notes.append(text)

    # -- what the database holds -------------------------------------------------------------
    def has(self, tname: str, cname: str | None = None) -> bool:
        """The table (and column) exist; a computed column when its inputs do."""
        cols = self.db.get(tname)
        if cols is None or tname not in self.cat.tables:
            return False
        if cname is None or cname in cols:
            return True
        spec = self.cat.tables[tname].columns.get(cname)
        if spec is None or spec.expr is None:
            return False
        return all(c.name in cols for c in computed(spec.expr, "x").find_all(exp.Column))

    def has_path(self, start: str, hops: list[Hop]) -> str | None:
        """The last table of a path whose tables and join columns all exist, else ``None``."""
        current = start
        for hop in hops:
            if not all(self.has(current, a) and self.has(hop.table, b)
                       for a, b in hop.join_on.items()):
                return None
            current = hop.table
        return current

    def db_type(self, tname: str, cname: str) -> str | None:
        """The column's type in the database (``None`` for a computed column)."""
        return self.db.get(tname, {}).get(cname)

    # -- many-to-one -------------------------------------------------------------------------
    def unique(self, where: str, tname: str, cname: str, consequence: str,
               among: tuple[str, str] | None = None) -> None:
        """A problem at ``where`` when ``tname.cname`` repeats a value (each column checked
        once). ``among``: only the values that column references (the addresses customers
        have, not the whole address book: faster, and only those repeat anyone), joined
        with "=" as :class:`~nl2seg.compile.paths.ProfileJoins` joins them."""
        if (tname, cname) in self._unique:
            return
        self._unique.add((tname, cname))
        key = col(cname, "x")
        rows = exp.select(key.as_("k"), exp.Count(this=exp.Star()).as_("n")).from_(
            table(tname, "x"))
        if among is not None:
            referenced = (exp.select(col(among[1], "r").as_("k")).distinct()
                          .from_(table(among[0], "r")))
            rows = rows.join(referenced.subquery("r"),
                             on=exp.EQ(this=key.copy(), expression=col("k", "r")))
        repeated = (rows.where(exp.not_(exp.Is(this=key.copy(), expression=exp.Null())))
                    .group_by(key.copy())
                    .having(exp.GT(this=exp.Count(this=exp.Star()),
                                   expression=exp.Literal.number(1))))
        total = exp.Window(this=exp.Count(this=exp.Star()))
        query = (exp.select(col("k", "d"), col("n", "d"), total.as_("keys"))
                 .from_(repeated.subquery("d"))
                 .order_by(exp.Ordered(this=col("n", "d"), desc=True), col("k", "d"))
                 .limit(1))
        result = self.run("many-to-one keys", where, query, guard=False)
        if result and result[0]:
            k, n, keys = result[0][0]
            self.problem(f"{where}: {tname}.{cname} is not unique ({keys:,}"
                         f"{' referenced' if among else ''} value{'s' if keys != 1 else ''} "
                         f"repeated, e.g. {show(k)} on {n:,} rows), so {consequence}")


def same_family(a: Family, b: Family) -> bool:
    """Types that compare with each other's literals: DATE and TIMESTAMP do; "other"
    (lists, structs…) is not judged."""
    moments = ("date", "timestamp")
    return a == b or "other" in (a, b) or (a in moments and b in moments)


def show(value: object) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)
