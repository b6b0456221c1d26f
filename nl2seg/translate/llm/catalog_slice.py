"""The part of the catalog an LLM needs for one request, as compact text.

A real catalog has hundreds of columns; a prompt holds a few thousand words. Each profile
field, event and channel becomes a short *card* (its name, how the rule uses it, its labels,
synonyms and closed values); cards are ranked by how many of the request's word stems they
contain (the same folding and stemming as the local translator; a stem shared by many cards
weighs less) and added best first until the budget is spent; their long value lists are cut
to the values the request names. Events and channels come next even without a match. A
catalog that fits entirely is sent whole: retrieval never hides a field from a model that
could have seen it.

>>> from nl2seg.catalog import load_catalog
>>> s = catalog_slice(load_catalog(), "clients VIP", budget=600)
>>> "crm.customers.loyalty_tier" in s.text, s.complete
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

from nl2seg.catalog.models import Catalog, Column, Labels, Value, Words
from nl2seg.translate.grammar import FILLER
from nl2seg.translate.normalize import keys

DEFAULT_BUDGET = 32_000
"""Characters of catalog text in a prompt (about 6,000 tokens)."""


@dataclass(frozen=True)
class Card:
    name: str
    text: str
    stems: frozenset[str]
    always: bool = False
    compact: str = ""
    """The card with only the values the request names (set for a retrieval)."""


@dataclass(frozen=True)
class CatalogSlice:
    text: str
    names: tuple[str, ...]
    complete: bool
    """True when every card of the catalog is in ``text``."""


def catalog_slice(catalog: Catalog, request: str, budget: int = DEFAULT_BUDGET) -> CatalogSlice:
    """The cards most relevant to ``request`` that fit in ``budget`` characters."""
    cards = catalog_cards(catalog)
    header = _header(catalog)
    if len(header) + sum(len(c.text) + 1 for c in cards) <= budget:
        return CatalogSlice(header + "\n".join(c.text for c in cards), tuple(c.name for c in cards),
                            True)
    want = {k for k in keys(request) if k not in FILLER and len(k) > 1}
    cards = catalog_cards(catalog, want)
    spread = {k: sum(k in c.stems for c in cards) for k in want}

    def score(c: Card) -> float:
        return sum(1 / spread[k] for k in want & c.stems)

    ranked = sorted(cards, key=lambda c: (-score(c), not c.always, c.name))
    chosen: list[Card] = []
    used = len(header)
    for card in ranked:
        if not score(card) and not card.always:
            break
        if used + len(card.compact) + 1 > budget:
            continue
        chosen.append(card)
        used += len(card.compact) + 1
    order = {c.name: i for i, c in enumerate(cards)}
    chosen.sort(key=lambda c: order[c.name])
    return CatalogSlice(header + "\n".join(c.compact for c in chosen),
                        tuple(c.name for c in chosen), False)


def catalog_cards(catalog: Catalog, want: set[str] | None = None) -> list[Card]:
    """One card per profile field, event and channel, in catalog order.

    With ``want`` (request stems), each card also gets its ``compact`` text."""
    cards = [_field_card(catalog, f, want) for f in catalog.profile_fields()
             if f.split(".")[-1] != catalog.tables[_table(f)].customer_key]
    cards += [_event_card(catalog, e, want) for e in catalog.events]
    cards += [_channel_card(catalog, c) for c in catalog.channels]
    cards += [_concept_card(catalog, c) for c in catalog.concepts]
    return cards


def _concept_card(catalog: Catalog, name: str) -> Card:
    import json

    c = catalog.concepts[name]
    names = _names(c.label, c.words)
    text = (f"- concept {name!r}: {c.description} Words: {', '.join(names)}. Write it as these "
            f"conditions (\"$window\" = the request's window, else {c.default_window}): "
            + json.dumps(c.conditions, ensure_ascii=False))
    return Card(name, text, _stems(name, *names), always=True, compact=text)


def _header(catalog: Catalog) -> str:
    ent = catalog.entity
    return (f"Catalog '{catalog.catalog}' version {catalog.version}. The audience is a set of "
            f"{ent.label.en} ({ent.table}.{ent.key}).\n")


def _table(qualified: str) -> str:
    return qualified.rsplit(".", 1)[0]


def _names(label: Labels | None, words: Words | None) -> list[str]:
    out = [label.en, label.fr] if label else []
    out += words.all() if words else []
    return list(dict.fromkeys(out))


def _values(values: list[Value] | None, limit: int = 6, want: set[str] | None = None) -> str:
    """The closed values with their words; with ``want``, long lists keep the named ones."""
    if not values:
        return ""
    keep = values
    if want is not None and len(values) > 8:
        keep = [v for v in values
                if want & _stems(str(v.value), *_names(v.label, v.words))]
    shown = []
    for v in keep:
        words = _names(v.label, v.words)[:limit]
        shown.append(f"{v.value!r}" + (f" ({', '.join(words)})" if words else ""))
    more = len(values) - len(keep)
    tail = f" (and {more} other values)" if more else ""
    return "; values: " + ", ".join(shown) + tail


def _stems(*texts: str) -> frozenset[str]:
    return frozenset(k for t in texts for k in keys(t) if len(k) > 1 and k not in FILLER)


def _field_card(catalog: Catalog, name: str, want: set[str] | None = None) -> Card:
    col: Column = catalog.column(name)
    table = catalog.tables[_table(name)]
    kind = _kind(col, table.frozen is not None)
    names = _names(col.label, col.synonyms)
    text = f"- field {name} ({col.type}) → kind \"{kind}\""
    if col.role:
        text += f", role {col.role}"
    if names:
        text += f"; words: {', '.join(names)}"
    head = text
    text += _values(col.values)
    compact = head + _values(col.values, want=want) if want is not None else ""
    tail = ""
    for lname, lvl in (col.levels or {}).items():
        bound = lvl.value if lvl.values is None else lvl.values
        tail += f"; level {lname}: op {lvl.op} {bound} ({', '.join(_names(lvl.label, lvl.words))})"
    if col.description:
        tail += f"; {col.description}"
    text += tail
    compact = (compact + tail) if want is not None else text
    value_words = [w for v in col.values or [] for w in _names(v.label, v.words)]
    level_words = [w for lvl in (col.levels or {}).values() for w in _names(lvl.label, lvl.words)]
    return Card(name, text, _stems(name.split(".")[-1], *names, *value_words, *level_words,
                                   *[str(v.value) for v in col.values or []]), compact=compact)


def _kind(col: Column, frozen: bool) -> str:
    if col.role == "birth_date":
        return "age"
    if col.family == "date" or col.family == "timestamp":
        return "date"
    if frozen or col.levels:
        return "score"
    return "attribute"


def _event_card(catalog: Catalog, name: str, want: set[str] | None = None) -> Card:
    ev = catalog.events[name]
    names = _names(ev.label, ev.synonyms)
    lines = [f"- event {name!r} → kind \"event\"; words: {', '.join(names)}"]
    if ev.description:
        lines[0] += f"; {ev.description}"
    short = list(lines)
    words: list[str] = list(names)
    for pname, prop in ev.properties.items():
        pnames = _names(prop.label, prop.synonyms)
        values = catalog.property_values(name, pname)
        unit = f" {prop.unit}" if prop.unit else ""
        line = f"    property {pname} ({prop.type}{unit}): {', '.join(pnames)}"
        for lname, lvl in (prop.levels or {}).items():
            bound = lvl.value if lvl.values is None else lvl.values
            lwords = _names(lvl.label, lvl.words)
            line += f"; level {lname}: filter op {lvl.op} {bound} ({', '.join(lwords)})"
            pnames = [*pnames, *lwords]
        lines.append(line + _values(values, limit=4))
        if want is not None:
            short.append(line + _values(values, limit=4, want=want))
        words += pnames + [w for v in values or [] for w in _names(v.label, v.words)]
    text = "\n".join(lines)
    return Card(name, text, _stems(name, *words), always=True,
                compact="\n".join(short) if want is not None else text)


def _channel_card(catalog: Catalog, name: str) -> Card:
    ch = catalog.channels[name]
    names = _names(ch.label, ch.words)
    contact = f", contact {ch.contact}" if ch.contact else ""
    text = (f"- channel {name!r} (rule.channel = {name!r}; adds consent {ch.consent}{contact}); "
            f"words: {', '.join(names)}")
    return Card(name, text, _stems(name, *names), always=True, compact=text)
