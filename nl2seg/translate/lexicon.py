"""The catalog's words → candidate rule fragments ("senses"), built at run time.

Nothing of a particular schema is known here: labels, synonyms, value words, score levels,
event words and channel words all come from the catalog. A value word written "non X" /
"sans X" / "no X" also teaches "X" as the negation of that value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from nl2seg.catalog.models import Catalog, Column, Labels, Value, Words
from nl2seg.translate.grammar import FILLER as _FILLER
from nl2seg.translate.normalize import keys, surface
from nl2seg.translate.numbers import MONEY, money_words

Scalar = bool | int | float | str
SenseKind = Literal["attr_value", "field", "level", "event", "prop", "prop_value", "channel",
                    "concept"]
_NEG_PREFIXES = ("non ", "non-", "sans ", "no ", "not ")
_NEGATIONS = frozenset({"non", "no", "not"})


@dataclass(frozen=True)
class Sense:
    """One possible meaning of a phrase of the request."""

    kind: SenseKind
    field: str | None = None
    event: str | None = None
    prop: str | None = None
    value: Scalar | None = None
    level: str | None = None
    negated: bool = False
    weight: int = 2
    """2 for synonyms and value words, 1 for labels and raw values."""
    implied: tuple[tuple[str, Scalar], ...] = ()
    """Property filters an event word carries ("commande annulée": status cancelled)."""


@dataclass
class Lexicon:
    entries: dict[tuple[str, ...], list[Sense]] = field(default_factory=dict)
    max_len: int = 1
    entity_words: set[tuple[str, ...]] = field(default_factory=set)
    exact: dict[tuple[str, ...], list[Sense]] = field(default_factory=dict)
    """Senses by unstemmed words, used where a stem collides with the entity's word
    ("clientes" = women, while "clients" is the audience itself)."""
    booleans: set[str] = field(default_factory=set)
    """Yes/no profile fields ("opted in to email")."""
    acronyms: set[str] = field(default_factory=set)
    """Keys of catalog words written as short capitals ("CA", "FR", "VIP"): a request must
    write them in capitals too, so « ça va » is not "CA" (revenue)."""
    measures: dict[tuple[str, ...], str] = field(default_factory=dict)
    """Phrases of a property's measure ("AOV", « ticket moyen ») → its aggregate ("avg")."""
    money: frozenset[str] = MONEY
    """The words that make a number an amount: those of the catalog's currency units."""
    proper: set[tuple[str, ...]] = field(default_factory=set)
    """Keys of one-word values read from the data ("Mexico", "Fairview"): a request must
    write them with a capital, so the city "Union" is not the word "union"."""
    surfaces: dict[str, str] = field(default_factory=dict)
    """Each word of the catalog's phrases as written (accents kept) → its key: what the
    lemma index is built from."""
    lang_keys: dict[str, frozenset[str]] = field(default_factory=dict)
    lang_words: dict[str, frozenset[str]] = field(default_factory=dict)
    """The folded words each language's phrases are written with (unstemmed)."""
    """Word keys the catalog gives in one language only ("opened", "Parisians" → en;
    "ouvert", "parisiens" → fr): evidence of the request's language."""

    def add(self, phrase: str, sense: Sense) -> None:
        if "-" in phrase and " " not in phrase.strip():
            self.add(phrase.replace("-", " "), sense)  # "Ile de France" for "Île-de-France"
        k = keys(phrase)
        if not k:
            return
        if len(k) == 1 and phrase.isupper() and len(phrase) <= 3:
            self.acronyms.add(k[0])
        self.exact.setdefault(surface(phrase), []).append(sense)
        words = phrase.lower().replace("'", " ").replace("’", " ").split()
        if len(words) == len(k):
            for word, key in zip(words, k, strict=True):
                self.surfaces.setdefault(word, key)
        bucket = self.entries.setdefault(k, [])
        same = [s for s in bucket if s == sense or (
            _ident(s) == _ident(sense) and s.weight >= sense.weight)]
        if not same:
            bucket[:] = [s for s in bucket if _ident(s) != _ident(sense)] + [sense]
        self.max_len = max(self.max_len, len(k))

    def vocabulary(self) -> set[str]:
        return {k for key in self.entries for k in key}


def _ident(s: Sense) -> tuple[object, ...]:
    return (s.kind, s.field, s.event, s.prop, s.value, s.level, s.negated, s.implied)


def _names(words: Words | None, label: Labels | None) -> list[tuple[str, int]]:
    out = [(w, 2) for w in (words.all() if words else [])]
    if label is not None:
        out += [(label.en, 1), (label.fr, 1)]
    return out


def _value_senses(lex: Lexicon, values: list[Value], make: type[Sense] | None = None,
                  **base: object) -> None:
    for v in values:
        names = _names(v.words, v.label)
        if isinstance(v.value, str) and len(v.value) > 3 and not set(keys(v.value)) & _NEGATIONS \
                and not set(keys(v.value)) <= _FILLER \
                and not any(s.weight >= 2 for s in lex.entries.get(keys(v.value), [])):
            # a raw value "none" would read "non VIP" as no card; "product" (a ticket topic)
            # would read "beauty products" as a support ticket; a raw value another field
            # teaches as a word ("Women", a category, and "women", a gender) is that word
            names.append((v.value, 1))
        for name, weight in names:
            lex.add(name, Sense(value=v.value, weight=weight, **base))  # type: ignore[arg-type]
            low = name.lower()
            for p in _NEG_PREFIXES:
                if low.startswith(p) and len(low) > len(p) + 2:
                    lex.add(name[len(p):], Sense(value=v.value, weight=weight, negated=True,
                                                 **base))  # type: ignore[arg-type]


def _column(lex: Lexicon, name: str, col: Column) -> None:
    if col.family == "boolean":
        lex.booleans.add(name)
    for phrase, w in _names(col.synonyms, col.label):
        lex.add(phrase, Sense("field", field=name, weight=w))
    if col.values:
        _value_senses(lex, col.values, kind="attr_value", field=name)
    for lname, level in (col.levels or {}).items():
        for phrase, w in _names(level.words, level.label):
            lex.add(phrase, Sense("level", field=name, level=lname, weight=w))


def _event(lex: Lexicon, catalog: Catalog, name: str) -> None:
    ev = catalog.events[name]
    value_words: dict[tuple[str, ...], tuple[str, Scalar]] = {}
    for pname, prop in ev.properties.items():
        for phrase, w in _names(prop.synonyms, prop.label):
            lex.add(phrase, Sense("prop", event=name, prop=pname, weight=w))
        values = catalog.property_values(name, pname) or []
        _value_senses(lex, values, kind="prop_value", event=name, prop=pname)
        for lname, level in (prop.levels or {}).items():
            for phrase, w in _names(level.words, level.label):
                lex.add(phrase, Sense("prop_value", event=name, prop=pname, level=lname,
                                      weight=w))
        for measure in (prop.measures or {}).values():
            for phrase, w in _names(measure.words, measure.label):
                lex.add(phrase, Sense("prop", event=name, prop=pname, weight=w + 1))
                lex.measures[keys(phrase)] = measure.aggregate
        for v in values:
            # the value's own words only, not its label: a label names a state for the
            # read-back ("open"), while "opened a ticket" is the verb that makes the event
            for phrase, _ in _names(v.words, None):
                value_words[keys(phrase)] = (pname, v.value)
    for phrase, w in _names(ev.synonyms, ev.label):
        k = keys(phrase)
        implied = tuple(pv for vk, pv in value_words.items()
                        if len(vk) < len(k) and _contains(k, vk))
        lex.add(phrase, Sense("event", event=name, weight=w, implied=implied[:1]))


def _data_values(lex: Lexicon, catalog: Catalog) -> None:
    """Values read from the data (:mod:`nl2seg.catalog.data_values`), weaker than every
    catalog word: a phrase the catalog already teaches keeps its meaning, a value made of
    filler words or digits only is skipped, a one-word value needs a capital."""
    known = set(lex.entries)
    for where, values in catalog.data_values().items():
        kind, _, name = where.partition(":")
        for value in values:
            k = keys(value)
            if not k or k in known or set(k) <= _FILLER or all(w.isdigit() for w in k) \
                    or (len(k) == 1 and len(k[0]) < 3):
                continue
            if kind == "field":
                sense = Sense("attr_value", field=name, value=value, weight=0)
            else:
                event, _, prop = name.partition(".")
                sense = Sense("prop_value", event=event, prop=prop, value=value, weight=0)
            lex.add(value, sense)
            if len(k) == 1:
                lex.proper.add(k)


def _contains(hay: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(hay[i:i + n] == needle for i in range(len(hay) - n + 1))


_CACHE: dict[int, tuple[Catalog, Lexicon]] = {}
_CACHE_SIZE = 8


def build_lexicon(catalog: Catalog) -> Lexicon:
    """Every phrase the catalog teaches, with its senses (cached per catalog object).

    The cache keeps the catalog it was built for (so an id is never reused while cached) and
    at most a few entries (a long-lived app that reloads catalogs does not grow)."""
    hit = _CACHE.get(id(catalog))
    if hit is not None and hit[0] is catalog:
        return hit[1]
    while len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    lex = Lexicon()
    for fname in catalog.profile_fields():
        _column(lex, fname, catalog.column(fname))
    for ename in catalog.events:
        _event(lex, catalog, ename)
    for name, concept in catalog.concepts.items():
        for phrase, w in _names(concept.words, concept.label):
            lex.add(phrase, Sense("concept", value=name, weight=w + 1))
    for cname, ch in catalog.channels.items():
        for phrase, w in _names(ch.words, ch.label):
            lex.add(phrase, Sense("channel", value=cname, weight=w))
    _data_values(lex, catalog)
    ent = catalog.entity.label
    table = catalog.tables[catalog.entity.table].label
    # A profile lookup's name ("households with 3+ vehicles", « dont le foyer ») speaks of
    # the customers it describes: the audience's word, not an unknown one.
    described = [t.label for t in catalog.tables.values() if t.profile and t.label]
    for phrase in [ent.en, ent.fr, *([table.en, table.fr] if table else []),
                   *(w for lab in described for w in (lab.en, lab.fr))]:
        lex.entity_words.add(keys(phrase))
        lex.entries.pop(keys(phrase), None)  # "clients" is the audience, not a value
        for entity_form in (surface(phrase), surface(phrase + "s")):
            lex.exact.pop(entity_form, None)
    lex.money = money_words(p.unit for e in catalog.events.values()
                            for p in e.properties.values() if p.unit)
    lex.lang_keys = _language_keys(catalog)
    lex.lang_words = _WRITTEN.pop(id(catalog))
    _CACHE[id(catalog)] = (catalog, lex)
    return lex


def _language_keys(catalog: Catalog) -> dict[str, frozenset[str]]:
    """Keys of every label and word list of the catalog, by language, less the shared ones."""
    found: dict[str, set[str]] = {"en": set(), "fr": set()}
    written: dict[str, set[str]] = {"en": set(), "fr": set()}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if set(node) >= {"en", "fr"}:
                for lang in ("en", "fr"):
                    v = node[lang]
                    for text in [v] if isinstance(v, str) else v if isinstance(v, list) else []:
                        if isinstance(text, str):
                            found[lang] |= set(keys(text))
                            written[lang] |= set(surface(text))
            for k, v in node.items():
                if k != "definition":  # sentences, not words a request uses
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(catalog.model_dump(mode="json"))
    both = found["en"] & found["fr"]
    _WRITTEN[id(catalog)] = {lang: frozenset(w) for lang, w in written.items()}
    return {lang: frozenset(k - both) for lang, k in found.items()}


_WRITTEN: dict[int, dict[str, frozenset[str]]] = {}
