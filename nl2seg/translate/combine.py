"""Clause conditions → the rule's condition: AND, OR with precedence, a window or filter
said once for several clauses, value lists of one field."""
from __future__ import annotations

from typing import Any

from nl2seg.rule.nodes import (
    Age,
    All,
    AnyOf,
    Attribute,
    Condition,
    DateIn,
    EventCondition,
    Not,
    Window,
)
from nl2seg.translate.build import _distinct, build_segment
from nl2seg.translate.clauses import Context, Segment
from nl2seg.translate.items import Item


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
