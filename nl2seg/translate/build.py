"""Items → rule conditions: one clause's condition from its event, profile values, levels,
lifecycle words and concepts (semantics.md)."""
from __future__ import annotations

from typing import Any

from nl2seg.catalog.models import Catalog
from nl2seg.rule.nodes import (
    Age,
    All,
    AnyOf,
    Attribute,
    Condition,
    DateIn,
    EventCondition,
    LastWindow,
    MoreThanAgoWindow,
    Not,
    PropertyFilter,
    Score,
    walk,
)
from nl2seg.translate.clauses import _MORE_WORDS, Context, Segment, Unusable, _is_action, _is_event
from nl2seg.translate.concepts import purchase_event, role_field
from nl2seg.translate.events import _bound_time, _event_condition, _event_of, _field_value, _qty_cmp
from nl2seg.translate.grammar import FILLER
from nl2seg.translate.items import Item
from nl2seg.translate.lexicon import Sense
from nl2seg.translate.normalize import keys


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
            elif any(x.kind == "attr_value" and x.field == f  # a listed or a data value
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
    events = {leaf.event for leaf in (n for n in walk(node) if isinstance(n, EventCondition))}
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
