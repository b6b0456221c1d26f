"""Values read from the data for the catalog's open text fields (brands, cities, countries).

A closed value list in the catalog teaches the translator a field's values and their words.
A warehouse has fields whose values nobody will list by hand (700 brands, 200 countries of
birth, 600 cities). :func:`attach_data_values` reads the distinct values of such fields from
the database (at most :data:`CAP` per field, else none: a field with more is free text) and
returns a copy of the catalog that carries them, so a request naming "Mexico" or
"exportischolar #1" finds its field. They are not part of the catalog's content: its
fingerprint, and so every approval, does not change when the data gains a brand.
"""

from __future__ import annotations

import duckdb
from sqlglot import exp

from nl2seg.catalog.models import Catalog, EventSource, type_family
from nl2seg.compile.literals import col, table

#: Fields with more distinct values than this are free text: nothing is read.
CAP = 2000


def attach_data_values(catalog: Catalog, con: duckdb.DuckDBPyConnection,
                       cap: int = CAP) -> Catalog:
    """A copy of ``catalog`` carrying the distinct values of its open text fields.

    Open: a non-PII text profile field or event property without a closed value list. A
    query that fails (a table the database lacks) leaves that field without values:
    ``catalog check`` is where such problems are reported."""
    found: dict[str, tuple[str, ...]] = {}
    for name in catalog.profile_fields():
        column = catalog.column(name)
        if column.family != "text" or column.values is not None or column.pii \
                or column.expr is not None:
            continue
        tname, cname = name.rsplit(".", 1)
        values = _distinct(con, [(tname, cname)], cap)
        if values:
            found[f"field:{name}"] = values
    for ename, event in catalog.events.items():
        for pname, prop in event.properties.items():
            if type_family(prop.type) != "text" or prop.values is not None \
                    or prop.values_from is not None:
                continue
            places = [p for src in event.sources if (p := _place(src, pname)) is not None]
            values = _distinct(con, places, cap) if places else ()
            if values:
                found[f"prop:{ename}.{pname}"] = values
    copy = catalog.model_copy()
    copy._data_values = found
    return copy


def _place(src: EventSource, prop: str) -> tuple[str, str] | None:
    """The table and column where a source's property is stored (its path's last hop)."""
    ps = src.properties.get(prop)
    if ps is None or ps.column is None:
        return None
    return (ps.via[-1].table if ps.via else src.table), ps.column


def _distinct(con: duckdb.DuckDBPyConnection, places: list[tuple[str, str]],
              cap: int) -> tuple[str, ...]:
    branches = [exp.select(col(c, "v").as_("x")).from_(table(t, "v"))
                .where(exp.Not(this=exp.Is(this=col(c, "v"), expression=exp.Null())))
                for t, c in dict.fromkeys(places)]
    union: exp.Query = branches[0]
    for b in branches[1:]:
        union = exp.union(union, b, distinct=True)
    q = exp.select(col("x", "u")).from_(union.subquery("u")).distinct().limit(cap + 1)
    try:
        rows = con.execute(q.sql(dialect="duckdb")).fetchall()
    except duckdb.Error:
        return ()
    if len(rows) > cap:
        return ()
    return tuple(sorted(str(r[0]) for r in rows if str(r[0]).strip()))
