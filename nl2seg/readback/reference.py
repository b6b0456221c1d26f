"""Where the reference date came from, as an assumption line the reviewer reads with the rule.

Every window is counted back from the reference date. When neither the command line nor the
catalog gives one, it is today's date: right on live data, wrong on an extract that ends years
ago ("the last 6 months" then holds nobody). The line says which it is, and how to change it.

>>> import datetime as dt
>>> from nl2seg.catalog import load_catalog
>>> from nl2seg.reference import AsOf
>>> ref = AsOf(dt.date(2026, 6, 30), "data", "meta.dataset.reference_date")
>>> describe_reference(ref, load_catalog(), "en")
'reference date: 2026-06-30, the latest value of meta.dataset.reference_date'
"""

from __future__ import annotations

from nl2seg.catalog.models import Catalog, Lang, ReferenceDate
from nl2seg.readback.formatting import PHRASEBOOKS
from nl2seg.readback.phrasebook import Phrasebook, gender
from nl2seg.reference import AsOf, uses_reference_date
from nl2seg.rule.nodes import Rule


def describe_reference(ref: AsOf, catalog: Catalog, lang: Lang = "fr",
                       rule: Rule | None = None) -> str | None:
    """The reference date and its origin in ``lang``; None when the user gave it (``--as-of``)
    or when ``rule`` is given and its audience does not depend on it (no window counted back
    from it, no age)."""
    if ref.origin == "explicit" or (rule is not None and not uses_reference_date(rule)):
        return None
    w = PHRASEBOOKS[lang]
    day = ref.day.isoformat()
    if ref.origin == "stated":
        return w.reference_stated.format(d=day)
    what = _source(catalog, w, lang)
    if ref.origin == "data":
        return w.reference_data.format(d=day, what=what)
    if catalog.reference_date is None:
        return w.reference_today.format(d=day)
    return w.reference_unread.format(d=day, what=what)


def _source(catalog: Catalog, w: Phrasebook, lang: Lang) -> str:
    """What the catalog reads its reference date from, in words: a column (its label when the
    catalog declares it), or the day of an event's latest occurrence (of one source)."""
    ref = catalog.reference_date
    if isinstance(ref, str):
        label = ref
        if catalog.has_column(ref):
            labels = catalog.column(ref).label
            label = labels.get(lang) if labels is not None else ref
        return w.reference_column.format(column=label)
    if isinstance(ref, ReferenceDate) and ref.latest is not None:
        event = catalog.events[ref.latest].label.get(lang)
        source = f" ({ref.source})" if ref.source else ""
        return w.reference_event.format(latest=gender(w.reference_latest, w.feminine(event)),
                                        event=event, source=source)
    return ""
