"""Items → clauses: the request cut on its connectors and clause boundaries, and the
context a translation carries from one clause to the next (choice points included)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from nl2seg.catalog.models import Catalog
from nl2seg.rule.nodes import (
    EventCondition,
)
from nl2seg.translate.items import Item
from nl2seg.translate.normalize import keys


class Unusable(Exception):
    """A piece of the request that cannot become a condition (its text is the message)."""


@dataclass
class Segment:
    items: list[Item]
    connector: str = "and"
    without: bool = False
    """Opened by "sans" / "without" before a verb: in the window of the clause before."""

    @property
    def negated(self) -> bool:
        return self.connector == "excl" or any(i.kind in {"not", "never"} for i in self.items)

    def has(self, kind: str) -> bool:
        return any(i.kind == kind for i in self.items)

    def first(self, kind: str) -> Item | None:
        return next((i for i in self.items if i.kind == kind), None)

    # issue 12 §7 (linearity only): the items by start and by end token, so that "the word
    # right before / after this one" is a lookup instead of a scan of the clause per item
    # (quadratic in a 96k-character request). Rebuilt if the list grows.
    def by_pos(self) -> tuple[dict[int, list[Item]], dict[int, list[Item]], bool]:
        """(items by start, items by end, whether the items are in start order)."""
        cached = self.__dict__.get("_by_pos")
        if cached is None or cached[0] != len(self.items):
            by_i: dict[int, list[Item]] = {}
            by_j: dict[int, list[Item]] = {}
            for it in self.items:
                by_i.setdefault(it.i, []).append(it)
                by_j.setdefault(it.j, []).append(it)
            ordered = all(a.i <= b.i for a, b in zip(self.items, self.items[1:], strict=False))
            cached = (len(self.items), by_i, by_j, ordered)
            self.__dict__["_by_pos"] = cached
        return cached[1], cached[2], cached[3]


@dataclass
class Context:
    catalog: Catalog
    request: str
    token_spans: list[tuple[int, int]]
    notes: list[str] = field(default_factory=list)
    used_events: set[str] = field(default_factory=set)
    used_concepts: list[str] = field(default_factory=list)
    prev_event: EventCondition | None = None
    claimed: list[Item] = field(default_factory=list)
    """Items of the current clause that a condition other than its event came from."""
    as_of: dt.date | None = None
    lang: str = "fr"
    flips: frozenset[str] = frozenset()
    """Choice points read the other way in this run (see :meth:`choose`)."""
    choices: dict[str, str] = field(default_factory=dict)
    measures: dict[tuple[str, ...], str] = field(default_factory=dict)
    """The lexicon's measure phrases → aggregate ("AOV" → avg)."""
    """Every choice point met: its key and what the other reading does, in ``lang``."""

    def choose(self, key: str, fr: str, en: str) -> bool:
        """A point where the words allow two readings: True for the conventions' reading,
        False in a run that flips ``key``. Each point met is recorded, so the translator can
        build the other reading and show it with its size."""
        self.choices.setdefault(key, fr if self.lang == "fr" else en)
        return key not in self.flips

    def phrase(self, items: list[Item], seg: Segment | None = None) -> str:
        """The request's text from the first to the last of ``items``; with ``seg``, the
        words of the clause's other conditions cut out ("VIP qui ont acheté en ligne": the
        purchase's phrase is "qui ont acheté en ligne", not the VIP's word), runs joined
        by " … "."""
        if seg is None:
            i, j = min(it.i for it in items), max(it.j for it in items)
            return self.request[self.token_spans[i][0]:self.token_spans[j - 1][1]]
        mine = {id(it) for it in items}
        runs: list[list[Item]] = [[]]
        for it in sorted(seg.items, key=lambda x: x.i):
            if id(it) in mine:
                runs[-1].append(it)
            elif runs[-1]:
                runs.append([])
        return " … ".join(self.phrase(r) for r in runs if r) or self.phrase(items)

    def own(self, items: Sequence[Item | None], seg: Segment) -> str:
        """The phrase of a non-event condition of ``seg`` (its items are claimed)."""
        mine = [it for it in items if it is not None]
        self.claimed += mine
        return self.phrase(mine, seg) if mine else self.phrase(seg.items)


_EITHER = frozenset({"either", "soit"})
_MORE_WORDS = frozenset(keys("plus more over"))
_SINGLE = frozenset(keys("seul seule single"))


_WITHOUT = frozenset(keys("sans without"))


def _closed(seg: Segment) -> bool:
    """A clause that already has its quantity and its subject ("au panier moyen inférieur à
    60 €"): an event word after it starts the next clause ("qui ont acheté au moins 5 fois")."""
    qty = [x for x in seg.items if x.kind == "qty"]
    lex = [x for x in seg.items if x.kind == "lex"]
    after = [x for x in seg.items if qty and x.i > qty[-1].i]
    return bool(qty) and bool(lex) and qty[-1].i > lex[0].i \
        and all(x.kind == "time" for x in after) and qty[-1].unit in {"money", "count"}


def _is_event(it: Item) -> bool:
    return it.kind == "lex" and any(s.kind == "event" for s in it.senses)


def _without_verb(it: Item, nxt: list[Item], seg: Segment) -> bool:
    """"sans" / "without" before a second verb, after a clause that has its own: a clause
    of its own, excluded ("visited the site without buying")."""
    verb = next((x for x in nxt if x.kind not in {"never", "not"}), None)
    return (it.kind == "not" and set(keys(it.text)) <= _WITHOUT and verb is not None
            and _is_action(verb) and any(_is_action(x) for x in seg.items))


def _is_action(it: Item) -> bool:
    """An event word, or an event-type value said as a verb ("cliquer", "opened")."""
    return _is_event(it) or (it.kind == "lex" and bool(it.senses) and all(
        s.kind == "prop_value" for s in it.senses))


def split(items: list[Item]) -> list[Segment]:
    """Clauses between connectors. "either" / the first "soit" only announce the "or" that
    follows, and a clause that only says when ("who, in the last 7 days, either visited the
    site or …") belongs to the clause after it."""
    ors = [i for i in items if i.kind == "or"]
    items = [i for i in items if not (i.kind == "or" and keys(i.text)[:1] and keys(i.text)[0]
                                      in _EITHER and i is not ors[-1])]
    segs = [Segment([])]
    for n, it in enumerate(items):
        if _without_verb(it, items[n + 1:n + 3], segs[-1]):
            segs.append(Segment([], "excl", without=True))  # "… en ligne sans acheter en
            # magasin"
            continue
        if it.kind in {"and", "or", "excl"}:
            if segs[-1].items:
                segs.append(Segment([], it.kind))
            elif it.kind == "excl":
                segs[-1].connector = "excl"
        elif segs[-1].items and it.kind == "not" and not segs[-1].negated and all(
                (x.kind == "time" and any(y.kind == "lex" and any(
                    s.kind == "concept" for s in y.senses) for y in segs[-1].items))
                or (x.kind == "lex" and any(s.kind in {"attr_value", "concept"}
                                            for s in x.senses) and not _is_event(x))
                for x in segs[-1].items) \
                and not any(_is_event(x) for x in items[n + 1:n + 3]):
            # "en Bretagne ou en Normandie pas encartés": the negation is the next word's;
            # "repeat buyers who are not VIP": the concept stays outside the negation
            segs.append(Segment([it], "and"))
        elif segs[-1].items and segs[-1].negated and it.after_rel and it.kind == "lex":
            # "living outside France who have an SMS opt-in": the relative clause is its own
            segs.append(Segment([it], "and"))
        elif segs[-1].items and it.comma and (
                segs[-1].negated or it.kind in {"not", "never"}) and not _is_event(it):
            # "résidant hors de France, inscrits aux SMS", "clientes de 50 ans et plus, pas
            # membres du programme": a negation keeps to its side of the comma
            segs.append(Segment([it], "and"))
        elif it.excluded and segs[-1].items and it.comma:
            # "…, VIPs excluded": the words after the comma, removed from the audience
            segs.append(Segment([it], "excl"))
        elif it.excluded and not segs[-1].items:
            segs[-1].items.append(it)
            segs[-1].connector = "excl"
        elif segs[-1].items and (
                (it.relative and any(x.kind not in {"time"} for x in segs[-1].items)
                 and not segs[-1].negated)
                or (it.comma and segs[-1].connector == "or")
                or it.opens
                or (_is_event(it) and _closed(segs[-1]))):
            # "active customers who aren't members": the negation is the new clause's;
            # "A or B, women only": what follows the comma qualifies both alternatives
            segs.append(Segment([it], "and"))
        else:
            segs[-1].items.append(it)
    segs = [s for s in segs if s.items]
    out: list[Segment] = []
    for k, seg in enumerate(segs):
        time_before = bool(out) and all(i.kind == "time" for i in out[-1].items)
        time_last = bool(out) and k == len(segs) - 1 and all(
            i.kind == "time" for i in seg.items) and not out[-1].has("time")
        # "shoes in 2025 and again in 2026": a clause that only says when, after one that
        # has its own time, is the same purchase in another window (an ellipsis)
        if seg.connector == "and" and (time_before or time_last):
            out[-1] = Segment(out[-1].items + seg.items, out[-1].connector)
        else:
            out.append(seg)
    return out
