"""The generic concepts of semantics.md found through catalog metadata only.

Role tags on columns (``birth_date``, ``signup_date``) name profile concepts. The catalog has
no tag for "the purchase-like event" yet: it is the event labelled "purchase" in English, else
the one event with a money property (``unit``) — a ``role: purchase`` field on events would
make this explicit.
"""

from __future__ import annotations

from nl2seg.catalog.models import Catalog


def role_field(catalog: Catalog, role: str) -> str | None:
    for name in catalog.profile_fields():
        if catalog.column(name).role == role:
            return name
    return None


def purchase_event(catalog: Catalog) -> str | None:
    for name, ev in catalog.events.items():
        if getattr(ev, "role", None) == "purchase":
            return name
    for name, ev in catalog.events.items():
        if ev.label.en.lower() in {"purchase", "purchases", "sale", "sales"}:
            return name
    money = [n for n, ev in catalog.events.items()
             if any(p.unit for p in ev.properties.values())]
    return money[0] if len(money) == 1 else None


def money_property(catalog: Catalog, event: str) -> str | None:
    for name, prop in catalog.events[event].properties.items():
        if prop.unit:
            return name
    return None
