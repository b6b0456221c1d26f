"""Foreign keys, the customer table, the date dimension, grains and profile lookups.

A foreign key is proposed when a key-named column's name points at another table's key
(``ss_customer_sk`` → ``c_customer_sk``, ``c_current_addr_sk`` → ``ca_address_sk``,
``preferred_store_id`` → ``store_id``) AND a sample of its values is found in that key. The
name alone is not enough (surrogate keys 1..n fit any longer key), nor are the values alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import duckdb

from nl2seg.catalog.draft.columns import is_money, pii_by_name
from nl2seg.catalog.draft.names import abbreviates, ends_with, is_key_name, noun
from nl2seg.catalog.draft.tables import TableInfo, ident, query, sample, tref
from nl2seg.errors import CatalogError, did_you_mean, suggestion_text

#: Names of a customer table (the singular noun of the table).
ENTITY_WORDS = ("customer", "client", "user", "member", "subscriber", "shopper", "buyer",
                "consumer")
#: Names of lookups that describe the customer who references them.
PROFILE_WORDS = (*ENTITY_WORDS, "demographic", "household", "address", "income", "profile",
                 "segment", "persona", "preference", "geography", "location")
#: Share of a sample of a column's values its parent key must hold.
MIN_CONTAINED = 0.99
#: Rows of a table whose values are checked against the keys they may point at.
CHECK_ROWS = 5_000
#: Distinct values of a column checked at most (spread over its sorted values).
CHECK_VALUES = 1_000


@dataclass(frozen=True)
class Reference:
    """``table.column`` → ``parent.key``, with the evidence for it."""

    table: str
    column: str
    parent: str
    key: str
    checked: int
    """Distinct non-null values sampled (0: the column is empty, only the name speaks)."""
    found: int
    """How many of them the parent key holds."""
    others: tuple[str, ...] = ()
    """Other tables whose key the name also fits, and whose values fit too."""

    @property
    def target(self) -> str:
        return f"{self.parent}.{self.key}"


def _match(name: list[str], target: list[str]) -> int:
    """3 the same words, 2 ends with them, 1 an abbreviation of them, 0 unrelated."""
    if not name or not target:
        return 0
    if name == target:
        return 3
    if ends_with(name, target):
        return 2
    return 1 if abbreviates(name[-1], target) else 0


def name_score(t: TableInfo, column: str, parent: TableInfo) -> int:
    """How well ``column``'s name points at ``parent``'s key: by the key's own stem
    (``customer`` of ``c_customer_sk``) or the parent's noun (``customer address``), a point
    more when the noun fits. A table's own key points elsewhere only when the noun fits well
    (``scores.customer_id`` → ``customers``, never ``customers.customer_id`` → ``scores``)."""
    child = t.stem(column)
    by_noun = _match(child, parent.noun)
    if column in t.primary_key and by_noun < 2:
        return 0
    score = max(_match(child, parent.stem(parent.primary_key[0])), by_noun)
    return score + (1 if score and by_noun else 0)


def find_references(con: duckdb.DuckDBPyConnection,
                    tables: dict[str, TableInfo]) -> dict[str, dict[str, Reference]]:
    """``{table: {column: Reference}}``: names propose, a sample of values confirms."""
    parents = [p for p in tables.values() if len(p.primary_key) == 1]
    candidates: dict[tuple[str, str], list[tuple[int, TableInfo]]] = {}
    for t in tables.values():
        for col in t.columns:
            if not is_key_name(col):
                continue
            scored = [(name_score(t, col, p), p) for p in parents if p.name != t.name
                      and p.family(p.primary_key[0]) == t.family(col)]
            scored = [(s, p) for s, p in scored if s > 0]
            if scored:
                candidates[t.name, col] = scored
    values = _sampled_values(con, tables, candidates)
    found = _found(con, tables, candidates, values)
    out: dict[str, dict[str, Reference]] = {t: {} for t in tables}
    for (table, col), scored in candidates.items():
        n = len(values[table, col])
        fits = [(s, found[table, col, p.name] / n if n else 1.0, -p.rows, p) for s, p in scored
                if (n and found[table, col, p.name] >= MIN_CONTAINED * n) or (not n and s >= 3)]
        if not fits:
            continue
        fits.sort(key=lambda f: (f[0], f[1], f[2]), reverse=True)
        best = fits[0][3]
        out[table][col] = Reference(
            table, col, best.name, best.primary_key[0], n, found[table, col, best.name],
            tuple(f[3].name for f in fits[1:] if f[0] == fits[0][0]))
    for table in out:  # in column order
        out[table] = {c: out[table][c] for c in tables[table].columns if c in out[table]}
    return out


def _sampled_values(con: duckdb.DuckDBPyConnection, tables: dict[str, TableInfo],
                    candidates: dict[tuple[str, str], Any]) -> dict[tuple[str, str], list[Any]]:
    """The distinct non-null values of each candidate column in a sample of its table (one
    query per table)."""
    by_table: dict[str, list[str]] = {}
    for table, col in candidates:
        by_table.setdefault(table, []).append(col)
    out: dict[tuple[str, str], list[Any]] = {}
    for table, cols in by_table.items():
        rows = query(con, f"SELECT * FROM {sample(tables[table], cols, CHECK_ROWS)}")
        for i, col in enumerate(cols):
            found = sorted({r[i] for r in rows if r[i] is not None})
            step = math.ceil(len(found) / CHECK_VALUES) if found else 1
            out[table, col] = found[::step]
    return out


def _found(con: duckdb.DuckDBPyConnection, tables: dict[str, TableInfo],
           candidates: dict[tuple[str, str], list[tuple[int, TableInfo]]],
           values: dict[tuple[str, str], list[Any]]) -> dict[tuple[str, str, str], int]:
    """How many sampled values of each candidate its parent's key holds: one join per
    parent, the key scanned once against every column that may point at it."""
    by_parent: dict[str, list[tuple[str, str]]] = {}
    for (table, col), scored in candidates.items():
        for _, p in scored:
            by_parent.setdefault(p.name, []).append((table, col))
    out: dict[tuple[str, str, str], int] = {}
    for parent, cols in by_parent.items():
        ids = [i for i, c in enumerate(cols) for _ in values[c]]
        vals = [v for c in cols for v in values[c]]
        counts: dict[int, int] = {}
        if vals:
            key = ident(tables[parent].primary_key[0])
            counts = {int(i): int(n) for i, n in query(
                con, f"SELECT s.i, count(*) FROM (SELECT unnest(?) AS i, unnest(?) AS v) s "
                     f"JOIN {tref(parent)} p ON p.{key} = s.v GROUP BY s.i", [ids, vals])}
        for i, (table, col) in enumerate(cols):
            out[table, col, parent] = counts.get(i, 0)
    return out


# -- the customer table ----------------------------------------------------------------------

def guess_entity(tables: dict[str, TableInfo], refs: dict[str, dict[str, Reference]],
                 entity_table: str | None, entity_key: str | None) -> tuple[str, str, str]:
    """The customer table, its key, and why: the caller's choice, else the keyed table named
    like customers, holding people's contacts, whose key most fact tables reference."""
    if entity_table is not None:
        table, key = _explicit_entity(tables, entity_table, entity_key)
        return table, key, "given"
    keyed = [t for t in tables.values() if len(t.primary_key) == 1
             and (entity_key is None or t.primary_key == [entity_key])]
    if not keyed:
        raise CatalogError(
            "cannot guess the customer table: no table has a single-column key"
            + (f" '{entity_key}'" if entity_key else "")
            + " (no PRIMARY KEY declared, and no unique column named like a key: *_sk, *_key, "
              "*_id, <name>key): pass --entity-table and --entity-key", code="catalog_draft")
    dims = set(date_dimensions(tables, refs))
    facts = {t.name for t in tables.values() if any(is_money(t, c) for c in t.columns)
             or any(r.parent in dims for r in refs[t.name].values())}

    def score(t: TableInfo) -> tuple[int, bool, int, int, int]:
        named = 2 if len(t.noun) == 1 and t.noun[0] in ENTITY_WORDS else (
            1 if any(w in ENTITY_WORDS for w in t.noun) else 0)
        kinds = {pii_by_name(t, c, False) for c in t.columns} - {None}
        person = t.name not in dims and len(kinds) >= 2
        by = {r.table for cols in refs.values() for r in cols.values() if r.parent == t.name}
        return named, person, len(by & facts), len(by), t.rows

    best = max(keyed, key=score)
    named, person, n, _, _ = score(best)
    why = ", ".join([*(["named like customers"] if named else []),
                     *(["with people's contacts"] if person else []),
                     f"its key is referenced by {n} fact table{'s' if n != 1 else ''}"])
    return best.name, best.primary_key[0], why


def _explicit_entity(tables: dict[str, TableInfo], table: str,
                     key: str | None) -> tuple[str, str]:
    if table not in tables:
        raise CatalogError(f"entity table '{table}' is not in the database"
                           + suggestion_text(did_you_mean(table, tables)), code="catalog_draft")
    info = tables[table]
    if key is None:
        if len(info.primary_key) != 1:
            raise CatalogError(f"{table} has no single-column key: pass --entity-key",
                               code="catalog_draft")
        return table, info.primary_key[0]
    if key not in info.columns:
        raise CatalogError(f"entity key '{key}' is not a column of {table}"
                           + suggestion_text(did_you_mean(key, info.columns)),
                           code="catalog_draft")
    return table, key


def customer_keys(tables: dict[str, TableInfo], refs: dict[str, dict[str, Reference]],
                  ent_table: str, ent_key: str) -> dict[str, list[str]]:
    """Per table, the columns holding a customer's key, in column order (the first is the
    ``customer_key``): those referencing the customer table, else one named like its key."""
    out: dict[str, list[str]] = {}
    for t in tables.values():
        if t.name == ent_table:
            out[t.name] = [ent_key]
            continue
        cols = [c for c in t.columns if c in refs[t.name]
                and refs[t.name][c].target == f"{ent_table}.{ent_key}"]
        if not cols and ent_key in t.columns:
            cols = [ent_key]
        out[t.name] = cols
    return out


# -- dimensions, grains, profile lookups -----------------------------------------------------

def date_dimensions(tables: dict[str, TableInfo],
                    refs: dict[str, dict[str, Reference]]) -> dict[str, str]:
    """``{table: its DATE column}`` for each table with a DATE column whose key is referenced
    by date-named columns (``ss_sold_date_sk`` → ``d_date_sk``)."""
    out: dict[str, str] = {}
    for t in tables.values():
        dates = [c for c in t.columns if t.family(c) == "date"]
        if not dates or len(t.primary_key) != 1:
            continue
        by_date = any(r.parent == t.name and {"date", "day", "dt"} & set(
            tables[r.table].stem(r.column)) for cols in refs.values() for r in cols.values())
        if by_date:
            out[t.name] = next((c for c in dates if t.stem(c)[-1:] == ["date"]), dates[0])
    return out


def guess_grain(t: TableInfo, cust: list[str], referenced: bool, dated: bool) -> str:
    """customer: one row per customer; event: a customer and a date; lookup: a keyed table
    others reference; detail: the rest (lines, inventories)."""
    if cust and (t.primary_key == cust[:1] or cust == t.primary_key):
        return "customer"
    if cust and dated:
        return "event"
    if referenced and len(t.primary_key) == 1:
        return "lookup"
    return "detail"


def profile_lookups(tables: dict[str, TableInfo], refs: dict[str, dict[str, Reference]],
                    grains: dict[str, str], dims: set[str]) -> tuple[dict[str, str],
                                                                      dict[str, str]]:
    """Lookups reached from the customer tables by references, breadth first: those named
    like a description of the customer (address, demographics, household, income band) are
    profile lookups; the others are returned apart, for a person to decide. A dimension
    reached by two columns (a date) is neither."""
    profile: dict[str, str] = {}
    other: dict[str, str] = {}
    frontier = [t for t, g in grains.items() if g == "customer"]
    while frontier:
        nxt: list[str] = []
        for name in frontier:
            targets = [r.parent for r in refs[name].values()]
            for col, r in refs[name].items():
                p = r.parent
                if (p in profile or p in other or p in dims or grains[p] != "lookup"
                        or targets.count(p) > 1):
                    continue
                via = f"{name}.{col}"
                if any(w in PROFILE_WORDS for w in noun(tables[p].short)):
                    profile[p] = via
                    nxt.append(p)
                else:
                    other[p] = via
        frontier = nxt
    return profile, other
