"""Catalog concepts ("abandoned cart") turned into rule conditions.

>>> import datetime as dt
>>> from nl2seg.catalog import load_catalog
>>> node = concept_condition(load_catalog(), "abandoned_cart", None, phrase="panier abandonné")
>>> node.kind, [c.aggregate for c in node.conditions], node.conditions[0].window.n
('all', ['exists', 'none'], 7)
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter, ValidationError

from nl2seg.catalog.models import Catalog
from nl2seg.errors import CatalogError
from nl2seg.rule.nodes import All, Condition, Window

_CONDITION: TypeAdapter[Condition] = TypeAdapter(Condition)
_WINDOW: TypeAdapter[Window] = TypeAdapter(Window)


def concept_condition(catalog: Catalog, name: str, window: Window | None,
                      phrase: str | None = None) -> Condition:
    """The concept's conditions (ANDed), with ``window`` (or its default) where it says so."""
    c = catalog.concepts[name]
    win: Any = window.model_dump(mode="json") if window is not None else c.default_window

    def fill(data: Any) -> Any:
        if data == "$window":
            return win
        if isinstance(data, dict):
            return {k: fill(v) for k, v in data.items()}
        if isinstance(data, list):
            return [fill(v) for v in data]
        return data

    try:
        parts = [_CONDITION.validate_python({**fill(d), "phrase": phrase}) for d in c.conditions]
    except ValidationError as exc:
        raise CatalogError(f"concept '{name}' does not define valid conditions: "
                           f"{json.dumps(exc.errors()[0]['loc'])} {exc.errors()[0]['msg']}",
                           code="catalog_concept") from None
    return parts[0] if len(parts) == 1 else All(conditions=parts, phrase=phrase)
