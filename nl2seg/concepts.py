"""Catalog concepts ("abandoned cart", "repeat buyers") turned into rule conditions.

A concept is catalog data (``concepts:`` in the YAML, see docs/catalog.md): its words, its
definition in each language, a default window and the conditions it stands for, where
``"$window"`` marks the window the request gives (else the default; with none, all history).

>>> import datetime as dt
>>> from nl2seg.catalog import load_catalog
>>> cat = load_catalog()
>>> node = concept_condition(cat, "abandoned_cart", None, phrase="panier abandonné")
>>> node.kind, [c.aggregate for c in node.conditions], node.conditions[0].window.n
('all', ['exists', 'none'], 7)
>>> concept_notes(cat, ["repeat_buyers"], "en")
['repeat buyers: at least 2 purchases in the window (by default the last 12 months)']
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from pydantic import TypeAdapter, ValidationError

from nl2seg.catalog.models import Catalog, Concept, Lang
from nl2seg.errors import CatalogError, RuleValidationError
from nl2seg.rule.nodes import All, Condition, Window

_CONDITION: TypeAdapter[Condition] = TypeAdapter(Condition)
_WINDOW: TypeAdapter[Window] = TypeAdapter(Window)
_NOTE = {"fr": "{label} : {definition}", "en": "{label}: {definition}"}


def concept_condition(catalog: Catalog, name: str, window: Window | None,
                      phrase: str | None = None) -> Condition:
    """The concept's conditions (ANDed), with ``window`` (or its default) where it says so."""
    c = catalog.concepts[name]
    try:
        parts = [_CONDITION.validate_python({**d, "phrase": phrase})
                 for d in _filled(c, window, phrase)]
    except ValidationError as exc:
        raise CatalogError(f"concept '{name}' does not define valid conditions: "
                           f"{json.dumps(exc.errors()[0]['loc'])} {exc.errors()[0]['msg']}",
                           code="catalog_concept") from None
    return parts[0] if len(parts) == 1 else All(conditions=parts, phrase=phrase)


def concept_notes(catalog: Catalog, names: Iterable[str], lang: str) -> list[str]:
    """The definition of each concept used, as the reviewer's assumption lines (in order,
    once each): « clients réguliers : au moins 2 achats sur la période (…) »."""
    tongue: Lang = "fr" if lang == "fr" else "en"
    out: list[str] = []
    for name in dict.fromkeys(names):
        c = catalog.concepts[name]
        text = c.definition.get(tongue) if c.definition is not None else c.description
        if text:
            out.append(_NOTE[tongue].format(label=c.label.get(tongue), definition=text))
    return out


def concept_problems(catalog: Catalog) -> list[str]:
    """What is wrong with the catalog's concepts, one line each, saying where and what to do
    (the catalog loader raises them as one :class:`CatalogError`)."""
    problems: list[str] = []
    for name, c in catalog.concepts.items():
        where = f"concepts.{name}"
        if c.definition is None:
            problems.append(f"{where}: add a 'definition: {{en: …, fr: …}}', the sentence the "
                            "reviewer sees as an assumption when a request uses the concept")
        if not c.words.all():
            problems.append(f"{where}: add 'words' (en and fr) so requests can name it")
        if not c.conditions:
            problems.append(f"{where}.conditions: a concept needs at least one condition")
        if c.default_window is not None:
            try:
                _WINDOW.validate_python(c.default_window)
            except ValidationError as exc:
                problems.append(f"{where}.default_window: {_window_error(exc)}; write e.g. "
                                "{kind: last, n: 12, unit: month}")
                continue
        for i, data in enumerate(_filled(c, None)):
            problems += _condition_problems(catalog, data, f"{where}.conditions[{i}]")
    return problems


def _condition_problems(catalog: Catalog, data: dict[str, Any], where: str) -> list[str]:
    """A condition that does not parse, or names what the catalog lacks."""
    from nl2seg.validate import parse_rule, validate

    try:
        validate(parse_rule({"where": data}), catalog, dt.date.today())
    except RuleValidationError as exc:
        return [f"{where}{(e.path or '').removeprefix('where')}: {e.message}"
                for e in exc.errors]
    return []


def _filled(c: Concept, window: Window | None, phrase: str | None = None
            ) -> list[dict[str, Any]]:
    """The concept's conditions as data, ``"$window"`` replaced; a default window carries the
    concept's ``phrase`` (the reviewer's note then reads « gros acheteurs » : du … au …)."""
    win: Any = window.model_dump(mode="json") if window is not None else c.default_window
    if window is None and isinstance(win, dict) and phrase is not None:
        win = {**win, "phrase": phrase}

    def fill(data: Any) -> Any:
        if data == "$window":
            return win
        if isinstance(data, dict):
            return {k: fill(v) for k, v in data.items()}
        if isinstance(data, list):
            return [fill(v) for v in data]
        return data

    return [fill(d) for d in c.conditions]


def _window_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"][1:])  # [0] is the window kind's tag
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg
