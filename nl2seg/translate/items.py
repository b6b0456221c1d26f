"""Tokens → items: the request as a sequence of meaningful pieces (times, quantities,
catalog senses, connectors, negations, lifecycle and aggregate words), plus leftovers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Literal

from nl2seg.rule.nodes import Window
from nl2seg.translate import grammar as g
from nl2seg.translate.lexicon import Lexicon, Sense
from nl2seg.translate.normalize import Tok
from nl2seg.translate.numbers import Num, find_numbers
from nl2seg.translate.timeexpr import find_times

ItemKind = Literal["time", "qty", "lex", "and", "or", "excl", "never", "not", "active",
                   "inactive", "new", "avg", "sum", "first", "last", "upward", "activate",
                   "times", "same_period", "before_that", "pronoun"]


@dataclass
class Item:
    kind: ItemKind
    i: int
    j: int
    text: str
    window: Window | None = None
    op: str = "eq"
    value: float | None = None
    values: tuple[float, float] | None = None
    unit: str | None = None
    """Quantities: "money", "age", "count" or None."""
    explicit_op: bool = False
    senses: list[Sense] = field(default_factory=list)
    joined: Item | None = None
    """The first value of a list this one was said with ("Paris or Lyon"): read alike."""
    after_rel: bool = False
    """A relative pronoun ("who", « qui ») stands in the three words before it."""
    opens: bool = False
    """Words before it open a clause of its own: « …, dont au moins une fois en ligne »,
    "…, VIPs excluded" (set on the item that starts the new clause)."""
    excluded: bool = False
    """Followed by "excluded" / « exclus »: the clause it ends is removed from the audience."""
    relative: bool = False
    """A negation right after "who" / "qui" ("active customers who aren't members"): it opens
    a clause of its own."""
    comma: bool = False
    """A comma stands before it ("repeat buyers or omnichannel shoppers, women only")."""


@dataclass
class Parsed:
    items: list[Item]
    unmapped: list[str]


class _Claims:
    def __init__(self, toks: list[Tok]) -> None:
        self.toks = toks
        self.keys = [t.key for t in toks]
        self.used = [False] * len(toks)
        self.items: list[Item] = []

    def free(self, i: int, j: int) -> bool:
        return 0 <= i <= j <= len(self.toks) and not any(self.used[i:j])

    def text(self, i: int, j: int) -> str:
        return " ".join(t.surface for t in self.toks[i:j]).replace("' ", "'")

    def claim(self, item: Item) -> Item:
        for x in range(item.i, item.j):
            self.used[x] = True
        self.items.append(item)
        return item

    def seq_at(self, i: int, seqs: tuple[tuple[str, ...], ...]) -> int:
        """Length of the longest of ``seqs`` starting at ``i`` on free tokens (0 if none)."""
        for s in seqs:
            if tuple(self.keys[i:i + len(s)]) == s and self.free(i, i + len(s)):
                return len(s)
        return 0

    def seq_before(self, end: int, seqs: tuple[tuple[str, ...], ...]) -> int:
        for s in seqs:
            st = end - len(s)
            if st >= 0 and tuple(self.keys[st:end]) == s and self.free(st, end):
                return st
        return -1


def _quantities(c: _Claims, nums: list[Num]) -> None:
    k = c.keys
    pending = [n for n in nums if c.free(n.i, n.j)]
    skip: set[int] = set()
    for idx, n in enumerate(pending):
        if n.i in skip:
            continue
        start, end = n.i, n.j
        op, explicit = "eq", False
        values: tuple[float, float] | None = None
        money = n.money
        nxt = pending[idx + 1] if idx + 1 < len(pending) else None
        mid = c.seq_at(end, g.BETWEEN[1])
        if (nxt is not None and mid and nxt.i == end + mid) or (
                nxt is not None and nxt.i == end and c.toks[nxt.i].gap.strip() == "-"):
            assert nxt is not None
            st = c.seq_before(start, g.BETWEEN[0])
            to = c.toks[end].word in _TO and nxt.value > n.value  # "aged 35 to 50", "2 à 5"
            if st >= 0 or c.toks[nxt.i].gap.strip() == "-" or to:
                values = (n.value, nxt.value)
                op, explicit, money = "between", True, money or nxt.money
                start = st if st >= 0 else start
                end = nxt.j
                skip.add(nxt.i)
        if values is None:
            for s, o in g.COMPARATORS:
                st = end - (end - start) - len(s)
                if st >= 0 and tuple(k[st:start]) == s and c.free(st, start):
                    op, explicit, start = o, True, st
                    break
            for s, o in g.SUFFIX_OPS:
                if tuple(k[end:end + len(s)]) == s and c.free(end, end + len(s)):
                    if not explicit:
                        op, explicit = o, True
                    end += len(s)
                    break
        unit: str | None = "money" if money else None
        if n.times:
            unit = "count"
        elif k[end:end + 1] and k[end] in g.TIMES:
            unit, end = "count", end + 1
        elif (a := c.seq_at(end, g.AGE_UNITS)):
            unit, end = "age", end + a
        for s, o in g.SUFFIX_OPS:
            if unit and tuple(k[end:end + len(s)]) == s and c.free(end, end + len(s)):
                if not explicit:
                    op, explicit = o, True
                end += len(s)
                break
        if not explicit and end < len(k) and not c.toks[end].is_digit:
            # "a dozen purchases or more", « 3 personnes à charge ou plus »: the noun (up to
            # three words, no number or connector) between the number and its direction
            for gap in (1, 2, 3):
                noun = c.toks[end:end + gap]
                if len(noun) < gap or any(t.is_digit or t.key in _JOINS for t in noun):
                    break
                hit = next(((s, o) for s, o in g.SUFFIX_OPS if len(s) > 1
                            and tuple(k[end + gap:end + gap + len(s)]) == s
                            and c.free(end + gap, end + gap + len(s))), None)
                if hit is not None:
                    op, explicit = hit[1], True
                    for x in range(end + gap, end + gap + len(hit[0])):
                        c.used[x] = True
                    break
        if n.single and not explicit:
            op, explicit = "eq", True  # "une seule fois": exactly once, not "at least"
        if op == "eq" and not explicit and unit is None:
            continue
        c.claim(Item("qty", start, end, c.text(start, end), op=op, value=n.value if values
                     is None else None, values=values, unit=unit, explicit_op=explicit))


_TO = frozenset({"to", "a", "à"})
_JOINS = frozenset({"and", "or", "et", "ou", "with", "avec"})

_WORD_ITEMS: tuple[tuple[ItemKind, tuple[tuple[str, ...], ...]], ...] = (
    ("excl", g.EXCLUDE), ("never", g.NEVER), ("upward", g.UPWARD), ("inactive", g.INACTIVE),
    ("active", g.ACTIVE), ("new", g.NEW), ("avg", g.AVG), ("sum", g.SUM), ("first", g.FIRST),
    ("last", g.LAST), ("or", g.OR), ("and", g.AND), ("not", g.NOT),
)


def _lexicon(c: _Claims, lex: Lexicon, lang: str = "fr") -> None:
    other = "en" if lang == "fr" else "fr"
    foreign = lex.lang_keys.get(other, frozenset())
    written = lex.lang_words.get(other, frozenset())
    i = 0
    while i < len(c.toks):
        for n in range(min(lex.max_len, len(c.toks) - i), 0, -1):
            key = tuple(c.keys[i:i + n])
            senses = lex.entries.get(key)
            if senses and n > 1 and _longer_inside(c, lex, i, n):
                senses = None  # « à risque modéré d'attrition »: the longer phrase wins
            if senses is None and key in lex.entity_words:
                senses = lex.exact.get(tuple(t.word for t in c.toks[i:i + n]))
            if senses and n == 1 and c.keys[i] in lex.acronyms and not c.toks[i].surface.isupper() \
                    and c.toks[i].surface.lower() != c.toks[i].word:
                senses = None  # « ça » is not "CA"; "ca" or "Ca" typed without accent still is
            if senses and len(senses) > 1:  # "Mrs" and "Mr" stem alike: the word as written
                written_as = lex.exact.get(tuple(t.word for t in c.toks[i:i + n]))
                if written_as and 0 < len(set(written_as) & set(senses)) < len(senses):
                    senses = [x for x in senses if x in written_as]
            if senses and n == 1 and key in lex.proper and not c.toks[i].surface[:1].isupper():
                senses = None  # a value read from the data ("Union") is a name, capitalised
            if senses and n == 1 and c.keys[i] in foreign and c.toks[i].word not in written:
                senses = None  # « revenu » (income) only stems like the English "revenue"
            if senses and c.free(i, i + n) and not (n == 1 and c.keys[i] in _WEAK):
                c.claim(Item("lex", i, i + n, c.text(i, i + n), senses=list(senses)))
                i += n
                break
        else:
            i += 1


def _longer_inside(c: _Claims, lex: Lexicon, i: int, n: int) -> bool:
    """Does a longer catalog phrase start inside ``[i, i + n)`` and end after it?"""
    for s in range(i + 1, i + n):
        for m in range(min(lex.max_len, len(c.toks) - s), n, -1):
            if s + m > i + n and tuple(c.keys[s:s + m]) in lex.entries:
                return True
    return False


_POSSESSIVES = frozenset({"nos", "vos"})
_WEAK = frozenset({"a", "an", "de", "en", "la", "le", "in", "on", "of"})
_DETERMINERS = frozenset({"their", "his", "her", "the", "a", "an", "leur", "leurs", "son", "sa",
                          "ses", "le", "la", "les", "un", "une"})
_LINKS = frozenset({"de", "du", "des", "d", "of", "to", "a", "au", "aux"})
"""Words that join a phrase's own parts ("programme de fidélité"), never its gap's object."""


def _non_prefix(c: _Claims, lex: Lexicon) -> None:
    """"non VIP", "non-parisiens", "non inscrits à la newsletter": "non" right before a value
    or a yes/no field negates that word only (not its clause: "clients non VIP qui ont
    acheté" still bought). Values written "non X" in the catalog are matched before this."""
    for it in c.items:
        i = it.i - 1
        if it.kind != "lex" or i < 0 or c.toks[i].word not in {"non", "ni", "nor"} \
                or c.used[i]:  # "ni gold ni VIP": each value negated
            continue
        own = [s for s in it.senses if s.kind == "attr_value" or (
            s.kind == "field" and s.field in lex.booleans)]
        if not own:
            continue
        it.senses = [replace(s, negated=not s.negated) for s in own]
        it.i, it.text = i, c.text(i, it.j)
        c.used[i] = True


def _gapped(c: _Claims, lex: Lexicon) -> None:
    """A phrase split by its object: "added shoes to their cart", "ajouté des chaussures au
    panier" read as "added to cart" + "shoes". The head words (still unclaimed) become the
    item; the words the gap holds stay free for their own meaning; the tail is consumed."""
    present = set(c.keys)
    text = " ".join(c.keys)
    for key, senses in _gappable(lex):
        if key[0] not in present or " ".join(key) in text:
            continue  # said whole somewhere: the lexicon reads it there
        for i in range(len(c.toks)):
            for m in range(1, len(key)):
                if tuple(c.keys[i:i + m]) != key[:m] or not c.free(i, i + m) \
                        or all(k in g.FILLER for k in key[:m]) \
                        or tuple(c.keys[i:i + m]) in lex.entity_words \
                        or (m == 1 and (c.keys[i],) in lex.entity_words):
                    continue
                tail = _tail_at(c, i + m, key[m:])
                if tail is not None and any(k not in _DETERMINERS and k not in _LINKS
                                            for k in c.keys[i + m:tail[0]]):
                    c.claim(Item("lex", i, i + m, c.text(i, i + m), senses=list(senses)))
                    for x in tail:
                        c.used[x] = True
                    break


_GAPPABLE: dict[int, tuple[Lexicon, list[tuple[tuple[str, ...], list[Sense]]]]] = {}


def _gappable(lex: Lexicon) -> list[tuple[tuple[str, ...], list[Sense]]]:
    """The lexicon's phrases an object may split ("ajouté … au panier"), once per lexicon."""
    hit = _GAPPABLE.get(id(lex))
    if hit is None or hit[0] is not lex:
        hit = _GAPPABLE[id(lex)] = (lex, [
            (k, v) for k, v in lex.entries.items()
            if len(k) >= 2 and all(s.kind in {"prop_value", "event"} for s in v)])
    return hit[1]


def _tail_at(c: _Claims, start: int, tail: tuple[str, ...]) -> list[int] | None:
    for gap in range(1, 4):
        pos, got = start + gap, []
        for word in tail:
            while pos < len(c.keys) and c.keys[pos] in _DETERMINERS and c.keys[pos] != word:
                pos += 1
            if pos < len(c.keys) and c.keys[pos] == word and c.free(pos, pos + 1):
                got.append(pos)
                pos += 1
            else:
                break
        else:
            return got
    return None


def _words(c: _Claims) -> None:
    for i in range(len(c.toks)):
        if not c.free(i, i + 1):
            continue
        for kind, seqs in _WORD_ITEMS:
            n = c.seq_at(i, seqs)
            if n and kind == "not" and c.toks[i].word in _POSSESSIVES:
                continue  # "nos clientes": stems like "no", means "our"
            if n:
                c.claim(Item(kind, i, i + n, c.text(i, i + n)))
                break
        else:
            if c.keys[i] in g.ACTIVATE:
                c.claim(Item("activate", i, i + 1, c.text(i, i + 1)))


_CONNECTORS = {"en": (("or", g.seqs("or")), ("and", g.seqs("and"))),
               "fr": (("or", g.seqs("ou")), ("and", g.seqs("et")))}


def parse_items(toks: list[Tok], lex: Lexicon, as_of: dt.date, lang: str) -> Parsed:
    c = _Claims(toks)
    _back_references(c)
    nums = find_numbers(toks, lex.money)
    for h in find_times(toks, nums, as_of):
        if c.free(h.i, h.j):
            c.claim(Item("time", h.i, h.j, c.text(h.i, h.j), window=h.window))
    _quantities(c, nums)
    # grammar phrases that a catalog word could swallow go first ("sans carte" stays lexicon)
    for i in range(len(toks)):
        for kind, seqs in (("excl", g.EXCLUDE), ("never", g.NEVER), ("upward", g.UPWARD)):
            n = c.seq_at(i, seqs)
            if n > 1:
                c.claim(Item(kind, i, i + n, c.text(i, i + n)))  # type: ignore[arg-type]
    for i in range(len(toks)):
        for kind, seqs in _CONNECTORS[lang]:
            if c.seq_at(i, seqs):
                c.claim(Item(kind, i, i + 1, c.text(i, i + 1)))  # type: ignore[arg-type]
    _gapped(c, lex)  # before single words claim the tail ("cart")
    _lexicon(c, lex, lang)
    _non_prefix(c, lex)
    for i in range(len(toks)):
        for words in lex.entity_words:
            if tuple(c.keys[i:i + len(words)]) == words and c.free(i, i + len(words)):
                for x in range(i, i + len(words)):
                    c.used[x] = True
    _words(c)
    unmapped = [t.surface for t, used in zip(toks, c.used, strict=True)
                if not used and t.key not in g.FILLER and not t.is_digit]
    unmapped += [t.surface for t, used in zip(toks, c.used, strict=True)
                 if not used and t.is_digit]
    c.items.sort(key=lambda it: it.i)
    _ne_que(c)
    prev_j = 0
    for it in c.items:
        it.comma = "," in toks[it.i].gap or ";" in toks[it.i].gap
        it.opens = any(t.word in _SUBSET for t in toks[prev_j:it.i]) and it.kind == "qty"
        it.after_rel = any(t.word in _REL for t in toks[max(prev_j, it.i - 3):it.i])
        prev_j = max(prev_j, it.j)
        nxt = toks[it.j].word if it.j < len(toks) else ""
        if nxt in _POST_EXCLUDED:
            it.excluded = True
            c.used[it.j] = True
        if it.kind in {"not", "never"}:
            before = [t.word for t in toks[max(0, it.i - 2):it.i]]
            near = [t.word for t in toks[max(0, it.i - 3):it.i]]
            it.relative = bool(before) and (before[-1] in _REL or (
                len(before) == 2 and before[-1] in {"ne", "n"} and before[0] in _REL) or (
                bool(near) and near[0] in _REL and all(
                    w in _COPULA for w in near[1:])))  # « qui ne sont pas VIP »
    return Parsed(c.items, unmapped)


_SAME_PERIOD = g.seqs("la même période", "sur la même période", "cette période-là",
                      "cette période", "ce mois-là", "cette année-là", "cette semaine-là",
                      "ces mois-là", "à ce moment-là", "that period", "the same period",
                      "that same period", "that month", "that year", "that week",
                      "at that time", "during that time", "then", "le même mois",
                      "la même année", "la même semaine", "le même trimestre",
                      "the same month", "the same year", "the same week", "the same quarter",
                      "that time", "cette même période", "over the same period",
                      "in the same period", "dans la même période")
_BEFORE_THAT = g.seqs("avant cela", "avant ça", "avant ca", "auparavant", "before that",
                      "before then", "prior to that", "earlier than that", "avant cette période",
                      "before that period")
_PRONOUNS_EN = frozenset({"it", "them"})
_SINCE_THEN = frozenset({"depuis", "since"})
_BEFORE_THEN = frozenset({"avant", "before", "previously", "earlier"})
_PRONOUNS_ANY = frozenset({"dessus", "celle-ci", "celui-ci", "ceux-ci", "celles-ci"})
_OF_ANY = frozenset({"of", "for", "to", "with", "at", "in", "from", "a", "the"})
_AFTER_ANY = frozenset({"this", "in", "since", "over", "during", "last", "the", "for", "ever",
                        "again", "yet", "recently", "before", "after", "within", "past"})
_PRONOUNS_FR = frozenset({"l", "le", "la", "les"})


def _back_references(c: _Claims) -> None:
    """Words that point back at the clause before: its period ("la même période", "that
    month"), the time before it ("avant cela"), or its object ("never clicked it",
    « ne l'ont jamais ouvert »)."""
    for i in range(len(c.toks)):
        for kind, seqs in (("before_that", _BEFORE_THAT), ("same_period", _SAME_PERIOD)):
            n = c.seq_at(i, seqs)
            if n:
                c.claim(Item(kind, i, i + n, c.text(i, i + n)))  # type: ignore[arg-type]
                break
        else:
            w = c.toks[i].word
            prev = c.toks[i - 1].word if i else ""
            last = i == len(c.toks) - 1 or "," in c.toks[i + 1].gap or c.toks[i + 1].word in {
                "et", "and", "mais", "but"}
            if last and i and w in _SINCE_THEN:  # "… mais rien commandé depuis"
                c.claim(Item("same_period", i, i + 1, c.text(i, i + 1)))
                continue
            if last and i and w in _BEFORE_THEN:  # "… qui avaient déjà acheté avant"
                c.claim(Item("before_that", i, i + 1, c.text(i, i + 1)))
                continue
            nxt = c.toks[i + 1].word if i + 1 < len(c.toks) else ""
            if (w in _PRONOUNS_ANY and prev not in {"au", "en", "par", "ci", "la", "l"}
                    and nxt not in {"de", "d", "du", "des"}) or (
                    w in _PRONOUNS_EN and i and prev not in {"of", "for", "to", "with"}) or (
                    w in _PRONOUNS_FR and prev in {"ne", "n"}) or (
                    w in {"any", "one", "ones"} and i and prev not in _OF_ANY
                    and (not nxt or nxt in _AFTER_ANY)):
                # "haven't bought any this year": "any" stands for the thing said before
                c.claim(Item("pronoun", i, i + 1, c.text(i, i + 1)))


_QUE = frozenset({"qu", "que"})
_REL = frozenset({"who", "that", "which", "qui", "whose"})
_SUBSET = frozenset({"dont", "including", "incl"})
_COPULA = frozenset({"ne", "n", "sont", "est", "are", "is", "aren", "isn", "t"})
_POST_EXCLUDED = frozenset({"excluded", "exclus", "exclues", "excepted", "exceptes",
                            "omitted", "removed", "retires"})


def _ne_que(c: _Claims) -> None:
    """"n'ont acheté qu'une fois" is "ne … que" (only), not a negation: the bare "n'" is
    dropped and the number is exact."""
    for q in [it for it in c.items if it.kind == "qty"]:
        if q.i == 0 or c.toks[q.i - 1].word not in _QUE:
            continue
        before = [it for it in c.items if it.i < q.i and it.kind in {"not", "never"}]
        bare = [it for it in before if it.kind == "not" and it.text.strip().lower().rstrip("'’")
                in {"n", "ne"}]
        if bare and len(before) == 1:
            c.items.remove(bare[0])
            c.used[q.i - 1] = True
            q.op, q.explicit_op = "eq", True
