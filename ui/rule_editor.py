"""The rule editor: one line per top-level condition (exclude, remove, change it), the AND/OR
and the channel, and a form to add a condition; widgets fed by the catalog's fields and
closed values, every change through ``ui.actions.edit_rule``."""

from __future__ import annotations

from typing import Any

import streamlit as st

from nl2seg import edit
from nl2seg.catalog.models import type_family
from nl2seg.errors import Nl2SegError
from nl2seg.readback import describe_condition
from nl2seg.rule.nodes import (
    Age,
    Attribute,
    Condition,
    EventCondition,
    LastWindow,
    Not,
    PropertyFilter,
    Rule,
    Score,
)
from ui.actions import add_condition, edit_rule
from ui.i18n import lang, plain, t
from ui.state import catalog, ss

OPS = ["eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "between"]
AGGREGATES = ["exists", "none", "count", "sum", "avg"]
UNITS = ["day", "week", "month", "quarter", "year"]


def rule_editor(rule: Rule) -> None:
    cat = catalog()
    st.subheader(t("Modifier la règle", "Edit the rule"))
    how = edit.combiner(rule)
    choice = st.radio(t("Combiner les conditions", "Combine conditions"), ["all", "any"],
                      index=0 if how == "all" else 1, horizontal=True, key="combiner",
                      format_func=lambda x: t("toutes (ET)", "all (AND)") if x == "all"
                      else t("au moins une (OU)", "any (OR)"))
    if choice != how:
        edit_rule(lambda r: edit.set_combiner(r, "any" if choice == "any" else "all"))
        st.rerun()
    day = ss.as_of
    for i, cond in enumerate(edit.top(rule)):
        c1, c2, c3 = st.columns([6, 1, 1])
        excluded = isinstance(cond, Not)
        c1.markdown(f"**{i + 1}.** " + plain(describe_condition(cond, cat, day, lang())))
        c2.button(t("Inclure", "Include") if excluded else t("Exclure", "Exclude"),
                  key=f"excl_{i}", on_click=edit_rule,
                  args=(lambda r, i=i: edit.toggle_exclude(r, i),))
        c3.button(t("Retirer", "Remove"), key=f"rm_{i}", on_click=edit_rule,
                  args=(lambda r, i=i: edit.remove(r, i),))
        inner = cond.condition if isinstance(cond, Not) else cond
        with st.expander(t(f"Changer la condition {i + 1}", f"Change condition {i + 1}")):
            changed = condition_widgets(f"c{i}", inner)
            if changed is not None and st.button(t("Appliquer", "Apply"), key=f"apply_{i}"):
                new: Condition = Not(condition=changed, phrase=cond.phrase) if excluded \
                    else changed
                edit_rule(lambda r, i=i, new=new: edit.replace(r, i, new))
                st.rerun()
    channels = ["—", *cat.channels]
    current = rule.channel or "—"
    ch = st.selectbox(t("Canal d'activation", "Activation channel"), channels,
                      index=channels.index(current), key="channel_select")
    if ch != current:
        edit_rule(lambda r: edit.set_channel(r, None if ch == "—" else ch))
        st.rerun()
    with st.expander(t("Ajouter une condition", "Add a condition")):
        kind = st.selectbox(t("Type", "Kind"), ["attribute", "score", "age", "event"],
                            key="new_kind", format_func=lambda k: {
                                "attribute": t("profil", "profile"), "score": "score",
                                "age": t("âge", "age"), "event": t("comportement (événement)",
                                                                   "behaviour (event)")}[k])
        template = _template(kind)
        new_cond = condition_widgets("new", template) if template is not None else None
        if new_cond is not None:
            st.button(t("Ajouter", "Add"), key="add_condition", on_click=add_condition,
                      args=(new_cond,))


def _template(kind: str) -> Condition | None:
    cat = catalog()
    if kind == "attribute":
        return Attribute(field=f"{cat.entity.table}.{_profile_fields()[0].split('.')[-1]}",
                         op="eq", value=_first_value(_profile_fields()[0]))
    if kind == "score":
        fields = _score_fields()
        return Score(field=fields[0], op="gt", value=0.5) if fields else None
    if kind == "age":
        birth = next((f for f in cat.profile_fields() if cat.column(f).role == "birth_date"),
                     None)
        return Age(field=birth, op="gte", value=50) if birth else None
    return EventCondition(event=next(iter(cat.events)), window=LastWindow(n=12, unit="month"))


def _profile_fields() -> list[str]:
    cat = catalog()
    ent = cat.entity.table
    return [f for f in cat.profile_fields() if f.startswith(ent + ".")
            and not cat.column(f).pii and cat.column(f).family in ("text", "number", "boolean")
            and f.split(".")[-1] != cat.entity.key]


def _score_fields() -> list[str]:
    cat = catalog()
    return [f for f in cat.profile_fields() if cat.tables[f.rsplit(".", 1)[0]].frozen
            and cat.column(f).family == "number"]


def _first_value(field: str) -> Any:
    vals = catalog().column(field).value_names()
    return vals[0] if vals else ""


def _value_widget(key: str, values: list[Any] | None, family: str, op: str,
                  current: Any) -> tuple[Any, list[Any] | None]:
    """(value, values) for ``op`` with widgets fed by the catalog's closed values."""
    if op in ("in", "not_in"):
        opts = values or []
        chosen = st.multiselect(t("Valeurs", "Values"), opts, key=f"{key}_vals",
                                default=[v for v in (current or []) if v in opts][:5])
        return None, list(chosen) or None
    if op == "between":
        a = st.number_input(t("De", "From"), key=f"{key}_lo", value=0.0)
        b = st.number_input(t("À", "To"), key=f"{key}_hi", value=100.0)
        return None, [a, b]
    if values:
        idx = values.index(current) if current in values else 0
        return st.selectbox(t("Valeur", "Value"), values, index=idx, key=f"{key}_val"), None
    if family == "number":
        return st.number_input(t("Valeur", "Value"), key=f"{key}_num",
                               value=float(current) if isinstance(current, (int, float))
                               else 0.0), None
    if family == "boolean":
        return st.checkbox(t("Oui", "Yes"), key=f"{key}_bool", value=bool(current)), None
    return st.text_input(t("Valeur", "Value"), key=f"{key}_txt", value=str(current or "")), None


def condition_widgets(key: str, cond: Condition) -> Condition | None:
    """Widgets to change one condition; the condition they describe (None if invalid)."""
    cat = catalog()
    try:
        if isinstance(cond, (Attribute, Score)):
            fields = _profile_fields() if isinstance(cond, Attribute) else _score_fields()
            if cond.field not in fields:
                fields = [cond.field, *fields]
            f = st.selectbox(t("Champ", "Field"), fields, index=fields.index(cond.field),
                             key=f"{key}_field")
            col = cat.column(f)
            ops = OPS if col.family != "text" else ["eq", "ne", "in", "not_in"]
            op = st.selectbox(t("Opérateur", "Operator"), ops,
                              index=ops.index(cond.op) if cond.op in ops else 0,
                              key=f"{key}_op")
            value, values = _value_widget(key, col.value_names() or None, col.family, op,
                                          cond.values if op in ("in", "not_in")
                                          else cond.value)
            node = Attribute if isinstance(cond, Attribute) else Score
            return node(field=f, op=op, value=value, values=values,
                        phrase=cond.phrase)
        if isinstance(cond, Age):
            op = st.selectbox(t("Opérateur", "Operator"), OPS[4:], key=f"{key}_op",
                              index=OPS[4:].index(cond.op) if cond.op in OPS[4:] else 0)
            if op == "between":
                lo = st.number_input(t("De", "From"), 0, 120, 25, key=f"{key}_lo")
                hi = st.number_input(t("À", "To"), 0, 120, 34, key=f"{key}_hi")
                return Age(field=cond.field, op="between", values=[int(lo), int(hi)],
                           phrase=cond.phrase)
            n = st.number_input(t("Âge", "Age"), 0, 120, int(cond.value or 50), key=f"{key}_age")
            return Age(field=cond.field, op=op, value=int(n), phrase=cond.phrase)
        if isinstance(cond, EventCondition):
            return event_widgets(key, cond)
    except (ValueError, Nl2SegError) as exc:
        st.caption(f"⚠ {plain(exc)}")
        return None
    st.caption(t("Condition composée : modifiable en la retirant puis en la recréant.",
                 "Compound condition: remove it and add its parts again to change it."))
    return None


def event_widgets(key: str, cond: EventCondition) -> EventCondition:
    cat = catalog()
    events = list(cat.events)
    ev = st.selectbox(t("Événement", "Event"), events, index=events.index(cond.event),
                      key=f"{key}_event", format_func=lambda e: cat.events[e].label.get(lang()))
    agg = st.selectbox(t("Agrégat", "Aggregate"), AGGREGATES, key=f"{key}_agg",
                       index=AGGREGATES.index(cond.aggregate)
                       if cond.aggregate in AGGREGATES else 0)
    kw: dict[str, Any] = {"event": ev, "aggregate": agg, "phrase": cond.phrase}
    if agg in ("count", "sum", "avg"):
        ops = ["gte", "gt", "lte", "lt", "eq"]
        kw["op"] = st.selectbox(t("Seuil", "Threshold"), ops, key=f"{key}_aop",
                                index=ops.index(cond.op) if cond.op in ops else 0)
        kw["value"] = st.number_input(t("Valeur", "Value"), key=f"{key}_aval",
                                      value=float(cond.value or (2 if agg == "count" else 100)))
        if agg == "count":
            kw["value"] = int(kw["value"])
        else:
            numeric = [p for p, d in cat.events[ev].properties.items()
                       if type_family(d.type) == "number"]
            kw["property"] = numeric[0] if numeric else None
    filters = list(cond.filters) if ev == cond.event else []
    props = [p for p in cat.events[ev].properties if cat.property_values(ev, p)]
    out_filters: list[PropertyFilter] = []
    for j, f in enumerate(filters):
        keep = st.checkbox(f"{f.property} = {f.value if f.values is None else f.values}",
                           value=True, key=f"{key}_keepf{j}")
        if keep:
            out_filters.append(f)
    if props:
        p = st.selectbox(t("Filtre", "Filter"), ["—", *props], key=f"{key}_fprop")
        if p != "—":
            vals = [v.value for v in cat.property_values(ev, p) or []]
            v = st.selectbox(t("Valeur du filtre", "Filter value"), vals, key=f"{key}_fval")
            out_filters.append(PropertyFilter(property=p, op="eq", value=v))
    kw["filters"] = out_filters
    has_window = st.checkbox(t("Période", "Window"), value=cond.window is not None,
                             key=f"{key}_haswin")
    if has_window or agg in ("first", "last"):
        n0 = cond.window.n if isinstance(cond.window, LastWindow) else 12
        u0 = cond.window.unit if isinstance(cond.window, LastWindow) else "month"
        n = st.number_input(t("Derniers", "Last"), 1, 1000, int(n0), key=f"{key}_n")
        u = st.selectbox(t("Unité", "Unit"), UNITS, index=UNITS.index(u0), key=f"{key}_u")
        kw["window"] = LastWindow(n=int(n), unit=u)
    return EventCondition(**kw)
