"""Cross-references inside one catalog: every name it uses must be one it defines."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from nl2seg.catalog.expressions import ExpressionError, parse_computed
from nl2seg.catalog.models import ReferenceDate, type_family
from nl2seg.errors import did_you_mean, suggestion_text

if TYPE_CHECKING:
    from nl2seg.catalog.models import Catalog


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


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
    ref = cat.reference_date
    if isinstance(ref, str) and not _DAY.fullmatch(ref):
        qualified(ref, "reference_date")
    elif isinstance(ref, ReferenceDate):
        if ref.date is not None and not _DAY.fullmatch(ref.date):
            problems.append(f"reference_date.date: '{ref.date}' is not a YYYY-MM-DD date")
        if ref.latest is not None and ref.latest not in cat.events:
            problems.append(f"reference_date.latest: unknown event '{ref.latest}'"
                            + suggestion_text(did_you_mean(ref.latest, cat.events)))
        elif ref.latest is not None and ref.source is not None and ref.source not in {
                s.name for s in cat.events[ref.latest].sources}:
            problems.append(f"reference_date.source: event '{ref.latest}' has no source "
                            f"'{ref.source}'")
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
        stored = {c for c, spec in t.columns.items() if spec.expr is None}
        for cname, spec in t.columns.items():
            if spec.expr is None:
                continue
            try:
                parse_computed(spec.expr, stored, f"tables.{tname}.columns.{cname}.expr")
            except ExpressionError as exc:
                problems.append(str(exc))
            if cname in {*t.primary_key, *t.references, t.customer_key}:
                problems.append(f"tables.{tname}.columns.{cname}: a computed column cannot be "
                                "a key")
        if t.profile and t.grain != "lookup":
            problems.append(f"tables.{tname}.profile: only a 'lookup' table can describe "
                            f"customers through references (this one is '{t.grain}')")
    reachable = cat.profile_paths()
    for tname, t in cat.tables.items():
        if t.profile and t.grain == "lookup" and tname not in reachable:
            problems.append(f"tables.{tname}.profile: no reference leads to it from a "
                            f"customer table; add one to {cat.entity.table}.references")
    for ename, ev in cat.events.items():
        for i, src in enumerate(ev.sources):
            where = f"events.{ename}.sources[{i}]"
            if not table(src.table, where):
                continue
            if cat.tables[src.table].customer_key is None:
                problems.append(f"{where}: table {src.table} has no customer_key")
            for col in [src.key, *(f.column for f in src.where)]:
                column(src.table, col, where)
            current = src.table
            for hop in src.time_path.via:
                for a, b in hop.join_on.items():
                    column(current, a, f"{where}.time.via")
                    column(hop.table, b, f"{where}.time.via")
                current = hop.table
            column(current, src.time_path.column, f"{where}.time")
            if current in cat.tables and src.time_path.column in cat.tables[current].columns \
                    and type_family(cat.tables[current].columns[src.time_path.column].type) \
                    not in ("date", "timestamp"):
                problems.append(f"{where}.time: {current}.{src.time_path.column} is "
                                f"{cat.tables[current].columns[src.time_path.column].type}, "
                                "not a DATE or TIMESTAMP; a date key reaches its day through "
                                "the date dimension: time: {column: <date column>, via: "
                                "[{table: <dimension>, join_on: {<key>: <dimension key>}}]}")
            for pname, ps in src.properties.items():
                current = src.table
                for hop in ps.via:
                    for a, b in hop.join_on.items():
                        column(current, a, f"{where}.properties.{pname}.via")
                        column(hop.table, b, f"{where}.properties.{pname}.via")
                    current = hop.table
                if ps.column is not None:
                    column(current, ps.column, f"{where}.properties.{pname}")
                    target = cat.tables[current].columns.get(ps.column) \
                        if current in cat.tables else None
                    if target is not None and target.expr is not None:
                        problems.append(
                            f"{where}.properties.{pname}: {current}.{ps.column} is a computed "
                            "column; an event property reads a stored column (computed "
                            "columns serve profile fields): point it at the stored column, "
                            "or add a column to the table")
        for pname, prop in ev.properties.items():
            if prop.values_from is not None:
                qualified(prop.values_from, f"events.{ename}.properties.{pname}.values_from")
            if prop.measures and type_family(prop.type) != "number":
                problems.append(f"events.{ename}.properties.{pname}.measures: only a number "
                                f"can be aggregated, and this property is {prop.type}")
    for cname, ch in cat.channels.items():
        if ch.consent is not None:
            qualified(ch.consent, f"channels.{cname}.consent")
        if ch.contact is not None:
            qualified(ch.contact, f"channels.{cname}.contact")
    if problems:
        raise ValueError("; ".join(problems))
