"""Cross-references inside one catalog: every name it uses must be one it defines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nl2seg.catalog.models import type_family
from nl2seg.errors import did_you_mean, suggestion_text

if TYPE_CHECKING:
    from nl2seg.catalog.models import Catalog


def check_consistency(cat: Catalog) -> None:
    """Raise ``ValueError`` listing every dangling reference (pydantic reports it)."""
    problems: list[str] = []

    def table(name: str, where: str) -> bool:
        if name in cat.tables:
            return True
        problems.append(f"{where}: unknown table '{name}'"
                        + suggestion_text(did_you_mean(name, cat.tables)))
        return False

    def column(table_name: str, col: str, where: str) -> None:
        if table(table_name, where) and col not in cat.tables[table_name].columns:
            problems.append(f"{where}: unknown column '{col}' in {table_name}"
                            + suggestion_text(did_you_mean(col, cat.tables[table_name].columns)))

    def qualified(ref: str, where: str) -> None:
        parts = ref.split(".")
        if len(parts) != 3:
            problems.append(f"{where}: expected 'schema.table.column', got '{ref}'")
            return
        column(f"{parts[0]}.{parts[1]}", parts[2], where)

    if table(cat.entity.table, "entity"):
        column(cat.entity.table, cat.entity.key, "entity.key")
    if cat.reference_date is not None:
        qualified(cat.reference_date, "reference_date")
    for tname, t in cat.tables.items():
        if "." not in tname:
            problems.append(f"tables.{tname}: table names are 'schema.table'")
        if t.source not in cat.sources:
            problems.append(f"tables.{tname}.source: unknown source '{t.source}'"
                            + suggestion_text(did_you_mean(t.source, cat.sources)))
        if t.grain in {"customer", "event"} and t.customer_key is None:
            problems.append(f"tables.{tname}: a '{t.grain}' table needs a customer_key")
        for col, ref in t.references.items():
            qualified(ref, f"tables.{tname}.references.{col}")
        if t.frozen is not None and t.frozen.column not in t.columns:
            problems.append(f"tables.{tname}.frozen.column: unknown column '{t.frozen.column}'")
    for ename, ev in cat.events.items():
        for i, src in enumerate(ev.sources):
            where = f"events.{ename}.sources[{i}]"
            if not table(src.table, where):
                continue
            if cat.tables[src.table].customer_key is None:
                problems.append(f"{where}: table {src.table} has no customer_key")
            for col in [src.time, src.key, *(f.column for f in src.where)]:
                column(src.table, col, where)
            for pname, ps in src.properties.items():
                current = src.table
                for hop in ps.via:
                    for a, b in hop.join_on.items():
                        column(current, a, f"{where}.properties.{pname}.via")
                        column(hop.table, b, f"{where}.properties.{pname}.via")
                    current = hop.table
                if ps.column is not None:
                    column(current, ps.column, f"{where}.properties.{pname}")
        for pname, prop in ev.properties.items():
            if prop.values_from is not None:
                qualified(prop.values_from, f"events.{ename}.properties.{pname}.values_from")
            if prop.measures and type_family(prop.type) != "number":
                problems.append(f"events.{ename}.properties.{pname}.measures: only a number "
                                f"can be aggregated, and this property is {prop.type}")
    for cname, ch in cat.channels.items():
        qualified(ch.consent, f"channels.{cname}.consent")
        if ch.contact is not None:
            qualified(ch.contact, f"channels.{cname}.contact")
    if problems:
        raise ValueError("; ".join(problems))
