"""The local translator: deterministic, catalog-driven, no network (issue 3 §1).

>>> import datetime as dt
>>> from nl2seg.catalog import load_catalog
>>> t = translate_local("clients VIP", load_catalog(), dt.date(2026, 6, 30))
>>> t.rule.where.field, t.rule.where.value
('crm.customers.loyalty_tier', 'vip')
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from dataclasses import replace

from pydantic import ValidationError

from nl2seg.catalog.models import Catalog
from nl2seg.concepts import concept_notes
from nl2seg.errors import RuleValidationError
from nl2seg.rule.nodes import Condition, EventCondition, Rule
from nl2seg.translate import grammar as g
from nl2seg.translate import notes, refuse, words
from nl2seg.translate.clauses import Context, Unusable, split
from nl2seg.translate.combine import combine
from nl2seg.translate.expected import stated_size_span
from nl2seg.translate.items import Item, Parsed, parse_items
from nl2seg.translate.lexicon import Lexicon, build_lexicon
from nl2seg.translate.normalize import Tok, fold, keys, tokenize
from nl2seg.translate.result import Reading, Suggestion, Translation
from nl2seg.translate.typos import fix_typos
from nl2seg.translate.words import expand_terse

NAME = "local"


def detect_lang(text: str, catalog: Catalog | None = None) -> str:
    """"fr" or "en": grammar words, accents and, with a catalog, the words it gives in one
    language only ("opened an email", "Parisians" are English). A tie is French."""
    toks = tokenize(text)
    fr = sum(t.key in g.FR_HINTS for t in toks) + sum(c in "éèêàçùâîô" for c in text.lower())
    en = sum(t.key in g.EN_HINTS for t in toks)
    if catalog is not None:
        lang_keys = build_lexicon(catalog).lang_keys
        fr += sum(t.key in lang_keys["fr"] for t in toks)
        en += sum(t.key in lang_keys["en"] for t in toks)
    return "en" if en > fr else "fr"


_OF = frozenset({"de", "du", "des", "of", "from", "d"})
_DET = frozenset({"la", "le", "l", "the", "a", "an", "une", "un", "cette", "this", "that"})


def _activation(items: list[Item], toks: list[Tok] | None = None) -> tuple[str | None,
                                                                         list[Item]]:
    """"pour une campagne SMS": the channel word next to an activation word. "un email de
    la campagne promo" names a campaign the customers received, not the audience's channel."""
    triggers = [i for i in items if i.kind == "activate" or (
        i.kind == "lex" and all(k in g.ACTIVATE for k in keys(i.text)))]
    named = {id(t) for t in triggers for x in items if x.kind == "lex" and x.j == t.i
             and any(s.kind == "prop_value" for s in x.senses)}
    triggers = [t for t in triggers if id(t) not in named]  # "a loyalty-campaign email"
    if toks is not None:
        def owned(a: Item) -> bool:
            k = a.i - 1
            while k >= 0 and toks[k].word in _DET:
                k -= 1
            return k >= 0 and toks[k].word in _OF
        triggers = [a for a in triggers if not owned(a)]
    for a in triggers:
        near = [i for i in items if i.kind == "lex" and i is not a and (
            0 <= i.i - a.j <= 2 or 0 <= a.i - i.j <= 2)]
        for it in near:
            ch = [s for s in it.senses if s.kind == "channel"]
            if ch:
                return str(ch[0].value), [i for i in items if i is not a and i is not it]
    if toks is not None:
        for it in items:  # "à reconquérir par SMS", "for a push notification:", "via email"
            ch = [s for s in it.senses if s.kind == "channel"] if it.kind == "lex" else []
            k = it.i - 1
            while k >= 0 and toks[k].word in _DET:
                k -= 1
            framed = k < it.i - 1 and k >= 0 and toks[k].word in {"for", "pour"}
            if not ch or (len(it.senses) != len(ch) and not framed):
                continue  # "for an email:" names the channel even though "email" is more
            if k >= 0 and toks[k].word in _BY and not any(
                    x.kind == "lex" and x.i > it.j for x in items if x.i - it.j <= 1
                    and x.i >= it.j and any(s.kind == "event" for s in x.senses)):
                return str(ch[0].value), [i for i in items if i is not it]
    return None, items


_BY = frozenset({"par", "by", "for", "pour", "via"})


def _sense_id(s: object) -> tuple[object, ...]:
    return tuple(getattr(s, f) for f in ("kind", "field", "event", "prop", "value", "level"))


def _merge_value_alternatives(items: list[Item], toks: list[Tok]) -> list[Item]:
    """"gold ou VIP", "gold and VIP members", « de Lyon ou de Marseille avec l'opt-in SMS »:
    two values of one field joined by "or" or "and" (filler words between them allowed) are
    that field's value list, not a split of the whole request into two audiences: the "or"
    binds tighter than "avec" / "with" / "and" around it."""
    def fields(it: Item) -> set[str | None]:
        if it.kind != "lex":
            return set()
        return {s.field for s in it.senses if s.kind == "attr_value"} | {
            f"prop:{s.event}.{s.prop}" for s in it.senses if s.kind == "prop_value"}

    drop: set[int] = set()
    for n, (a, o) in enumerate(itertools.pairwise(items)):
        rest = items[n + 2:]
        name: Item | None = None
        if len(rest) >= 2 and _names_field(rest[0], a):
            name, rest = rest[0], rest[1:]  # "Dermalys ou de la marque Éclat Pur"
        if not rest:
            continue
        b = rest[0]
        joins = o.kind == "or" or (o.kind == "and" and keys(o.text) in {
            ("and",), ("et",), ("+",), ("&",)})
        common = fields(a) & fields(b) - {None}
        if o.kind == "and":  # "in store and online": two purchases, not either channel
            common = {f for f in common if f is not None and not f.startswith("prop:")}
        # "Dermalys ou de la marque Éclat Pur": the field's own name may stand between
        label = frozenset(t.key for t in toks[name.i:name.j]) if name is not None else frozenset()
        if joins and _only_filler(toks, a.j, o.i) and _only_filler(toks, o.j, b.i, label) \
                and common:
            drop.add(id(o))  # "gold and VIP members": one customer has one tier: either
            if name is not None:
                drop.add(id(name))
            b.joined = a.joined or a  # "a store in Paris or Lyon": one reading for both
    return [i for i in items if id(i) not in drop]


def _names_field(it: Item, value: Item) -> bool:
    """Is ``it`` only the name of the field or property ``value`` is a value of?"""
    if it.kind != "lex" or not it.senses or value.kind != "lex":
        return False
    props = {(s.event, s.prop) for s in value.senses if s.kind == "prop_value"}
    cols = {s.field for s in value.senses if s.kind == "attr_value"}
    return all((s.kind == "prop" and (s.event, s.prop) in props) or (
        s.kind == "field" and s.field in cols) for s in it.senses)


def _only_filler(toks: list[Tok], i: int, j: int, also: frozenset[str] = frozenset()) -> bool:
    return all((t.key in g.FILLER and t.key not in _NOT_FILLER) or t.key in also
               for t in toks[i:j])


_NOT_FILLER = frozenset({"qui", "who", "that", "dont", "ayant", "having", "with", "avec"})


class LocalTranslator:
    """Catalog-driven semantic parser implementing :class:`~nl2seg.translate.Translator`."""

    name = NAME

    def translate(self, request: str, catalog: Catalog, as_of: dt.date) -> Translation:
        return translate_local(request, catalog, as_of)


def translate_local(request: str, catalog: Catalog, as_of: dt.date) -> Translation:
    t0 = time.perf_counter()
    lang = detect_lang(request, catalog)
    out = _translate(request, catalog, as_of, lang)
    out.latency_ms = (time.perf_counter() - t0) * 1000
    return out


def _refusal(lang: str, reason: str, unmapped: list[str] | None = None,
             assumptions: list[str] | None = None, suggestions: list[Suggestion] | None = None,
             partial: Rule | None = None) -> Translation:
    return Translation(refused=True, refusal_reason=reason, lang=lang,
                       unmapped=unmapped or [], assumptions=assumptions or [],
                       translator=NAME, suggestions=suggestions or [], partial=partial)


class _Run:
    """One translation's passes over the tokens: repair the words, set aside the framing,
    build the condition; and, for a refusal, the suggestions and the partial reading."""

    def __init__(self, request: str, catalog: Catalog, as_of: dt.date, lang: str,
                 lex: Lexicon) -> None:
        self.request, self.catalog, self.as_of, self.lang, self.lex = (
            request, catalog, as_of, lang, lex)
        self.vocab = _vocabulary(lex)
        self._parsed: dict[tuple[tuple[str, str, int], ...], Parsed] = {}

    def parse(self, toks: list[Tok]) -> Parsed:
        """``parse_items`` once per token list (the passes ask again after no change)."""
        key = tuple((t.key, t.word, t.start) for t in toks)
        hit = self._parsed.get(key)
        if hit is None:
            hit = self._parsed[key] = parse_items(toks, self.lex, self.as_of, self.lang)
        return Parsed([replace(i) for i in hit.items], list(hit.unmapped))

    def unknown(self, toks: list[Tok]) -> list[str]:
        return self.parse(toks).unmapped

    def repair(self, toks: list[Tok]) -> tuple[list[Tok], list[tuple[str, str]]]:
        """Lemmas first ("dépensent" is "dépenser"), then one-edit typos ("achté")."""
        unknown = set(self.unknown(toks))
        if not unknown:
            return toks, []
        if any("-" in u for u in unknown):
            toks = words.split_hyphens(toks, unknown)
            unknown = set(self.unknown(toks))
        toks, lemmas = words.fix_lemmas(toks, unknown, self._lemmas(), self.lang)
        unknown = set(self.unknown(toks)) if lemmas else unknown
        fixed: list[tuple[str, str]] = []  # a conjugated form read as its verb is no typo
        if unknown:
            lex = self.lex

            def covers(a: str, b: str) -> bool:
                sa, sb = lex.entries.get((a,)), lex.entries.get((b,))
                return bool(sa) and bool(sb) and {_sense_id(x) for x in sa or []} >= {
                    _sense_id(x) for x in sb or []}

            real = {u for u in unknown if words.is_word(u, self.lang)}
            toks, typos = fix_typos(toks, self.vocab, unknown - real, covers,
                                    weak=frozenset(g.FILLER))
            fixed += typos
        return toks, fixed

    def _lemmas(self) -> dict[str, str]:
        idx = _LEMMAS.get(id(self.lex))
        if idx is None or idx[0] is not self.lex:
            pairs = [*self.lex.surfaces.items(), *g.SOURCE_WORDS.items()]
            idx = (self.lex, words.lemma_index(pairs))
            _LEMMAS[id(self.lex)] = idx
        return idx[1]

    def set_aside(self, toks: list[Tok]) -> tuple[list[Tok], list[str]]:
        """Unknown stop words and framing (« j'aimerais la liste des », "can you"), and any
        unknown word of a name before a colon that opens a definition: removed."""
        unknown = set(self.unknown(toks))
        if not unknown:
            return toks, []
        cut = words.framing_span(toks)
        drop = [n for n, t in enumerate(toks) if t.surface in unknown and (
            n < cut or words.ignorable(t.surface, self.lang))]
        if not drop:
            return toks, []
        gone = set(drop)
        return [t for n, t in enumerate(toks) if n not in gone], [toks[n].surface for n in drop]

    def build(self, toks: list[Tok], flips: frozenset[str] = frozenset()
              ) -> tuple[Condition | None, list[str], str | None, list[str], Context]:
        parsed = self.parse(toks)
        channel, items = _activation(parsed.items, toks)
        items = _merge_value_alternatives(items, toks)
        raw: list[str] = []
        ctx = Context(self.catalog, self.request, [(t.start, t.end) for t in toks], notes=raw,
                      as_of=self.as_of, lang=self.lang, flips=flips,
                      measures=self.lex.measures)
        where, leftovers = combine(split(items), ctx)
        named = _named_fields(where)
        unmapped = parsed.unmapped + [
            i.text for i in leftovers if i.kind not in {"and", "or", "activate"}
            and not all(k in g.FILLER for k in keys(i.text))  # "produits", "from": filler
            and not _names_a_used_field(i, named)  # "born in" Mexico, "brand" X
            and not _object_of_event(i, items, leftovers)]  # "returned 2 web orders"
        return where, unmapped, channel, raw, ctx

    def alternatives(self, toks: list[Tok], rule: Rule, ctx: Context) -> list[Reading]:
        """The other reading at each choice point the build met, one point at a time."""
        from nl2seg.rule.canonical import canonical
        from nl2seg.validate import validate

        out: list[Reading] = []
        seen = [canonical(rule)]
        for key, why in ctx.choices.items():
            try:
                where, unmapped, channel, _, _ = self.build(toks, frozenset({key}))
                if where is None or unmapped:
                    continue
                alt = Rule(where=where, channel=channel, request=self.request)
                validate(alt, self.catalog, self.as_of)
            except (Unusable, RuleValidationError, ValueError):
                continue
            if canonical(alt) not in seen:
                seen.append(canonical(alt))
                out.append(Reading(rule=alt, why=why))
        return out[:3]

    def suggest(self, unknown: list[str]) -> list[Suggestion]:
        terms = catalog_terms(self.catalog, self.lang)
        return [Suggestion(word=w, candidates=words.nearest(w, terms)) for w in unknown]

    def partial(self, toks: list[Tok], unknown: set[str]) -> Rule | None:
        """The rule the rest of the request gives without the unknown words, if any."""
        from nl2seg.validate import validate

        rest = [t for t in toks if t.surface not in unknown
                and not any(t.surface in u.split() for u in unknown)]
        if not rest or len(rest) == len(toks):
            return None
        try:
            where, unmapped, channel, _, _ = self.build(rest)
            if where is None or unmapped:
                return None
            rule = Rule(where=where, channel=channel, request=self.request)
            validate(rule, self.catalog, self.as_of)
        except (Unusable, RuleValidationError, ValueError):
            return None
        return rule


def _named_fields(where: Condition | None) -> set[str]:
    """The profile fields and event properties (``event.prop``) the built condition uses."""
    from nl2seg.rule.nodes import walk

    out: set[str] = set()
    for node in walk(where) if where is not None else []:
        field = getattr(node, "field", None)
        if isinstance(field, str):
            out.add(field)
        if isinstance(node, EventCondition):
            out.update(f"{node.event}.{f.property}" for f in node.filters)
    return out


def _object_of_event(item: Item, items: list[Item], leftovers: list[Item]) -> bool:
    """Another event's noun right after an event's verb is what the verb acts on
    ("returned a web order", « retourné 2 commandes catalogue »): the return is the event;
    "order" only says what was returned."""
    if item.kind != "lex" or not item.senses or any(s.kind != "event" for s in item.senses):
        return False
    own = {s.event for s in item.senses}
    left = {id(x) for x in leftovers}
    return any(x.kind == "lex" and id(x) not in left and x.j <= item.i <= x.j + 3
               and any(s.kind == "event" and s.event not in own for s in x.senses)
               for x in items)


def _names_a_used_field(item: Item, named: set[str]) -> bool:
    """A field word left over next to its own value ("born in Mexico", « la marque X »):
    the value already says the field, so the word is redundant, not unknown."""
    if item.kind != "lex" or not item.senses:
        return False
    return all((s.kind == "field" and s.field in named)
               or (s.kind == "prop" and f"{s.event}.{s.prop}" in named)
               for s in item.senses)


_LEMMAS: dict[int, tuple[Lexicon, dict[str, str]]] = {}
_VOCAB: dict[int, tuple[Lexicon, set[str]]] = {}


def _vocabulary(lex: Lexicon) -> set[str]:
    hit = _VOCAB.get(id(lex))
    if hit is None or hit[0] is not lex:
        from nl2seg.translate.timeexpr import MONTHS, UNITS

        hit = _VOCAB[id(lex)] = (lex, lex.vocabulary() | g.FILLER | set(UNITS) | set(MONTHS) | {
            k for w in lex.entity_words for k in w} | {
            k for s in _grammar_seqs() for k in s})
    return hit[1]


def catalog_terms(catalog: Catalog, lang: str) -> list[str]:
    """The catalog's phrases in one language (labels and words): what a suggestion offers."""
    hit = _TERMS.get((id(catalog), lang))
    if hit is not None and hit[0] is catalog:
        return hit[1]
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if set(node) >= {"en", "fr"}:
                v = node[lang]
                for text in [v] if isinstance(v, str) else v if isinstance(v, list) else []:
                    if isinstance(text, str) and len(text) < 40:
                        found.append(text)
            for k, v in node.items():
                if k not in {"definition", "description"}:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(catalog.model_dump(mode="json"))
    terms = list(dict.fromkeys(found))
    _TERMS[(id(catalog), lang)] = (catalog, terms)
    return terms


_TERMS: dict[tuple[int, str], tuple[Catalog, list[str]]] = {}


def _translate(request: str, catalog: Catalog, as_of: dt.date, lang: str) -> Translation:
    if not fold(request).strip(" .?!"):
        return _refusal(lang, refuse.message("empty", lang))
    if refuse.hostile(request):
        return _refusal(lang, refuse.message("hostile", lang))
    units = {p.unit.upper() for e in catalog.events.values() for p in e.properties.values()
             if p.unit}
    foreign = refuse.other_currency(request, units)
    if foreign is not None:
        unit = ", ".join(sorted(units))
        return _refusal(lang, refuse.message("currency", lang, x=foreign, unit=unit), [foreign])
    lex = build_lexicon(catalog)
    size = stated_size_span(request)
    if size is not None:  # "environ 10 000 clients": for the size check, not a condition
        request_words = request[:size[1]] + " " * (size[2] - size[1]) + request[size[2]:]
        if not fold(request_words).strip(" .,?!"):
            return _refusal(lang, refuse.message("nothing", lang, text=request.strip()))
    else:
        request_words = request
    toks = expand_terse(tokenize(request_words))
    run = _Run(request, catalog, as_of, lang, lex)
    toks, fixed = run.repair(toks)
    toks, set_aside = run.set_aside(toks)
    try:
        where, unmapped, channel, raw, ctx = run.build(toks)
    except ValidationError as exc:  # a reading the rule model rejects: say so, never crash
        return _refusal(lang, refuse.message("invalid", lang, x=_first_error(exc)))
    except Unusable as exc:
        return _refusal(lang, refuse.message("unknown", lang, words=f'"{exc}"'), [str(exc)],
                        suggestions=run.suggest([str(exc)]),
                        partial=run.partial(toks, {str(exc)}))
    assumptions = [notes.note("typo", lang, x=x, y=y) for x, y in fixed if x != y]
    if set_aside:
        assumptions.append(notes.note("set_aside", lang, x=refuse.quote(set_aside, lang)))
    if unmapped:
        return _refusal(lang, refuse.message("unknown", lang, words=refuse.quote(unmapped, lang)),
                        unmapped, assumptions, suggestions=run.suggest(unmapped),
                        partial=run.partial(toks, set(unmapped)))
    if where is None:
        return _refusal(lang, refuse.message("nothing", lang, text=request.strip()))
    rule = Rule(where=where, channel=channel, request=request)
    from nl2seg.validate import validate

    try:
        validate(rule, catalog, as_of)
    except RuleValidationError as exc:
        return _refusal(lang, str(exc), assumptions=assumptions)
    assumptions += notes.window_notes(rule, as_of, lang) + notes.expand(raw, lang)
    assumptions += notes.event_notes(catalog, ctx.used_events, lang)
    assumptions += concept_notes(catalog, ctx.used_concepts, lang)
    if size is not None:
        assumptions.append(notes.note("size", lang, x=request[size[1]:size[2]].strip(),
                                      y=f"{size[0]:,}".replace(",", "\u202f")))
    return Translation(rule=rule, lang=lang, assumptions=assumptions, translator=NAME,
                       expected_size=size[0] if size else None,
                       alternatives=run.alternatives(toks, rule, ctx))


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}"


def _grammar_seqs() -> list[tuple[str, ...]]:
    groups = [g.AND, g.OR, g.EXCLUDE, g.NEVER, g.NOT, g.UPWARD, g.ACTIVE, g.INACTIVE, g.NEW,
              g.AVG, g.SUM, g.FIRST, g.LAST, g.AGE_UNITS, *[(s for s, _ in g.COMPARATORS)]]
    return [s for grp in groups for s in grp]
