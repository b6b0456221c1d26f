"""A clause's event: which event it speaks of, its property filters, its window (shared,
inherited or pointed back at), and its quantity."""
from __future__ import annotations

from typing import Any

from nl2seg.catalog.models import Catalog, type_family
from nl2seg.rule.nodes import (
    DatesWindow,
    EventCondition,
    PropertyFilter,
    Window,
)
from nl2seg.translate.clauses import _SINGLE, Context, Segment, Unusable, _is_event
from nl2seg.translate.concepts import money_property, purchase_event
from nl2seg.translate.grammar import FILLER
from nl2seg.translate.items import Item
from nl2seg.translate.lexicon import Sense
from nl2seg.translate.normalize import keys
from nl2seg.translate.numbers import as_int

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
                theirs = (home.fr, home.en) if home else ("profil", "profile")
                if not after_verb or ctx.choose(
                        f"place:{it.i}",
                        f"« {it.text} » : {prop.label.fr}, pas {theirs[0]} du client",
                        f'"{it.text}": {prop.label.en}, not the customer\'s {theirs[1]}'):
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
