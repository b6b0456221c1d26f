"""Events, the reference date and channels proposed from what :mod:`guess` found.

An event is proposed for each fact table with a customer key, a date (its own column, or a
date key into the date dimension) and money. Its occurrence is the table's key, or, in a
line-grain fact (``store_sales``: one row per ticket line), a ticket or order number that
repeats over the lines; the amount is then summed over the lines of an occurrence. Fact
tables named alike (``store_sales``, ``web_sales``) become the sources of one event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import duckdb

from nl2seg.catalog.draft.columns import currency
from nl2seg.catalog.draft.guess import Guess
from nl2seg.catalog.draft.names import is_key_name, words
from nl2seg.catalog.draft.tables import TableInfo, is_unique

PURCHASE_WORDS = frozenset({"sale", "order", "transaction", "purchase", "ticket", "receipt",
                            "invoice", "basket", "checkout"})
RETURN_WORDS = frozenset({"return", "refund"})
ITEM_WORDS = frozenset({"item", "product", "article", "sku", "good", "merchandise", "variant"})
#: Item columns proposed as event properties, in this order.
ATTRIBUTE_WORDS = ("category", "subcategory", "department", "family", "class", "brand",
                   "collection", "genre")
#: Words of an occurrence key, business words first.
OCCURRENCE_WORDS = ("ticket", "order", "transaction", "receipt", "invoice", "basket", "cart",
                    "booking", "reservation", "purchase", "sale", "visit", "session",
                    "number", "num", "no", "nr", "id", "key", "code")
STATUS_WORDS = frozenset({"status", "state"})
#: Words of a line's own number (``SalesOrderLineNumber``), not the occurrence's.
LINE_WORDS = frozenset({"line", "lineno", "position", "seq", "sequence"})
#: Dates that say when a row was valid or loaded, not when the event happened.
VALIDITY_WORDS = frozenset({"rec", "valid", "effective", "expiry", "expires", "expiration",
                            "updated", "modified", "loaded", "load", "etl", "inserted"})
#: Amount columns, best first: what the customer paid, then an amount, then a price.
AMOUNT_RANKS = (("net", "paid"), ("paid",), ("amount",), ("amt",), ("total",), ("revenue",),
                ("sales",), ("spend",), ("price",))
AMOUNT_EXCLUDED = frozenset({"tax", "discount", "coupon", "fee", "ship", "shipping",
                             "wholesale", "list", "cost", "profit"})
#: French labels of the words the draft itself writes.
FRENCH = {"purchase": "achat", "return": "retour", "amount": "montant",
          "category": "catégorie", "subcategory": "sous-catégorie", "class": "classe",
          "brand": "marque", "department": "rayon", "family": "famille", "customer": "client",
          "email": "email"}
#: A currency code for "no currency": the draft cannot know it.
NO_CURRENCY = "XXX"


@dataclass
class Source:
    """One fact table as a source of an event."""

    table: TableInfo
    kind: str
    spec: dict[str, Any]
    properties: dict[str, dict[str, Any]]
    notes: list[str] = field(default_factory=list)


@dataclass
class Proposal:
    """The events, reference date and channels, with what a person must confirm."""

    events: dict[str, Any] = field(default_factory=dict)
    event_notes: dict[str, list[str]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    reference_date: dict[str, str] | None = None
    reference_note: str = ""
    channels: dict[str, Any] = field(default_factory=dict)
    channel_notes: dict[str, list[str]] = field(default_factory=dict)
    consent_candidates: list[str] = field(default_factory=list)


def labels(text: str) -> dict[str, str]:
    return {"en": text, "fr": FRENCH.get(text, text)}


def propose(con: duckdb.DuckDBPyConnection, g: Guess) -> Proposal:
    """Events from the event-grain tables with money, the reference date, the channels."""
    out = Proposal()
    sources: list[Source] = []
    for name, grain in g.grains.items():
        if grain == "event" and not g.facts[name].money:
            out.skipped.append(f"{name}: a customer and a date, no money column: add it as an "
                               "event by hand if it is a business fact (a visit, a ticket)")
        elif grain == "event":
            src = fact_source(con, g, g.tables[name])
            if isinstance(src, str):
                out.skipped.append(src)
            else:
                sources.append(src)
    for kind, group in _groups(sources).items():
        out.events[kind], out.event_notes[kind] = _event(kind, group)
    if out.events:
        rows = {k: sum(s.table.rows for s in sources if s.kind == k) for k in out.events}
        latest = "purchase" if "purchase" in out.events else max(rows, key=lambda k: rows[k])
        out.reference_date = {"latest": latest}
        names = [s["name"] for s in out.events[latest]["sources"]]
        if len(names) > 1:
            out.reference_date["source"] = names[0]
        out.reference_note = (
            f"TODO: the data's today: the day of the latest {latest}"
            + (f" of its largest source, {names[0]} (sources may end on different days: "
               "`catalog check` says how far each is behind)" if len(names) > 1 else "")
            + "; or state it: `date: YYYY-MM-DD`")
    _channels(g, out)
    return out


def fact_source(con: duckdb.DuckDBPyConnection, g: Guess, t: TableInfo) -> Source | str:
    """``t`` as an event source, or why it cannot be one."""
    refs = g.refs[t.name]
    facts = g.facts[t.name]
    notes: list[str] = []
    direct = sorted((c for c in facts.dates if not set(t.stem(c)) & VALIDITY_WORDS),
                    key=lambda c: t.family(c) != "timestamp")
    via = [c for c, r in refs.items() if r.parent in g.dims]
    time: str | dict[str, Any]
    if direct:
        time = direct[0]
        others = [*direct[1:], *via]
    elif via:
        r = refs[via[0]]
        time = {"column": g.dims[r.parent],
                "via": [{"table": r.parent, "join_on": {r.column: r.key}}]}
        others = via[1:]
        notes.append(f"time: {r.parent}.{g.dims[r.parent]} through {r.column}")
    else:
        return f"{t.name}: a customer and money, but no event date: add it as an event by hand"
    if others:
        notes.append(f"time: other dates of {t.short}: {', '.join(others)}")
    spec: dict[str, Any] = {"name": "", "table": t.name, "time": time}
    if len(t.primary_key) == 1:
        spec["key"] = t.primary_key[0]
    else:
        keyed = _occurrence_key(con, g, t)
        if keyed is None:
            return (f"{t.name}: a customer, a date and money, but no column identifies one "
                    "occurrence (a ticket or order number): add it as an event by hand")
        spec["key"], unique = keyed
        if not unique:
            spec["grain"] = "line"
            notes.append(f"grain: line: {spec['key']} repeats over the rows of {t.short} "
                         "(one row per line): counts count occurrences, amounts are summed "
                         "per occurrence")
    customers = g.customers[t.name]
    if len(customers) > 1:
        notes.append(f"customer: {customers[0]} (also {', '.join(customers[1:])})")
    money = _amount(t, facts.money)
    line = spec.get("grain") == "line"
    props: dict[str, dict[str, Any]] = {"amount": {
        "type": t.columns[money], "unit": currency(money, t) or NO_CURRENCY,
        "label": labels("amount")}}
    spec["properties"] = {"amount": {"column": money, **({"aggregate": "sum"} if line else {})}}
    for c in t.columns:
        if any(_has(t.stem(c), w) for w in STATUS_WORDS) and c in facts.values:
            notes.append(f"rows: do all count? e.g. where: [{{column: {c}, op: eq, value: "
                         f"{facts.values[c][0]}}}] (values: {', '.join(facts.values[c])})")
    rest = [c for c in facts.money if c != money]
    notes.append(f"amount: {money}" + (f" (other money columns: {', '.join(rest)})"
                                       if rest else ""))
    for prop, path, column, item in _item_attributes(g, t):
        spec["properties"][prop] = {"via": path, "column": column}
        props[prop] = {"type": g.tables[item].columns[column], "label": labels(prop)}
        if column in g.facts[item].values:
            props[prop]["values_from"] = f"{item}.{column}"
    return Source(t, _kind(t), spec, props, notes)


def _occurrence_key(con: duckdb.DuckDBPyConnection, g: Guess,
                    t: TableInfo) -> tuple[str, bool] | None:
    """The column naming one occurrence (``ss_ticket_number``) and whether it is unique."""
    facts = g.facts[t.name]
    taken = {*g.refs[t.name], *g.customers[t.name], *facts.money, *facts.dates}
    ranked = []
    for i, c in enumerate(t.columns):
        w = t.stem(c) + words(c)[-1:]
        if c in taken or t.family(c) not in {"number", "text"} or set(w) & LINE_WORDS:
            continue
        rank = next((r for r, word in enumerate(OCCURRENCE_WORDS) if word in w), None)
        if rank is not None:
            ranked.append((rank, i, c))
    if not ranked:
        return None
    key = min(ranked)[2]
    return key, is_unique(con, t, key)


def _amount(t: TableInfo, money: list[str]) -> str:
    for rank in AMOUNT_RANKS:
        for c in money:
            w = t.stem(c)
            if all(_has(w, x) for x in rank) and not any(_has(w, x) for x in AMOUNT_EXCLUDED):
                return c
    return money[0]


def _has(name: list[str], word: str) -> bool:
    """``word`` is one of ``name``'s words, or glued to one (``totalprice``, ``listprice``)."""
    return any(w == word or w.startswith(word) or w.endswith(word) for w in name)


def _item_attributes(g: Guess, t: TableInfo) -> list[tuple[str, list[dict[str, Any]], str,
                                                           str]]:
    """(property, via path, column, item table) for the category, class and brand of the
    items of an occurrence: through the fact's item key, or through its detail lines."""
    paths: list[tuple[int, list[dict[str, Any]], str]] = []
    for col, r in g.refs[t.name].items():
        if (rank := _item_rank(g, r.parent)) is not None:
            paths.append((rank, [{"table": r.parent, "join_on": {col: r.key}}], r.parent))
    if not paths and len(t.primary_key) == 1:
        for name, refs in g.refs.items():
            back = [r for r in refs.values() if r.parent == t.name]
            if g.grains[name] != "detail" or not back:
                continue
            for col, r in refs.items():
                if (rank := _item_rank(g, r.parent)) is not None:
                    paths.append((rank, [
                        {"table": name, "join_on": {back[0].key: back[0].column}},
                        {"table": r.parent, "join_on": {col: r.key}}], r.parent))
    if not paths:
        return []
    _, path, item = min(paths, key=lambda p: p[0])
    it = g.tables[item]
    found: dict[str, tuple[int, str]] = {}
    for c in it.columns:
        attribute = _attribute(it, c)
        if (attribute and it.family(c) == "text" and c not in it.primary_key
                and c not in g.facts[item].pii):
            found.setdefault(attribute, (ATTRIBUTE_WORDS.index(attribute), c))
    return [(prop, path, c, item) for prop, (_, c) in sorted(found.items(), key=lambda f: f[1])]


def _attribute(t: TableInfo, column: str) -> str | None:
    """The attribute a column names: ``category`` of ``i_category`` and of
    ``EnglishProductCategoryName``, not of ``i_category_id``."""
    w = t.stem(column)
    if is_key_name(column) or not w or w[-1] not in {*ATTRIBUTE_WORDS, "name", "label", "desc"}:
        return None
    return next((a for a in w if a in ATTRIBUTE_WORDS), None)


def _item_rank(g: Guess, table: str) -> int | None:
    """0 for a lookup named like items or products, 1 for another one with a category, class
    or brand column, None for the rest (dates, customers, stores)."""
    t = g.tables[table]
    if g.grains[table] != "lookup" or table in g.dims:
        return None
    if set(t.noun) & ITEM_WORDS:
        return 0
    if any(_attribute(t, c) for c in t.columns):
        return 1
    return None


def _kind(t: TableInfo) -> str:
    last = t.noun[-1] if t.noun else t.short
    if last in PURCHASE_WORDS:
        return "purchase"
    if last in RETURN_WORDS:
        return "return"
    return re.sub(r"\W+", "_", last) or "event"


def _groups(sources: list[Source]) -> dict[str, list[Source]]:
    """Sources of one kind make one event, largest first, each named by its table's other
    words (``store`` of ``store_sales``) or its schema (``pos`` of ``pos.transactions``)."""
    groups: dict[str, list[Source]] = {}
    for s in sorted(sources, key=lambda s: -s.table.rows):
        groups.setdefault(s.kind, []).append(s)
    for group in groups.values():
        used: set[str] = set()
        for s in group:
            name = "_".join(s.table.noun[:-1]) or s.table.schema
            if name in used:
                name = re.sub(r"\W+", "_", s.table.short)
            used.add(name)
            s.spec["name"] = name
    return dict(sorted(groups.items()))


def _event(kind: str, group: list[Source]) -> tuple[dict[str, Any], list[str]]:
    props: dict[str, dict[str, Any]] = {}
    for s in group:
        for p, spec in s.properties.items():
            props.setdefault(p, spec)
    tables = ", ".join(s.table.name for s in group)
    notes = [f"TODO: an event drafted from {tables}: confirm it is one business fact, name "
             "it, write its definition and words in both languages"]
    for s in group:
        notes.extend(f"TODO: {s.spec['name']}: {n}" for n in s.notes)
    if any(p.get("unit") == NO_CURRENCY for p in props.values()):
        notes.append(f"TODO: unit {NO_CURRENCY} means no currency: set the ISO code (USD, EUR)")
    event = {"label": labels(kind), "description": f"Drafted from {tables}.",
             "properties": props, "sources": [s.spec for s in group]}
    return event, notes


def _channels(g: Guess, out: Proposal) -> None:
    """An email channel when the customer table has an email column: with ``consent: null``
    when no column looks like a consent flag (an export then needs the approver's explicit
    acknowledgement); a consent flag is never guessed for real, only named for a person."""
    t = g.tables[g.entity]
    pii = g.facts[t.name].pii
    email = next((c for c in t.columns if c in pii and ("email" in t.stem(c) or "mail" in
                  t.stem(c) or "emails" in pii[c])), None)
    flags = [c for c in t.columns if t.family(c) == "boolean"]
    consent = [c for c in flags if set(words(c)) & {"opt", "optin", "consent", "consents",
                                                    "subscribed", "newsletter", "permission",
                                                    "marketing", "allow", "allowed"}]
    out.consent_candidates = consent or flags
    if email is None or consent:
        return
    out.channels["email"] = {"label": labels("email"), "consent": None,
                             "contact": f"{t.name}.{email}"}
    out.channel_notes["email"] = [
        "TODO: no consent column found: with `consent: null` every export to this channel "
        "needs the approver's explicit acknowledgement that no consent data exists; point "
        "consent at a BOOLEAN opt-in column if there is one"
        + (f" (booleans of {t.short}: {', '.join(flags)})" if flags else "")]
