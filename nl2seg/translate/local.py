"""The local translator: deterministic, catalog-driven, no network (issue 3 §1).

>>> import datetime as dt
>>> from nl2seg.catalog import load_catalog
>>> t = translate_local("clients VIP", load_catalog(), dt.date(2026, 6, 30))
>>> t.rule.where.field, t.rule.where.value
('crm.customers.loyalty_tier', 'vip')
"""

from __future__ import annotations

import datetime as dt
import time

from nl2seg.catalog.models import Catalog
from nl2seg.errors import RuleValidationError
from nl2seg.rule.nodes import Rule
from nl2seg.translate import grammar as g
from nl2seg.translate import notes, refuse
from nl2seg.translate.build import Context, Unusable, combine, split
from nl2seg.translate.expected import stated_size_span
from nl2seg.translate.items import Item, parse_items
from nl2seg.translate.lexicon import build_lexicon
from nl2seg.translate.normalize import Tok, fold, keys, tokenize
from nl2seg.translate.result import Translation
from nl2seg.translate.typos import fix_typos

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
    return None, items


def _sense_id(s: object) -> tuple[object, ...]:
    return tuple(getattr(s, f) for f in ("kind", "field", "event", "prop", "value", "level"))


def _merge_value_alternatives(items: list[Item]) -> list[Item]:
    """"gold ou VIP", "gold and VIP members": two values of one field joined by "or" or
    "and" are that field's value list, not a split of the whole request into two audiences."""
    def fields(it: Item) -> set[str | None]:
        return {s.field for s in it.senses if s.kind == "attr_value"} if it.kind == "lex" \
            else set()

    drop: set[int] = set()
    for a, o, b in zip(items, items[1:], items[2:], strict=False):
        joins = o.kind == "or" or (o.kind == "and" and keys(o.text) in {("and",), ("et",)})
        if joins and a.j == o.i and o.j == b.i and fields(a) & fields(b) - {None}:
            drop.add(id(o))  # "gold and VIP members": one customer has one tier: either
    return [i for i in items if id(i) not in drop]


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
             assumptions: list[str] | None = None) -> Translation:
    return Translation(refused=True, refusal_reason=reason, lang=lang,
                       unmapped=unmapped or [], assumptions=assumptions or [],
                       translator=NAME)


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
    toks = tokenize(request_words)
    vocab = lex.vocabulary() | g.FILLER | {k for s in _grammar_seqs() for k in s}
    raw: list[str] = []
    parsed = parse_items(toks, lex, as_of, lang)
    fixed: list[tuple[str, str]] = []
    if parsed.unmapped:
        def covers(a: str, b: str) -> bool:
            sa, sb = lex.entries.get((a,)), lex.entries.get((b,))
            return bool(sa) and bool(sb) and {_sense_id(x) for x in sa or []} >= {
                _sense_id(x) for x in sb or []}

        toks, fixed = fix_typos(toks, vocab, set(parsed.unmapped), covers,
                                weak=frozenset(g.FILLER))
        if fixed:
            parsed = parse_items(toks, lex, as_of, lang)
    channel, items = _activation(parsed.items, toks)
    items = _merge_value_alternatives(items)
    ctx = Context(catalog, request, [(t.start, t.end) for t in toks], notes=raw)
    try:
        where, leftovers = combine(split(items), ctx)
    except Unusable as exc:
        return _refusal(lang, refuse.message("unknown", lang, words=f'"{exc}"'), [str(exc)])
    unmapped = parsed.unmapped + [
        i.text for i in leftovers if i.kind not in {"and", "or"}
        and not all(k in g.FILLER for k in keys(i.text))]  # "produits", "from": filler too
    assumptions = [notes.note("typo", lang, x=x, y=y) for x, y in fixed]
    if unmapped:
        return _refusal(lang, refuse.message("unknown", lang, words=refuse.quote(unmapped, lang)),
                        unmapped, assumptions)
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
    if size is not None:
        assumptions.append(notes.note("size", lang, x=request[size[1]:size[2]].strip(),
                                      y=f"{size[0]:,}".replace(",", "\u202f")))
    return Translation(rule=rule, lang=lang, assumptions=assumptions, translator=NAME,
                       expected_size=size[0] if size else None)


def _grammar_seqs() -> list[tuple[str, ...]]:
    groups = [g.AND, g.OR, g.EXCLUDE, g.NEVER, g.NOT, g.UPWARD, g.ACTIVE, g.INACTIVE, g.NEW,
              g.AVG, g.SUM, g.FIRST, g.LAST, g.AGE_UNITS, *[(s for s, _ in g.COMPARATORS)]]
    return [s for grp in groups for s in grp]
