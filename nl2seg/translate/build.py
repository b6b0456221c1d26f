"""Items → rule conditions: clauses split on connectors, modifiers attached to their event,
negation, lifecycle words, scores, profile values, age and dates (semantics.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nl2seg.catalog.models import Catalog, type_family
from nl2seg.rule.nodes import (
    Age,
    All,
    AnyOf,
    Attribute,
    Condition,
    DateIn,
    DatesWindow,
    EventCondition,
    LastWindow,
    MoreThanAgoWindow,
    Not,
    PropertyFilter,
    Score,
    Window,
)
from nl2seg.translate.concepts import money_property, purchase_event, role_field
from nl2seg.translate.grammar import FILLER
from nl2seg.translate.items import Item
from nl2seg.translate.lexicon import Sense
from nl2seg.translate.normalize import keys
from nl2seg.translate.numbers import as_int


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
                x.kind == "lex" and any(s.kind == "attr_value" for s in x.senses)
                and not _is_event(x) for x in segs[-1].items) \
                and not any(_is_event(x) for x in items[n + 1:n + 3]):
            # "en Bretagne ou en Normandie pas encartés": the negation is the next word's
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


# --- sense choice ----------------------------------------------------------------------------


def _event_of(seg: Segment, ctx: Context, used: set[int]) -> tuple[str | None, Item | None]:
    items = [i for i in seg.items if id(i) not in used]
    pure = [i for i in items if i.kind == "lex" and i.senses
            and all(s.kind == "event" for s in i.senses)]
    # issue 12 §7 (linearity only): membership by identity, not by dataclass equality over a
    # list (quadratic); equal items are equally pure, so the same items are kept
    pure_ids = {id(i) for i in pure}
    for it in pure + [i for i in items if id(i) not in pure_ids]:  # "de l'email qui ont acheté"
        if it.kind == "lex":
            ev = [s for s in it.senses if s.kind == "event"]
            if ev and not any(s.kind in {"field", "level", "attr_value"} and s.weight > ev[0]
                              .weight for s in it.senses):
                return max(ev, key=lambda s: s.weight).event, it
    if ctx.prev_event is not None:
        for it in items:
            if any(s.event == ctx.prev_event.event and s.kind in {"prop_value", "prop"}
                   for s in it.senses):
                return ctx.prev_event.event, None
        if all(i.kind in {"qty", "time", "not", "never", "first", "last", "avg", "sum",
                          "same_period", "before_that"} for i in items) and (
                seg.has("qty") or seg.has("time") or seg.has("before_that")
                or seg.has("same_period")):
            return ctx.prev_event.event, None  # "… entre 2 et 5 fois l'an dernier mais pas ce
            # mois-ci": the same purchases, another window
    for it in items:
        if _field_value(it, seg, ctx.catalog) is not None:
            continue  # "recrutés en magasin": the acquisition channel, not a purchase
        if it.kind == "lex" and it.senses and all(s.kind in {"prop_value", "prop", "channel"}
                                                  for s in it.senses):
            pv = [s for s in it.senses if s.kind == "prop_value"] or [
                s for s in it.senses if s.kind == "prop" and s.event is not None
                and keys(it.text) in ctx.measures]  # "AOV > 80 €": the measure's event
            if pv:
                return max(pv, key=lambda s: s.weight).event, None
    if any(i.kind == "qty" and i.unit == "money" for i in items) and not any(
            i.kind == "lex" for i in items):  # « claqué plus de 2000 balles en tout »
        bought = purchase_event(ctx.catalog)
        if bought is not None:
            return bought, None
    counted = any(i.kind == "qty" and (i.unit in {"count", "money"} or (
        i.unit is None and _small(i))) for i in items) or (
        any(i.kind == "time" for i in items) and not _date_words(seg, ctx.catalog))
    for it in items:  # "VIP store 2+ 6m": a count or a time makes "store" the purchase's
        pv = [s for s in it.senses if s.kind == "prop_value"] if it.kind == "lex" else []
        if pv and counted:
            return max(pv, key=lambda s: s.weight).event, None
    return None, None


def _prop_sense(it: Item, event: str, seg: Segment, ctx: Context) -> Sense | None:
    cat = ctx.catalog
    cands = [s for s in it.senses if s.event == event and s.kind == "prop_value"]
    if not cands:
        return None
    attr_cols = {s.field for s in it.senses if s.kind == "attr_value"}
    best: list[Sense] = []
    for s in cands:
        prop = cat.events[event].properties[s.prop or ""]
        if prop.values_from in attr_cols:
            # the words that name a store, not the place itself: "région du magasin" less
            # "région" (the customer's region is a "région" too)
            home = cat.column(prop.values_from or "").label
            label = (set(keys(prop.label.en)) | set(keys(prop.label.fr))) - set(
                keys(it.text)) - (set(keys(home.en)) | set(keys(home.fr)) if home else set())
            label -= FILLER
            if not _next_to(it, seg, label) and not (
                    it.joined is not None and _next_to(it.joined, seg, label)):
                # "Lyon" is the home city unless the words beside it name a store; in a
                # purchase clause the store's city is the other reading
                after_verb = any(_is_event(x) and x.j <= it.i for x in seg.items)
                if not after_verb or ctx.choose(f"place:{it.i}",
                              f"« {it.text} » : le lieu du magasin, pas celui du client",
                              f'"{it.text}": the store\'s place, not the customer\'s home'):
                    continue
        best.append(s)
    return max(best, key=lambda s: s.weight) if best else None


def _next_to(it: Item, seg: Segment, words: set[str]) -> bool:
    """Is a word of ``words`` right before ``it`` ("magasin de Lyon", "store in Lyon") or
    right after it ("Lyon store")? Elsewhere in the clause it speaks of something else."""
    by_i, by_j, _ = seg.by_pos()  # only the items near ``it`` (issue 12 §7: linearity)
    near = [o for j in range(it.i - 3, it.i + 1) for o in by_j.get(j, [])] + \
        [o for i in (it.j, it.j + 1) for o in by_i.get(i, [])]
    for other in near:
        if other is it or not set(keys(other.text)) & words:
            continue
        if 0 <= it.i - other.j <= 3 or 0 <= other.i - it.j <= 1:
            return True  # "magasin de la région Occitanie": three words between at most
    return False


# --- leaves ----------------------------------------------------------------------------------


def _qty_cmp(q: Item) -> dict[str, Any]:
    if q.values is not None:
        return {"op": "between", "values": [as_int(q.values[0]), as_int(q.values[1])]}
    assert q.value is not None
    return {"op": q.op, "value": as_int(q.value)}


def _event_condition(seg: Segment, event: str, ev_item: Item | None, ctx: Context,
                     used: set[int]) -> EventCondition:
    cat = ctx.catalog
    filters: dict[str, list[Any]] = {}
    ranged: list[PropertyFilter] = []
    amount: str | None = None
    measure: str | None = None
    if ev_item is not None:
        used.add(id(ev_item))
        for s in ev_item.senses:
            if s.kind == "prop" and s.event == event and s.prop is not None and type_family(
                    cat.events[event].properties[s.prop].type) == "number":
                amount = s.prop
            if s.kind == "event" and s.event == event:
                for p, v in s.implied:
                    filters.setdefault(p, []).append(v)
    inherited = ctx.prev_event if ev_item is None and ctx.prev_event is not None \
        and ctx.prev_event.event == event else None
    for it in seg.items:
        if it.kind != "lex" or id(it) in used:
            continue
        ps = _prop_sense(it, event, seg, ctx)
        if ps is not None and ps.level is not None:
            lvl = (cat.events[event].properties[ps.prop or ""].levels or {})[ps.level]
            ranged.append(PropertyFilter(property=ps.prop or "", op=lvl.op, value=lvl.value,
                                         values=lvl.values,
                                         phrase=it.text))
            used.add(id(it))
        elif ps is not None:
            filters.setdefault(ps.prop or "", []).append(ps.value)
            used.add(id(it))
        elif any(x.kind == "prop" and x.event == event for x in it.senses):
            prop = next(x.prop for x in it.senses if x.kind == "prop" and x.event == event)
            if prop is not None and type_family(cat.events[event].properties[prop].type) \
                    == "number":
                amount = prop
                measure = ctx.measures.get(keys(it.text))  # "AOV", « ticket moyen », "CA"
            used.add(id(it))
        elif any(x.kind == "event" and x.event == event for x in it.senses):
            used.add(id(it))
    own_filters = bool(filters or ranged)
    if inherited is not None and not own_filters:
        # an ellipsis ("… et plus de 3 fois") keeps the previous purchase's filters
        for f in inherited.filters:
            filters[f.property] = [f.value] if f.values is None else list(f.values)
    elif inherited is not None:
        # "du sport en magasin et en ligne": the category said once is the online
        # purchase's too; a property the clause names itself ("en ligne") is its own
        possible = _sources(cat, event, filters)
        shared = [f for f in inherited.filters if f.property not in filters
                  and f.op in {"eq", "in"} and not any(r.property == f.property
                                                        for r in ranged)
                  and any(f.property in src.properties for src in possible)]
        negated = seg.negated and not seg.has("pronoun")  # "never clicked it": "it" shares
        if shared and (ctx.choose(
                f"share_filter:{seg.items[0].i}",
                f"« {_filter_words(shared)} » pour la première condition seulement",
                f'"{_filter_words(shared)}" for the first condition only') if not negated
                else not ctx.choose(
                    f"share_filter:{seg.items[0].i}",
                    f"« {_filter_words(shared)} » aussi pour la condition exclue",
                    f'"{_filter_words(shared)}" for the excluded condition too')):
            # "bought Alti Sport in an outlet but never online": never online at all
            for f in shared:
                filters[f.property] = [f.value] if f.values is None else list(f.values)
    time = _event_time(seg, cat)
    never = seg.has("never")
    window: Window | None = time.window if time else (
        inherited.window if inherited and not never else None)
    if time:
        used.add(id(time))
    window = _back_window(seg, ctx, window, used)
    if ev_item is not None and seg.has("pronoun") and ctx.prev_event is not None \
            and ctx.prev_event.event == event:
        # "received a newsletter but never clicked it": "it" is the newsletter
        for it in seg.items:
            if it.kind == "pronoun":
                used.add(id(it))
        if ctx.choose(f"pronoun:{seg.items[0].i}",
                      f"« {_pronoun_text(seg)} » ne reprend pas les filtres de la condition "
                      "précédente",
                      f'"{_pronoun_text(seg)}" does not carry the previous condition\'s '
                      "filters"):
            for f in ctx.prev_event.filters:
                if f.property not in filters and f.op in {"eq", "in"}:
                    filters[f.property] = [f.value] if f.values is None else list(f.values)
    flist = [PropertyFilter(property=p, op="eq", value=v[0]) if len(set(v)) == 1 else
             PropertyFilter(property=p, op="in", values=list(dict.fromkeys(v)))
             for p, v in filters.items()] + ranged
    kw: dict[str, Any] = {"event": event, "filters": flist, "window": window}
    q = next((x for x in seg.items if x.kind == "qty" and not _owned_by_field(x, seg, cat)
              and x.unit != "age"), None) or next(
        (x for x in seg.items if x.kind == "qty" and not _owned_by_field(x, seg, cat)), None)
    # "un score de churn supérieur à 0,6 qui ont ouvert un email": 0,6 is not a count
    if q is not None and seg.negated and _SINGLE & set(keys(q.text)):
        used.add(id(q))
        q = None  # "n'ont jamais ouvert un seul email": not a single one = none
    if q is not None and q.unit is None and amount is None and not any(
            it.i == q.j and it.kind == "lex" for it in seg.items) and not _small(q):
        q = None  # "members over 40 who came": the number is not about the event
    if q is not None and q.unit is None and q.values is not None and "-" in ctx.phrase([q]) \
            and min(q.values) >= 10 and max(q.values) <= 120:
        q = None  # "women 25-34 who opened…": a bare range of that size is an age band
    if q is not None and q.unit != "age":
        used.add(id(q))
        money = q.unit == "money" or (amount is not None and q.unit != "count")
        if money:
            prop = amount or money_property(cat, event)
            if prop is None:
                raise Unusable(q.text)
            kw |= {"aggregate": "avg" if seg.has("avg") else measure or "sum", "property": prop}
        else:
            kw["aggregate"] = "count"
            if not q.explicit_op:
                q.op = "gte"
                ctx.notes.append(f"count:{q.text}")
        kw |= _qty_cmp(q)
        if q.op == "gt" and q.explicit_op:
            ctx.notes.append(f"gt:{q.text}")
    elif seg.has("first") and window is not None:
        kw["aggregate"] = "first"
    elif seg.has("last") and window is not None:
        kw["aggregate"] = "last"
    ctx.used_events.add(event)
    return EventCondition(**kw, phrase=ctx.phrase(seg.items))


def _sources(cat: Catalog, event: str, filters: dict[str, list[Any]]) -> list[Any]:
    """The event's sources that the clause's own filters allow: "en ligne" rules out the
    in-store tickets (their channel is the constant "store"), so a store format said for
    the clause before cannot apply to it."""
    out = []
    for src in cat.events[event].sources:
        ok = True
        for prop, values in filters.items():
            ps = src.properties.get(prop)
            if ps is None or (ps.const is not None and ps.const not in values):
                ok = False
        if ok:
            out.append(src)
    return out


def _filter_words(filters: list[PropertyFilter]) -> str:
    return ", ".join(f.phrase or str(f.value if f.values is None else "/".join(
        map(str, f.values))) for f in filters)


def _field_value(it: Item, seg: Segment, cat: Catalog) -> tuple[str, Any] | None:
    """A value right after a profile field's name that the field has too ("recrutés en
    magasin": acquisition channel 'store', not a purchase in store)."""
    before = next((x for x in seg.items if x.kind == "lex" and x.j == it.i), None)
    if before is None or it.kind != "lex":
        return None
    for f in [s.field for s in before.senses if s.kind == "field"]:
        names = cat.column(f or "").value_names()
        for s in it.senses:
            if s.kind in {"prop_value", "attr_value"} and s.value in names and f:
                return f, s.value
    return None


def _pronoun_text(seg: Segment) -> str:
    return next((i.text for i in seg.items if i.kind == "pronoun"), "")


def _back_window(seg: Segment, ctx: Context, window: Window | None,
                 used: set[int]) -> Window | None:
    """"la même période", "that month": the previous clause's window; "avant cela",
    "before that": everything before the previous clause's window starts."""
    prev = ctx.prev_event.window if ctx.prev_event is not None else None
    for it in seg.items:
        if it.kind == "same_period" and prev is not None:
            used.add(id(it))
            return prev
        if it.kind == "before_that" and prev is not None and ctx.as_of is not None:
            from nl2seg.windows import resolve

            start = resolve(prev, ctx.as_of).start
            if start is not None:
                used.add(id(it))
                return DatesWindow(since=None, before=start, phrase=it.text)
    return window


def _owned_by_field(q: Item, seg: Segment, cat: Catalog) -> bool:
    """A quantity said right after a numeric profile field's word belongs to that field."""
    return any(it.kind == "lex" and 0 <= q.i - it.j <= 2 and any(
        s.kind == "field" and cat.column(s.field or "").family == "number"
        for s in it.senses) for it in seg.items)


def _small(q: Item) -> bool:
    """"VIP store 2+ 6m": a bare number under 16 counts events; no customer is that young."""
    top = max(q.values) if q.values is not None else q.value
    return top is not None and top < 16


def _date_words(seg: Segment, cat: Catalog) -> list[Item]:
    return [it for it in seg.items if it.kind == "lex" and any(
        s.kind == "field" and cat.column(s.field or "").family in {"date", "timestamp"}
        for s in it.senses)]


def _bound_time(seg: Segment, word: Item) -> Item | None:
    """The time said right after a date field's word ("nées dans les années 80")."""
    return next((t for t in seg.items if t.kind == "time" and 0 <= t.i - word.j <= 3), None)


def _event_time(seg: Segment, cat: Catalog) -> Item | None:
    """The clause's time for its event, never one bound to a date field ("nées dans les
    années 80 qui ont ajouté au panier [ces deux dernières semaines]")."""
    times = [t for t in seg.items if t.kind == "time"]
    bound = {id(b) for w in _date_words(seg, cat) if (b := _bound_time(seg, w))}
    times = [t for t in times if id(t) not in bound]
    return times[0] if times else None


def _level_field(it: Item, seg: Segment, cat: Catalog, used: set[int]) -> Sense:
    levels = [s for s in it.senses if s.kind == "level"]
    if len(levels) == 1:
        return levels[0]
    for other in seg.items:
        if other is it or other.kind != "lex":
            continue
        words = set(keys(other.text)) | {k for s in other.senses if isinstance(s.value, str)
                                         for k in keys(s.value)}
        for s in levels:
            col = cat.column(s.field or "")
            label = set(keys(col.label.en)) | set(keys(col.label.fr)) if col.label else set()
            if words & label:
                used.add(id(other))
                return s
    raise Unusable(it.text)


def _levels(seg: Segment, ctx: Context, used: set[int]) -> list[Condition]:
    out: list[Condition] = []
    for it in seg.items:
        if it.kind == "lex" and any(s.kind == "level" for s in it.senses):
            before = set(used)
            s = _level_field(it, seg, ctx.catalog, used)
            lvl = (ctx.catalog.column(s.field or "").levels or {})[s.level or ""]
            used.add(id(it))
            for other in seg.items:  # "at high risk of churn": the field's own name
                if other.kind == "lex" and other.senses and all(
                        x.kind == "field" and x.field == s.field for x in other.senses):
                    used.add(id(other))
            words = [x for x in seg.items if id(x) in used - before]
            out.append(Score(field=s.field or "", op=lvl.op, value=lvl.value,
                             values=list(lvl.values) if lvl.values else None,
                             phrase=ctx.own(words, seg)))
    return out


def _value_of(it: Item, field: str, cat: Catalog) -> Any:
    names = cat.column(field).value_names()
    return next((s.value for s in it.senses if s.value in names), None)


def _qty_after(seg: Segment, it: Item, used: set[int]) -> Item | None:
    """The quantity said right after a field's word ("whose CLV is under 100 euros"), not
    the clause's first one ("aged 40 or more")."""
    return next((q for q in seg.items if q.kind == "qty" and id(q) not in used
                 and 0 <= q.i - it.j <= 3), None)


def _is_score(cat: Catalog, fname: str) -> bool:
    table = fname.rsplit(".", 1)[0]
    return cat.tables[table].frozen is not None or bool(cat.column(fname).levels)


def _profile(seg: Segment, ctx: Context, used: set[int],
             seg_event: bool = False) -> list[Condition]:
    cat = ctx.catalog
    out: list[Condition] = []
    values: dict[tuple[str, bool], list[Any]] = {}
    said: dict[tuple[str, bool], list[Item]] = {}  # the words each value group came from
    named: dict[str, list[Item]] = {}  # the field's own name beside its values ("niveau or")
    q = seg.first("qty")
    time = seg.first("time")
    for it in seg.items:
        if it.kind != "lex" or id(it) in used:
            continue
        kinds = {s.kind for s in it.senses}
        if "attr_value" in kinds and seg_event \
                and all(k in FILLER for k in keys(it.text)):
            pass
        elif "attr_value" in kinds:
            s = max((x for x in it.senses if x.kind == "attr_value"), key=lambda x: x.weight)
            vals = values.setdefault((s.field or "", s.negated), [])
            vals.append(s.value)
            words = said.setdefault((s.field or "", s.negated), [])
            words.append(it)
            def its_field(x: Item, f: str | None = s.field) -> bool:
                return x.kind == "lex" and bool(x.senses) and all(
                    y.kind == "field" and y.field == f for y in x.senses)
            by_i, _, ordered = seg.by_pos()
            # issue 12 §7 (linearity): in start order, the first item of the field at or
            # after ``it`` starts right at ``it.j`` or nowhere: a lookup, not a scan
            between = [x for x in by_i.get(it.j, []) if its_field(x)] if ordered else \
                [x for x in seg.items if x.i >= it.j and its_field(x)]
            at = between[0].j if between and between[0].i == it.j else it.j
            nxt = [x for x in by_i.get(at, []) if x.kind == "upward"]  # "gold tier and up"
            if nxt and at != it.j:
                used.add(id(between[0]))
                words.append(between[0])
            col_values = cat.column(s.field or "").value_names()
            if nxt and s.value in col_values:
                vals.extend(col_values[col_values.index(s.value) + 1:])
                used.add(id(nxt[0]))
                words.append(nxt[0])
        elif "field" in kinds:
            s = next(x for x in it.senses if x.kind == "field")
            f = s.field or ""
            col = cat.column(f)
            if col.family == "boolean":
                # "non inscrits": the word's own negation; the clause's ("without an
                # opt-in") wraps the condition in NOT like any other
                out.append(Attribute(field=f, op="eq", value=not s.negated,
                                     phrase=ctx.own([it], seg)))
            elif col.family in {"date", "timestamp"} and time is not None:
                own = _bound_time(seg, it) or time
                win = own.window
                if isinstance(win, LastWindow) and _MORE_WORDS & set(
                        keys(own.text)):  # "inscrits depuis plus de 2 ans": before that
                    win = MoreThanAgoWindow(n=win.n, unit=win.unit, phrase=win.phrase)
                out.append(DateIn(field=f, window=win, phrase=ctx.own([it, own], seg)))
                used.add(id(own))
            elif col.role == "birth_date" and q is not None:
                continue
            elif col.values and (val_it := next((x for x in seg.items if x.i == it.j
                                               and id(x) not in used), None)) is not None \
                    and _field_value(val_it, seg, cat) == (f, _value_of(val_it, f, cat)) \
                    and not any(x.kind == "attr_value" and x.field == f for x in val_it.senses):
                out.append(Attribute(field=f, op="eq", value=_value_of(val_it, f, cat),
                                     phrase=ctx.own([it, val_it], seg)))
                used.add(id(val_it))
            elif col.values and any(x.kind == "attr_value" and x.field == f
                                    for o in seg.items for x in o.senses):
                named.setdefault(f, []).append(it)
            elif col.family == "number" and (fq := _qty_after(seg, it, used) or q) is not None \
                    and fq.unit != "age":
                cmp = _qty_cmp(fq)
                node = Score if _is_score(cat, f) else Attribute
                out.append(node(field=f, phrase=ctx.own([it, fq], seg), **cmp))
                used.add(id(fq))
            elif all(k in FILLER for k in keys(it.text)):
                pass  # "bought from X": a filler word that is also a field's synonym
            else:
                raise Unusable(it.text)
        else:
            continue
        used.add(id(it))
    for (f, neg), vals in list(values.items()):
        kept = values.get((f, False)) if neg else None
        if kept and not set(vals) & set(kept):
            # "silver members": silver already says "a member" (tier ≠ none); one condition
            del values[(f, neg)]
            said[(f, False)] += said.pop((f, neg))
    for (f, neg), vals in values.items():
        uniq = list(dict.fromkeys(vals))
        op = ("ne" if neg else "eq") if len(uniq) == 1 else ("not_in" if neg else "in")
        out.append(Attribute(field=f, op=op, value=uniq[0] if len(uniq) == 1 else None,
                             values=None if len(uniq) == 1 else uniq,
                             phrase=ctx.own([*said[(f, neg)], *named.pop(f, [])], seg)))
    if q is not None and id(q) not in used:
        birth = role_field(cat, "birth_date")
        nums = q.values or (q.value or 0,)
        bare = q.unit is None and max(nums) <= 120 and all(float(v).is_integer() for v in nums)
        if birth is not None and (q.unit == "age" or bare):
            if q.unit is None:
                ctx.notes.append(f"age:{q.text}")
            if q.op == "gt" and q.explicit_op:
                ctx.notes.append(f"gt:{q.text}")
            words = [q, *(it for it in seg.items if any(s.field == birth for s in it.senses))]
            out.append(Age(field=birth, phrase=ctx.own(words, seg), **_qty_cmp(q)))
            used.add(id(q))
    if time is not None and id(time) not in used and out:
        dated = [f for f in (role_field(cat, "birth_date"),) if f]
        if dated and any(s.field == dated[0] for it in seg.items for s in it.senses):
            words = [time, *(it for it in seg.items if any(s.field == dated[0]
                                                           for s in it.senses))]
            out.append(DateIn(field=dated[0], window=time.window, phrase=ctx.own(words, seg)))
            used.add(id(time))
    return out


def _lifecycle(seg: Segment, ctx: Context, used: set[int]) -> list[Condition]:
    cat = ctx.catalog
    out: list[Condition] = []
    time = seg.first("time")
    for kind in ("active", "inactive", "new"):
        it = seg.first(kind)
        if it is None:
            continue
        verb = next((x for x in seg.items if _is_action(x) and x.i > it.j), None)
        if time is not None and verb is not None and time.i > verb.i:
            time = None  # "dormant customers who still opened an email in the last 3 months"
        used.add(id(it))
        win = time.window if time is not None else None
        if time is not None:
            used.add(id(time))
        phrase = ctx.own([it, time], seg)
        if kind == "new":
            f = role_field(cat, "signup_date")
            if f is None:
                raise Unusable(it.text)
            out.append(DateIn(field=f, window=win or LastWindow(n=30, unit="day"),
                              phrase=phrase))
            ctx.notes.append("new")
            continue
        ev = purchase_event(cat)
        if ev is None:
            raise Unusable(it.text)
        ctx.used_events.add(ev)
        w = win or LastWindow(n=12, unit="month")
        ctx.notes.append(kind)
        if kind == "active":
            out.append(EventCondition(event=ev, window=w, phrase=phrase))
        else:
            out.append(All(conditions=[EventCondition(event=ev, phrase=phrase),
                                       EventCondition(event=ev, window=w, aggregate="none",
                                                      phrase=phrase)], phrase=phrase))
    return out


def _concepts(seg: Segment, ctx: Context, used: set[int]) -> list[Condition]:
    """Catalog concepts ("panier abandonné"), with the clause's window if it gives one."""
    from nl2seg.concepts import concept_condition

    out: list[Condition] = []
    for it in seg.items:
        names = [s.value for s in it.senses if s.kind == "concept"] if it.kind == "lex" else []
        if not names:
            continue
        time = seg.first("time")
        if time is not None:
            used.add(id(time))
        node = concept_condition(ctx.catalog, str(names[0]), time.window if time else None,
                                 ctx.own([it, time], seg))
        out.append(_narrow(node, seg, ctx, used))
        ctx.used_concepts.append(str(names[0]))
        used.add(id(it))
    return out


def _narrow(node: Condition, seg: Segment, ctx: Context, used: set[int]) -> Condition:
    """"repeat buyers of beauty products": the clause's property values (a category, a
    brand) narrow every event of the concept that has that property and does not set it."""
    events = {leaf.event for leaf in _event_leaves(node)}
    if any(_is_event(x) and any(s.event in events for s in x.senses) for x in seg.items):
        return node  # "omnicanaux qui ont acheté des chaussures": the verb's own purchase
    adds: dict[str, dict[str, Any]] = {}
    for it in seg.items:
        if it.kind != "lex" or id(it) in used:
            continue
        pv = [s for s in it.senses if s.kind == "prop_value" and s.event in events
              and s.level is None]
        if pv and not any(s.kind in {"event", "concept", "attr_value"} for s in it.senses):
            for s in pv:  # a place is the customer's home: it does not narrow
                adds.setdefault(s.event or "", {}).setdefault(s.prop or "", s.value)
            used.add(id(it))
    if not adds:
        return node
    for it in seg.items:  # "in the shoes category": the property's own name
        if it.kind == "lex" and it.senses and all(s.kind == "prop" for s in it.senses) and any(
                s.prop in adds.get(s.event or "", {}) for s in it.senses):
            used.add(id(it))
    return _with_filters(node, adds)


def _event_leaves(node: Condition) -> list[EventCondition]:
    if isinstance(node, EventCondition):
        return [node]
    if isinstance(node, Not):
        return _event_leaves(node.condition)
    if isinstance(node, (All, AnyOf)):
        return [x for c in node.conditions for x in _event_leaves(c)]
    return []


def _with_filters(node: Condition, adds: dict[str, dict[str, Any]]) -> Condition:
    if isinstance(node, EventCondition):
        mine = adds.get(node.event, {})
        have = {f.property for f in node.filters}
        extra = [PropertyFilter(property=p, op="eq", value=v) for p, v in mine.items()
                 if p not in have]
        return node.model_copy(update={"filters": [*node.filters, *extra]}) if extra else node
    if isinstance(node, Not):
        return node.model_copy(update={"condition": _with_filters(node.condition, adds)})
    if isinstance(node, (All, AnyOf)):
        return node.model_copy(update={"conditions": [_with_filters(c, adds)
                                                      for c in node.conditions]})
    return node


def build_segment(seg: Segment, ctx: Context) -> tuple[Condition | None, list[Item]]:
    """The condition of one clause, and the items it could not use."""
    used: set[int] = set()
    ctx.claimed = []
    conds = _concepts(seg, ctx, used) + _lifecycle(seg, ctx, used) + _levels(seg, ctx, used)
    event, ev_item = _event_of(seg, ctx, used)
    evc: EventCondition | None = None
    if event is not None:
        evc = _event_condition(seg, event, ev_item, ctx, used)
        conds.append(evc)
    conds += _profile(seg, ctx, used, evc is not None)
    if evc is not None and len(conds) > 1:  # the event's words: the clause less the others'
        claimed = {id(i) for i in ctx.claimed}
        rest = [i for i in seg.items if id(i) not in claimed]
        if rest:
            new = evc.model_copy(update={"phrase": ctx.phrase(rest, seg)})
            conds[conds.index(evc)] = new
            evc = new
    conds = _distinct(conds)
    grammar = {"not", "never", "avg", "sum", "first", "last", "upward", "pronoun"}
    left = [i for i in seg.items if id(i) not in used and i.kind not in grammar]
    if not conds:
        return None, left
    if evc is not None:
        ctx.prev_event = evc
    if evc is not None and seg.negated and seg.connector != "excl":
        # a negated verb ("never came", "n'ont pas acheté") negates its event only
        conds[conds.index(evc)] = _negate(evc, evc.phrase or ctx.phrase(seg.items))
        return (conds[0] if len(conds) == 1 else All(conditions=conds)), left
    node: Condition = conds[0] if len(conds) == 1 else All(conditions=conds)
    if seg.negated:
        node = _negate(node, ctx.phrase(seg.items))
    return node, left


def _negate(node: Condition, phrase: str) -> Condition:
    if isinstance(node, EventCondition) and node.aggregate == "exists":
        return node.model_copy(update={"aggregate": "none"})
    return Not(condition=node, phrase=phrase)


def combine(segs: list[Segment], ctx: Context) -> tuple[Condition | None, list[Item]]:
    terms: list[Condition] = []
    never: list[bool] = []
    leftovers: list[Item] = []
    for k, seg in enumerate(segs):
        node, left = build_segment(seg, ctx)
        leftovers += left
        if node is None:
            continue
        win = _final_window(seg, node) if k == len(segs) - 1 else None
        if seg.connector == "and" and terms and win is not None and _elliptic(seg) and ctx.choose(
                f"share_window:{seg.items[0].i}",
                f"« {win.phrase or ''} » pour la dernière condition seulement",
                f'"{win.phrase or ""}" for the last condition only'):
            # "bought shoes but never clothes this year", "X and Y in the last year": a time
            # said once at the end belongs to every clause before it that has none
            for n in range(len(terms) - 1, -1, -1):
                if never[n] or isinstance(terms[n], _PROFILE):
                    continue
                shared = _share_window(terms[n], win)
                if shared is terms[n]:
                    break
                terms[n] = shared
        if seg.without and terms and not seg.has("never") and isinstance(node, EventCondition) \
                and node.window is None:
            # "visited the site in the last 30 days without buying": not in those 30 days
            windows = [c.window for c in _leaves(terms[-1])
                       if isinstance(c, EventCondition) and c.window is not None]
            if windows:
                node = node.model_copy(update={"window": windows[-1]})
        if seg.connector == "or" and terms and win is not None and ctx.choose(
                f"share_window:{seg.items[0].i}",
                f"« {win.phrase or ''} » pour la dernière possibilité seulement",
                f'"{win.phrase or ""}" for the last alternative only'):
            # "searched the site or added to cart in the last 7 days": both in those 7 days
            terms[-1] = _share_window(terms[-1], win)
        if seg.connector == "or" and terms:
            terms.append(_or(terms.pop(), node))
            never[-1] = never[-1] or seg.has("never")
        elif seg.connector == "and" and terms and _merge(terms[-1], node) is not None:
            merged = _merge(terms[-1], node)
            assert merged is not None
            terms[-1] = merged
            ctx.notes.append("merge")
        else:
            terms.append(node)
            never.append(seg.has("never"))
    if not terms:
        return None, leftovers
    terms = _distinct(terms)
    return (terms[0] if len(terms) == 1 else All(conditions=terms)), leftovers


def _distinct(terms: list[Condition]) -> list[Condition]:
    """« clients dormants … à reconquérir »: two words for one condition keep one."""
    seen: list[Any] = []
    out: list[Condition] = []
    for t in terms:
        key = t.model_dump(mode="json", exclude={"phrase"})
        key = _strip_phrases(key)
        if key not in seen:
            seen.append(key)
            out.append(t)
    return out


def _strip_phrases(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _strip_phrases(v) for k, v in data.items() if k != "phrase"}
    if isinstance(data, list):
        return [_strip_phrases(v) for v in data]
    return data


_PROFILE = (Attribute, Age, DateIn)


def _leaves(node: Condition) -> list[Condition]:
    if isinstance(node, (All, AnyOf)):
        return [x for c in node.conditions for x in _leaves(c)]
    return [node]


def _elliptic(seg: Segment) -> bool:
    """A clause without its own event word ("… en magasin et en ligne ces 3 derniers mois")."""
    return not any(s.kind == "event" for it in seg.items if it.kind == "lex" for s in it.senses)


def _final_window(seg: Segment, node: Condition) -> Window | None:
    """The window of a clause's event when its time is the clause's last words ("… mais
    jamais de vêtements cette année"): a time that may speak for the clauses before."""
    times = [i for i in seg.items if i.kind == "time"]
    if not times or seg.items[-1] is not times[-1] or times[-1].window is None:
        return None
    leaves = [node] if not isinstance(node, (All, Not)) else (
        [node.condition] if isinstance(node, Not) else node.conditions)
    for leaf in leaves:
        inner = leaf.condition if isinstance(leaf, Not) else leaf
        if isinstance(inner, EventCondition) and inner.window == times[-1].window:
            return inner.window
    return None


def _share_window(prev: Condition, window: Window) -> Condition:
    """An event condition without a window of its own (or the last one of an AND) gets
    ``window``; anything else is left as it is."""
    if isinstance(prev, EventCondition) and prev.window is None \
            and prev.aggregate not in {"first", "last"}:
        return prev.model_copy(update={"window": window})
    if isinstance(prev, Not) and isinstance(prev.condition, EventCondition):
        inner = _share_window(prev.condition, window)
        return prev if inner is prev.condition else prev.model_copy(update={"condition": inner})
    if isinstance(prev, All):
        # "gold members who bought sport in store and online in the last 6 months": the
        # clause's event, wherever its profile words stand
        for n in range(len(prev.conditions) - 1, -1, -1):
            part = prev.conditions[n]
            shared = _share_window(part, window)
            if shared is not part:
                return prev.model_copy(update={"conditions": [
                    *prev.conditions[:n], shared, *prev.conditions[n + 1:]]})
    return prev


def _or(prev: Condition, node: Condition) -> Condition:
    """``prev OR node``, where the head of the request stays shared.

    "franciliens ayant acheté du sport ou à forte appétence sport": the profile words before
    the first clause ("franciliens") qualify both alternatives, so the result is
    ``head AND (clause OR node)`` — unless the new alternative brings a profile of its own
    ("Parisiens qui… ou Lyonnais qui…"). A window the first clause gives ("qui, ces 7 derniers
    jours, ont visité le site ou ouvert un email") also applies to an event alternative that
    gives none."""
    if isinstance(prev, AnyOf):
        return AnyOf(conditions=[*prev.conditions, node], phrase=prev.phrase)
    if isinstance(prev, (*_PROFILE, All)):
        # "plus de 60 ans ou de moins de 25 ans ayant une forte appétence maison",
        # "clientes de 50 ans et plus ou de moins de 25 ans qui…": the "or" joins two
        # conditions on one field; what precedes and what follows qualify both
        before = prev.conditions if isinstance(prev, All) else [prev]
        after = node.conditions if isinstance(node, All) else [node]
        last = before[-1]
        same = [c for c in after if isinstance(c, _PROFILE) and isinstance(last, _PROFILE)
                and getattr(c, "field", None) == getattr(last, "field", None)]
        if len(same) == 1 and (len(before) > 1 or len(after) > 1) and all(
                isinstance(c, _PROFILE) for c in before):
            # (not "Parisiens qui ont acheté en ligne ou Lyonnais qui…": whole alternatives)
            rest = [c for c in after if c is not same[0]]
            return All(conditions=[*before[:-1], AnyOf(conditions=[last, same[0]]), *rest])
    parts = prev.conditions if isinstance(prev, All) else [prev]
    head = [c for c in parts if isinstance(c, _PROFILE)]
    body = [c for c in parts if not isinstance(c, _PROFILE)]
    own = node.conditions if isinstance(node, All) else [node]
    if isinstance(node, EventCondition) and node.window is None:
        windows = [c.window for c in body if isinstance(c, EventCondition) and c.window]
        if len(windows) == 1:
            node = node.model_copy(update={"window": windows[0]})
    if not head or not body or any(isinstance(c, _PROFILE) for c in own):
        return AnyOf(conditions=[prev, node])
    left: Condition = body[0] if len(body) == 1 else All(conditions=body)
    return All(conditions=[*head, AnyOf(conditions=[left, node])], phrase=prev.phrase)


def _merge(a: Condition, b: Condition) -> Attribute | None:
    """"hommes et femmes": two values of one profile field joined by "and" mean either."""
    if not (isinstance(a, Attribute) and isinstance(b, Attribute) and a.field == b.field
            and a.op in {"eq", "in"} and b.op in {"eq", "in"}):
        return None
    vals: list[Any] = [*(a.values or []), a.value, *(b.values or []), b.value]
    uniq = list(dict.fromkeys(v for v in vals if v is not None))
    return Attribute(field=a.field, op="in", values=uniq, phrase=f"{a.phrase} / {b.phrase}")
