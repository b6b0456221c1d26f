"""Which words of the request does no rule node come from?

Every node of a rule records the request phrase it came from (``phrase``). A content word of
the request that no phrase covers was not used: either it is noise, or a condition was lost
(the costly kind of misreading: a dropped condition makes the audience wider). This works for
any translator — the local one, an LLM, or a reviewer's edit that removed a condition — from
the rule alone.

>>> from nl2seg.catalog import load_catalog
>>> from nl2seg.rule import Attribute, Rule
>>> vip = Attribute(field="crm.customers.loyalty_tier", op="eq", value="vip", phrase="VIP")
>>> uncovered_words(Rule(where=vip, request="clients VIP lyonnais"), load_catalog())
['lyonnais']
"""

from __future__ import annotations

import re
from typing import Any

from nl2seg.catalog.models import Catalog
from nl2seg.rule.nodes import AnyOf, Attribute, Condition, EventCondition, Not, Rule, walk
from nl2seg.translate import grammar as g
from nl2seg.translate.expected import stated_size_span
from nl2seg.translate.normalize import fold, keys, stems, tokenize

_GROUPS = frozenset({"all", "any"})  # their children say which words they came from


def _phrases(node: Any) -> list[str]:
    out: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "phrase" and isinstance(v, str) and v.strip():
                if node.get("kind") not in _GROUPS:  # merged values "a / b", cut runs "a … b"
                    out += [p for p in re.split(r" / | … ", v) if p.strip()]
            else:
                out += _phrases(v)
    elif isinstance(node, list):
        for v in node:
            out += _phrases(v)
    return out


def _neutral(catalog: Catalog, channel: str | None) -> set[str]:
    """Keys that never carry a condition: filler, connectors, negations, comparators, the
    audience's own name, and the activation channel's words when the rule has that channel."""
    words = set(g.FILLER) | g.ACTIVATE | g.TIMES
    for group in (g.AND, g.OR, g.EXCLUDE, g.NOT, g.NEVER):
        words |= {k for s in group for k in s}
    words |= {k for s, _ in g.COMPARATORS for k in s}
    ent = catalog.entity.label
    table = catalog.tables[catalog.entity.table].label
    for label in [ent.en, ent.fr, *([table.en, table.fr] if table else [])]:
        words |= set(keys(label))
    if channel is not None and channel in catalog.channels:
        ch = catalog.channels[channel]
        for w in [*(ch.words.all() if ch.words else []), ch.label.en, ch.label.fr]:
            words |= set(keys(w))
    return words


def uncovered_words(rule: Rule, catalog: Catalog) -> list[str]:
    """Content words of ``rule.request`` outside every node's phrase (empty without a
    request, or when no node records a phrase: nothing to compare)."""
    request = rule.request or ""
    phrases = _phrases(rule.where.model_dump())
    if not request.strip() or not phrases:
        return []
    text = fold(request)
    covered = [False] * len(text)
    for p in phrases:
        needle = fold(p)
        start = text.find(needle)
        while needle and start >= 0:
            covered[start:start + len(needle)] = [True] * len(needle)
            start = text.find(needle, start + 1)
    size = stated_size_span(request)
    if size is not None:  # "environ 5 000 clients": the size check's, not a condition
        covered[size[1]:size[2]] = [True] * (size[2] - size[1])
    neutral = _neutral(catalog, rule.channel)
    out: list[str] = []
    for t in tokenize(request):
        if t.key in neutral or any(covered[t.start:t.end]):
            continue
        out.append(t.surface)
    return list(dict.fromkeys(out))


_OR_WORDS = frozenset(k for s in g.OR for k in s)
_NEG_WORDS = stems("pas", "not", "no", "aucun", "aucune", "sans", "without", "jamais", "never",
                   "sauf", "except", "excepté", "hormis", "excluding", "ni", "nor", "none",
                   "rien", "nothing", "didn", "haven", "hasn", "don", "doesn")


_POSSESSIVES = frozenset({"nos", "vos"})  # "nos clientes": stems like "no"


_NEGATIVE_OPS = frozenset({"ne", "not_in", "lt", "lte"})


def _negative(node: Condition) -> bool:
    """Does this condition exclude anyone by itself (NOT, "none", ≠, <, false, = 0)?"""
    if isinstance(node, Not):
        return True
    if isinstance(node, EventCondition) and (
            node.aggregate == "none" or (node.op == "eq" and node.value == 0)
            or any(f.op in _NEGATIVE_OPS for f in node.filters)):
        return True
    return getattr(node, "op", None) in _NEGATIVE_OPS or (
        isinstance(node, Attribute) and node.value is False)


def _value_words(catalog: Catalog, node: Attribute) -> set[str]:
    """Keys of the catalog words of an attribute's values ("sans carte" for tier none)."""
    if not catalog.has_column(node.field):
        return set()
    wanted = {node.value, *(node.values or [])}
    out: set[str] = set()
    for v in catalog.column(node.field).values or []:
        if v.value in wanted:
            for w in [*(v.words.all() if v.words else []),
                      *([v.label.en, v.label.fr] if v.label else [])]:
                out |= set(keys(w))
    return out


def structure_mismatches(rule: Rule, catalog: Catalog) -> list[str]:
    """How the rule's logic departs from the request's connectors: ``or_not_asked`` (an OR
    the request never says: "VIP et Parisiens" read as either) and ``negation_lost`` (the
    request says "pas" / "never" / "sauf" and nothing in the rule excludes anyone)."""
    request = rule.request or ""
    if not request.strip():
        return []
    toks = {t.key for t in tokenize(request) if t.word not in _POSSESSIVES}
    nodes = walk(rule.where)
    out = []
    if any(isinstance(n, AnyOf) for n in nodes) and not toks & _OR_WORDS:
        out.append("or_not_asked")
    if toks & _NEG_WORDS and not any(_negative(n) for n in nodes):
        said = set().union(*(_value_words(catalog, n) for n in nodes
                             if isinstance(n, Attribute)))
        if (toks & _NEG_WORDS) - said:  # "sans carte" is a value, not a lost negation
            out.append("negation_lost")
    return out
