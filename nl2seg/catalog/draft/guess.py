"""The draft's reading of a database: the passes over tables, keys and columns, in order."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from nl2seg.catalog.draft.columns import ColumnFacts, inspect_columns
from nl2seg.catalog.draft.references import (
    Reference,
    customer_keys,
    date_dimensions,
    find_references,
    guess_entity,
    guess_grain,
    profile_lookups,
)
from nl2seg.catalog.draft.tables import TableInfo, inspect_tables
from nl2seg.errors import CatalogError


@dataclass(frozen=True)
class Guess:
    """Everything the draft guessed, before it is written as a catalog."""

    tables: dict[str, TableInfo]
    refs: dict[str, dict[str, Reference]]
    """Every foreign key found, customer keys included."""
    entity: str
    key: str
    why: str
    """Why this table was taken for the customers."""
    customers: dict[str, list[str]]
    """Per table, the columns holding a customer key (the first is its ``customer_key``)."""
    grains: dict[str, str]
    dims: dict[str, str]
    """Date dimensions and their DATE column."""
    profile: dict[str, str]
    """Profile lookups and the ``table.column`` that reaches each."""
    lookups: dict[str, str]
    """Other lookups reached from the customer (a preferred store), left for a person."""
    facts: dict[str, ColumnFacts]

    def references(self, table: str) -> dict[str, Reference]:
        """A table's references, without its customer key (``customer_key`` says it)."""
        cust = self.customers[table][:1]
        return {c: r for c, r in self.refs[table].items() if c not in cust}


def read_database(con: duckdb.DuckDBPyConnection, *, entity_table: str | None = None,
          entity_key: str | None = None, max_values: int = 30) -> Guess:
    tables = inspect_tables(con)
    if not tables:
        raise CatalogError("the database has no tables to draft a catalog from",
                           code="catalog_draft")
    refs = find_references(con, tables)
    entity, key, why = guess_entity(tables, refs, entity_table, entity_key)
    customers = customer_keys(tables, refs, entity, key)
    dims = date_dimensions(tables, refs)
    referenced = {r.parent for cols in refs.values() for r in cols.values()}
    grains: dict[str, str] = {}
    for t in tables.values():
        dated = any(t.family(c) in {"date", "timestamp"} for c in t.columns) or any(
            r.parent in dims for r in refs[t.name].values())
        grains[t.name] = "customer" if t.name == entity else guess_grain(
            t, customers[t.name], t.name in referenced, dated)
    profile, lookups = profile_lookups(tables, refs, grains, set(dims))
    side = {t for t, g in grains.items() if g == "customer"} | set(profile)
    facts = {}
    for t in tables.values():
        keys = {*t.primary_key, *refs[t.name], *customers[t.name]}
        facts[t.name] = inspect_columns(con, t, keys=keys, customer_side=t.name in side,
                                        entity=t.name == entity, max_values=max_values)
    return Guess(tables, refs, entity, key, why, customers, grains, dims, profile, lookups,
                 facts)
