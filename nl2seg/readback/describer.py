"""The describer: one class that turns rule nodes into phrases, reading its words from the
language's :class:`~nl2seg.readback.phrasebook.Phrasebook` and the catalog's labels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from nl2seg.catalog.models import Catalog, Column, Lang, Value, type_family
from nl2seg.readback.formatting import (
    CURRENCIES,
    PHRASEBOOKS,
    bounds,
    format_date,
    format_number,
    money,
)
from nl2seg.readback.phrasebook import Phrasebook, gender
from nl2seg.rule.nodes import (
    Age,
    All,
    AnyOf,
    Attribute,
    Condition,
    DateIn,
    EventCondition,
    Not,
    PropertyFilter,
    Rule,
    Scalar,
    Score,
    SegmentRef,
    Window,
)
from nl2seg.windows import everything, resolve


@dataclass(frozen=True)
class Describer:
    """Phrases for one catalog, reference date and language."""

    cat: Catalog
    as_of: dt.date
    lang: Lang
    segments: Mapping[str, Rule] | None = None

    @property
    def w(self) -> Phrasebook:
        return PHRASEBOOKS[self.lang]

    # -- catalog words ------------------------------------------------------------------------
    def who(self) -> str:
        """The entity in the plural (« clients », "customers")."""
        return self.w.plural(self.cat.entity.label.get(self.lang))

    def who_feminine(self) -> bool:
        return self.w.feminine(self.cat.entity.label.get(self.lang))

    def column(self, field: str) -> Column | None:
        return self.cat.column(field) if self.cat.has_column(field) else None

    def column_label(self, field: str) -> str:
        col = self.column(field)
        if col is not None and col.label is not None:
            return col.label.get(self.lang)
        return field.rsplit(".", 1)[-1].replace("_", " ")

    def value(self, v: Scalar, values: Sequence[Value] | None, unit: str | None = None) -> str:
        """One value as the marketer names it: its catalog label, else the value itself."""
        if isinstance(v, bool):
            return self.w.yes if v else self.w.no
        for known in values or ():
            same = known.value == v and isinstance(known.value, bool) == isinstance(v, bool)
            if same and known.label is not None:
                return known.label.get(self.lang)
        if isinstance(v, (int, float)):
            return money(v, unit, self.w, self.lang)
        return v

    def date_value(self, v: Scalar | None) -> str:
        """An ISO date (or timestamp) value as words; anything else as is."""
        if not isinstance(v, str):
            return "" if v is None else str(v)
        try:
            moment = dt.datetime.fromisoformat(v)
        except ValueError:
            return v
        text = format_date(moment.date(), self.lang)
        return text if moment.time() == dt.time() else f"{text} {moment:%H:%M}"

    def join(self, parts: Sequence[str], word: str) -> str:
        if len(parts) <= 1:
            return "".join(parts)
        return ", ".join(parts[:-1]) + word + parts[-1]

    # -- comparisons ------------------------------------------------------------------------
    def compare(self, label: str, op: str, value: Scalar | None, values: Sequence[Scalar] | None,
                family: str, known: Sequence[Value] | None, unit: str | None = None) -> str:
        """``label`` compared with values: « niveau de fidélité : VIP », « sans code promo »."""
        w = self.w
        if op == "is_null":
            return (w.bool_null if family == "boolean" else w.without).format(label=label)
        if op == "is_not_null":
            return (w.bool_not_null if family == "boolean" else w.with_).format(
                label=label, x=label)
        if family in ("date", "timestamp") and op in w.date_cmp:
            if op == "between":
                a, b = values or (None, None)
                detail = w.date_cmp[op].format(a=self.date_value(a), b=self.date_value(b))
            else:
                detail = w.date_cmp[op].format(v=self.date_value(value))
            return f"{label} {detail}"

        def fmt(v: Scalar | None) -> str:
            if v is None:
                return ""
            if family in ("date", "timestamp"):
                return self.date_value(v)
            return self.value(v, known, unit)

        if op in ("in", "not_in"):
            listed = self.join([fmt(v) for v in values or ()], w.or_)
            detail = listed if op == "in" else w.not_in.format(v=listed)
        elif op in w.text_cmp:
            detail = w.text_cmp[op].format(v=w.quote.format(v=fmt(value)))
        elif op == "between":
            a, b = values or (None, None)
            detail = w.cmp[op].format(a=fmt(a), b=fmt(b))
        elif op == "ne" and isinstance(value, bool):
            detail = fmt(not value)
        else:
            detail = w.cmp[op].format(v=fmt(value))
        return f"{label}{w.colon}{detail}"

    def threshold(self, op: str, value: float | None, values: Sequence[float] | None,
                  unit: str | None) -> str:
        """A numeric threshold with the word that links it (« de plus de 500 € »)."""
        w = self.w
        if op == "between":
            a, b = values or (0, 0)
            text = w.cmp[op].format(a=money(a, unit, w, self.lang),
                                    b=money(b, unit, w, self.lang))
        else:
            text = w.cmp[op].format(v=money(value or 0, unit, w, self.lang))
        return text if op in w.no_of else w.of(text)

    # -- leaves -------------------------------------------------------------------------------
    def attribute(self, node: Attribute) -> str:
        col = self.column(node.field)
        family = col.family if col is not None else "other"
        text = self.compare(self.column_label(node.field), node.op, node.value, node.values,
                            family, col.values if col is not None else None)
        if node.op in ("is_null", "is_not_null"):
            return text
        return self.w.with_.format(x=text)

    def age(self, node: Age) -> str:
        w = self.w
        aged = gender(w.aged, self.who_feminine())
        if node.op == "between":
            a, b = node.values or (0, 0)
            text = w.age[node.op].format(aged=aged, a=format_number(a, self.lang),
                                         b=format_number(b, self.lang))
        else:
            v = node.value or 0
            text = w.age[node.op].format(aged=aged, v=format_number(v, self.lang),
                                         y=w.year if v == 1 else w.years)
        note = w.age_note.format(d=format_date(self.as_of, self.lang))
        return " ".join(text.split()) + note

    def date_in(self, node: DateIn) -> str:
        when = bounds(resolve(node.window, self.as_of), self.as_of, self.w, self.lang)
        return self.w.with_.format(x=f"{self.column_label(node.field)} {when}")

    def score(self, node: Score) -> str:
        w = self.w
        label = self.column_label(node.field)
        col = self.column(node.field)
        if node.op == "top_percent":
            p = w.percent.format(p=format_number(float(node.value or 0), self.lang))
            return w.top_percent.format(p=p, label=label, of_label=w.of(label))
        family = col.family if col is not None else "number"
        detail = self.compare(label, node.op, node.value, node.values, family,
                              col.values if col is not None else None)
        level = self.level_label(node, col)
        if level is not None:
            detail = w.level.format(level=level, detail=detail)
        return w.with_.format(x=detail)

    def level_label(self, node: Score, col: Column | None) -> str | None:
        """The label of the catalog's named level the comparison is exactly, if any."""
        for level in (col.levels or {}).values() if col is not None else ():
            if level.label is None or level.op != node.op:
                continue
            same = (node.op == "between" and level.values is not None and node.values is not None
                    and [float(x) for x in level.values] == [_as_float(x) for x in node.values])
            same = same or (level.value is not None and _as_float(node.value) == level.value)
            if same:
                return level.label.get(self.lang)
        return None

    def segment(self, node: SegmentRef) -> str:
        text = self.w.segment.format(name=node.segment)
        if self.segments is not None and node.segment not in self.segments:
            text += self.w.unknown_segment
        return text

    # -- events -------------------------------------------------------------------------------
    def event_label(self, event: str) -> str:
        ev = self.cat.events.get(event)
        return ev.label.get(self.lang) if ev is not None else event.replace("_", " ")

    def property_label(self, event: str, prop: str) -> str:
        ev = self.cat.events.get(event)
        if ev is not None and prop in ev.properties:
            return ev.properties[prop].label.get(self.lang)
        return prop.replace("_", " ")

    def property_unit(self, event: str, prop: str | None) -> str | None:
        ev = self.cat.events.get(event)
        if prop is None or ev is None or prop not in ev.properties:
            return None
        return ev.properties[prop].unit

    def filters(self, node: EventCondition) -> str:
        """Property filters: adverbial value labels right after the noun (« en magasin »),
        the others in parentheses (« (catégorie de produit : chaussures) »)."""
        bare: list[str] = []
        labelled: list[str] = []
        for f in node.filters:
            text = self.adverbial_filter(node.event, f)
            if text is not None:
                bare.append(text)
            else:
                labelled.append(self.property_filter(node.event, f))
        out = "".join(f" {b}" for b in bare)
        if labelled:
            out += " (" + ", ".join(labelled) + ")"
        return out

    def known_values(self, event: str, prop: str) -> list[Value] | None:
        ev = self.cat.events.get(event)
        if ev is None or prop not in ev.properties:
            return None
        try:
            return self.cat.property_values(event, prop)
        except (KeyError, ValueError):
            return None

    def adverbial_filter(self, event: str, f: PropertyFilter) -> str | None:
        """A filter whose value labels read as adverbs (« en magasin ou en ligne »), or None."""
        if f.op not in ("eq", "in"):
            return None
        known = self.known_values(event, f.property) or []
        wanted = [f.value] if f.op == "eq" else list(f.values or [])
        labels: list[str] = []
        for v in wanted:
            match = next((k for k in known if k.value == v and k.label is not None), None)
            if match is None or match.label is None:
                return None
            text = match.label.get(self.lang)
            if text.split(" ")[0].lower() not in self.w.adverbial:
                return None
            labels.append(text)
        return self.join(labels, self.w.or_)

    def property_filter(self, event: str, f: PropertyFilter) -> str:
        ev = self.cat.events.get(event)
        prop = ev.properties.get(f.property) if ev is not None else None
        family = type_family(prop.type) if prop is not None else "other"
        return self.compare(self.property_label(event, f.property), f.op, f.value, f.values,
                            family, self.known_values(event, f.property),
                            prop.unit if prop is not None else None)

    def window(self, window: Window | None) -> str:
        b = everything(self.as_of) if window is None else resolve(window, self.as_of)
        if window is None:
            return self.w.ever.format(b=format_date(b.last_day, self.lang))
        return bounds(b, self.as_of, self.w, self.lang)

    def event(self, node: EventCondition, negated: bool = False) -> str:
        w = self.w
        ev = self.event_label(node.event)
        evs = w.plural(ev)
        fem = w.feminine(ev)
        filters = self.filters(node)
        scope = w.scope_all.format(filters=filters, window=self.window(node.window))
        agg: str = node.aggregate
        if negated:
            agg = {"exists": "none", "none": "exists"}[agg]
        if agg == "exists":
            return w.exists.format(one=gender(w.one, fem), ev=ev, scope=scope)
        if agg == "none":
            return w.not_any.format(none=gender(w.none, fem), ev=ev, scope=scope)
        if agg in ("first", "last"):
            template = w.first_of if agg == "first" else w.last_of
            word = gender(w.first if agg == "first" else w.last, fem)
            return template.format(the=gender(w.article, fem), first=word, last=word, ev=ev,
                                   filters=filters, window=self.window(node.window))
        op = node.op or "gte"
        if op == "top_percent":
            return self.top_percent(node, ev, evs, scope)
        if agg == "count":
            return self.count(node, op, ev, evs, scope)
        prop = node.property or ""
        unit = self.property_unit(node.event, prop)
        label = self.property_label(node.event, prop)
        thr = self.threshold(op, node.value, node.values, unit)
        if agg == "sum":
            if unit is not None and unit.upper() in CURRENCIES:
                bare = w.cmp[op].format(
                    v=money(node.value or 0, unit, w, self.lang),
                    a=money((node.values or [0, 0])[0], unit, w, self.lang),
                    b=money((node.values or [0, 0])[-1], unit, w, self.lang))
                return w.sum_money.format(thr=bare, evs=evs, scope=scope)
            return w.sum_other.format(label=label, of_label=w.of(label), thr=thr, evs=evs,
                                      scope=scope)
        pfem = w.feminine(label)
        template = {"avg": w.avg_of, "min": w.min_of, "max": w.max_of}[agg]
        return template.format(a=gender(w.one, pfem), avg=gender(w.avg, pfem), label=label,
                               thr=thr, ev=ev, evs=evs, scope=scope)

    def top_percent(self, node: EventCondition, ev: str, evs: str, scope: str) -> str:
        """« dans les 10 % de clients ayant le plus dépensé sur les achats … »."""
        w = self.w
        p = w.percent.format(p=format_number(float(node.value or 0), self.lang))
        of_who = w.of(self.who())
        agg = node.aggregate
        if agg == "count":
            return w.top_count.format(p=p, of_who=of_who, of_evs=w.of(evs), scope=scope)
        prop = node.property or ""
        unit = self.property_unit(node.event, prop)
        if agg == "sum" and unit is not None and unit.upper() in CURRENCIES:
            return w.top_spend.format(p=p, of_who=of_who, evs=evs, scope=scope)
        label = self.property_label(node.event, prop)
        fem = w.feminine(label) and agg != "sum"  # « le total », whatever the label
        measure = w.measure[agg].format(label=label, of_label=w.of(label),
                                        avg=gender(w.avg, fem))
        per = (w.per_event if agg == "avg" else w.across).format(ev=ev, evs=evs)
        return w.top_measure.format(p=p, of_who=of_who, the=gender(w.article, fem),
                                    measure=measure, highest=gender(w.highest, fem), per=per,
                                    scope=scope)

    def count(self, node: EventCondition, op: str, ev: str, evs: str, scope: str) -> str:
        w = self.w
        if op == "ne":
            text = w.count_ne.format(of_evs=w.of(evs), scope=scope,
                                     v=format_number(node.value or 0, self.lang))
            return w.has_count.format(count=text)
        if op == "between":
            a, b = node.values or (0, 0)
            text = w.count[op].format(a=format_number(a, self.lang),
                                      b=format_number(b, self.lang), n=evs)
        else:
            v = node.value or 0
            text = w.count[op].format(v=format_number(v, self.lang),
                                      n=ev if w.singular(v) else evs)
        return w.has_count.format(count=text + scope)

    # -- groups -------------------------------------------------------------------------------
    def node(self, node: Condition, nested: bool = False) -> str:
        """One condition; ``nested`` groups are wrapped in parentheses."""
        if isinstance(node, (All, AnyOf)):
            items = _flatten(node)
            if len(items) == 1:
                return self.node(items[0], nested)
            text = self.all(items) if isinstance(node, All) else self.any(items)
            return f"({text})" if nested else text
        if isinstance(node, Not):
            positive = _negated(node)
            if positive is not None:
                return positive(self)
            return self.exclusion([node.condition])
        if isinstance(node, Attribute):
            return self.attribute(node)
        if isinstance(node, Age):
            return self.age(node)
        if isinstance(node, DateIn):
            return self.date_in(node)
        if isinstance(node, Score):
            return self.score(node)
        if isinstance(node, EventCondition):
            return self.event(node)
        return self.segment(node)

    def all(self, items: Sequence[Condition]) -> str:
        """Kept conditions joined by « et », then the exclusions (« sauf ceux … »)."""
        kept = [c for c in items if not _is_exclusion(c)]
        dropped = [c.condition for c in items if isinstance(c, Not) and _is_exclusion(c)]
        parts: list[str] = []
        if kept:
            parts.append(self.join([self.node(c, nested=True) for c in kept], self.w.and_))
        if dropped:
            parts.append(self.exclusion(dropped))
        return ", ".join(parts)

    def any(self, items: Sequence[Condition]) -> str:
        parts = [self.w.negate.format(x=self.node(c.condition))
                 if isinstance(c, Not) and _is_exclusion(c) else self.node(c, nested=True)
                 for c in items]
        return self.join(parts, self.w.or_)

    def exclusion(self, conditions: Sequence[Condition]) -> str:
        """« sauf ceux A ou B »: any of them excludes."""
        inner = self.join([self.node(c, nested=True) for c in conditions], self.w.or_)
        those = gender(self.w.those, self.who_feminine())
        return self.w.exclude.format(those=those, x=inner)

    # -- the rule -----------------------------------------------------------------------------
    def rule(self, rule: Rule) -> str:
        where = rule.where
        body = self.node(where)
        sep = ", " if _starts_with_exclusion(where) else " "
        text = self.who() + sep + body
        if rule.channel is not None:
            text += self.channel(rule.channel)
        return _sentence(text)

    def channel(self, name: str) -> str:
        w = self.w
        ch = self.cat.channels.get(name)
        if ch is None:
            return w.channel.format(channel=name, who=self.who(), consent=name)
        if ch.consent is None:
            contact = self.column_label(ch.contact) if ch.contact is not None else "—"
            return w.channel_no_consent.format(channel=ch.label.get(self.lang), who=self.who(),
                                               contact=contact)
        text = w.channel.format(channel=ch.label.get(self.lang), who=self.who(),
                                consent=self.column_label(ch.consent))
        if ch.contact is not None:
            text += w.channel_contact.format(contact=self.column_label(ch.contact))
        return text

    def consent_step(self, name: str) -> str:
        """The channel's consent filter as a funnel step (« consentement SMS : oui, … »)."""
        ch = self.cat.channels[name]
        text = (self.w.consent_step_none if ch.consent is None
                else self.w.consent_step.format(consent=self.column_label(ch.consent)))
        if ch.contact is not None:
            text += self.w.consent_step_contact.format(contact=self.column_label(ch.contact))
        return text


def _as_float(x: Scalar | None) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x)


def _flatten(node: All | AnyOf) -> list[Condition]:
    """Children of a group, with same-kind subgroups merged (AND of ANDs is one AND)."""
    out: list[Condition] = []
    for c in node.conditions:
        if type(c) is type(node):
            assert isinstance(c, (All, AnyOf))
            out.extend(_flatten(c))
        else:
            out.append(c)
    return out


def _negated(node: Not) -> Callable[[Describer], str] | None:
    """A negation that reads as a positive phrase (not not X; not exists; not none)."""
    inner = node.condition
    if isinstance(inner, Not):
        target = inner.condition
        return lambda d: d.node(target)
    if isinstance(inner, EventCondition) and inner.aggregate in ("exists", "none"):
        return lambda d: d.event(inner, negated=True)
    return None


def _is_exclusion(node: Condition) -> bool:
    return isinstance(node, Not) and _negated(node) is None


def _starts_with_exclusion(node: Condition) -> bool:
    if _is_exclusion(node):
        return True
    if isinstance(node, All):
        items = _flatten(node)
        return all(_is_exclusion(c) for c in items) or (
            len(items) == 1 and _starts_with_exclusion(items[0]))
    return False


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."
