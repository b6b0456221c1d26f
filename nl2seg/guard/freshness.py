"""The reference date the windows count from, and data older than the window asked for
(issue 11 §5). :func:`reference_date_checks` gives both to
:func:`~nl2seg.guard.warnings.assess`:

- ``reference_date`` (info): where the reference date came from, for a rule whose audience
  depends on it (a window counted back from it, an age) — notably that it is today's date
  because the catalog gives none. The line is :func:`nl2seg.readback.describe_reference`'s;
  an explicit ``--as-of`` gives none.
- ``stale_data`` (warning): an event condition whose window starts after the event's latest
  occurrence in the data. The window cannot hold one, whoever the customer: the condition keeps
  nobody (or, negated — "no purchase in the last 6 months" — everybody) for a reason that has
  nothing to do with the customers. It is what an extract ending in 2003 read with today's date
  gives. It must be acknowledged but does not block: an event can truly be rare (no return in
  six months) or a source retired, and the reviewer may approve that audience knowingly; a
  positive condition on it empties the audience, which ``volume_empty`` already blocks.

The context holds the reference date's day, not its origin: :func:`nl2seg.reference.origin_of`
finds it again from the catalog and the database (a day other than the catalog's was given
explicitly). Both checks ask the data whether an occurrence exists on or after a day, which
stops at the first one found; the latest day is computed only for a warning's message.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from nl2seg.errors import DatabaseError
from nl2seg.readback import describe_reference
from nl2seg.readback.formatting import PHRASEBOOKS
from nl2seg.readback.phrasebook import gender
from nl2seg.reference import latest_day, occurs_since, origin_of, uses_reference_date
from nl2seg.rule.nodes import EventCondition, walk
from nl2seg.windows import resolve

if TYPE_CHECKING:  # warnings.py imports this module: no cycle at run time
    from nl2seg.guard.warnings import Context, GuardWarning


def reference_date_checks(ctx: Context) -> list[GuardWarning]:
    """The ``reference_date`` line, then the ``stale_data`` warnings."""
    return reference_note(ctx) + stale_data(ctx)


def reference_note(ctx: Context) -> list[GuardWarning]:
    from nl2seg.guard.warnings import GuardWarning

    if not uses_reference_date(ctx.compiled.validated.rule):
        return []
    ref = origin_of(ctx.catalog, ctx.con, ctx.as_of)
    text = describe_reference(ref, ctx.catalog, ctx.lang)
    if text is None:
        return []
    return [GuardWarning(code="reference_date", severity="info",
                         title="Date de référence" if ctx.lang == "fr" else "Reference date",
                         explanation=text,
                         data={"as_of": ref.day.isoformat(), "origin": ref.origin})]


def stale_data(ctx: Context) -> list[GuardWarning]:
    """One warning per event condition whose window starts after the event's latest day."""
    from nl2seg.guard.warnings import GuardWarning

    if ctx.con is None:
        return []
    stale: dict[tuple[str, dt.date], dt.date | None] = {}
    out: dict[str, GuardWarning] = {}
    for node in walk(ctx.compiled.validated.rule.where):
        if not isinstance(node, EventCondition) or node.window is None:
            continue
        start = resolve(node.window, ctx.as_of).start
        if start is None:
            continue
        if (node.event, start) not in stale:
            stale[node.event, start] = _latest_before(ctx, node.event, start)
        last = stale[node.event, start]
        if last is None:
            continue
        w = GuardWarning(
            code="stale_data", severity="warning", phrase=node.phrase,
            title=("Données plus anciennes que la période" if ctx.lang == "fr"
                   else "Data older than the window"),
            explanation=_explain(ctx, node, start, last),
            data={"event": node.event, "window_start": start.isoformat(),
                  "latest": last.isoformat(), "as_of": ctx.as_of.isoformat()})
        out.setdefault(w.id, w)
    return list(out.values())


def _latest_before(ctx: Context, event: str, start: dt.date) -> dt.date | None:
    """The day of ``event``'s latest occurrence when it is before ``start``, else None (also
    when it has none, or the data cannot be read: a check, never a failure)."""
    assert ctx.con is not None
    try:
        if occurs_since(ctx.catalog, ctx.con, event, start):  # stops at the first: the usual
            return None
        return latest_day(ctx.catalog, ctx.con, event)
    except DatabaseError:
        return None


def _explain(ctx: Context, node: EventCondition, start: dt.date, last: dt.date) -> str:
    label = ctx.catalog.events[node.event].label.get(ctx.lang)
    what = node.phrase or (node.window.phrase if node.window else None) or label
    if ctx.lang == "en":
        return (f"\"{what}\": the window starts on {start.isoformat()}, but the latest {label} "
                f"in the data is on {last.isoformat()}: the window holds none, whoever the "
                f"customer. Does the data stop there? Pass --as-of {last.isoformat()}, or "
                f"declare reference_date in the catalog (e.g. {{latest: {node.event}}}).")
    w = PHRASEBOOKS["fr"]
    fem = w.feminine(label)
    return (f"« {what} » : la période commence le {start.isoformat()}, mais "
            f"{gender(w.article, fem)} {gender(w.last, fem)} {label} des données date du "
            f"{last.isoformat()} : la période n'en contient {gender(w.none, fem)}, quel que soit "
            f"le client. Les données s'arrêtent-elles là ? Passez --as-of {last.isoformat()}, ou "
            f"déclarez reference_date dans le catalogue (par ex. {{latest: {node.event}}}).")
