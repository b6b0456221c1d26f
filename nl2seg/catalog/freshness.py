"""How fresh an event source is: its latest event against the reference date.

A source that stopped loading still answers every query, just with old data: "bought in the
last 30 days" quietly shrinks. ``catalog check`` says, for each event source, the day of its
latest event and how far it is from the reference date, and calls it *stale* when that gap
is more than twice what its refresh promises (cadence plus lag).

The reference date is a day, the data's "today", and windows end with it (``as_of + 1
day``): the gap is measured from the end of that day to the latest event (a DATE event at
the end of its day), so a daily source loaded up to yesterday evening is on time.

>>> import datetime as dt
>>> from nl2seg.catalog.models import Refresh
>>> freshness("events.purchase.sources[web]", dt.date(2003, 1, 2), dt.date(2003, 1, 2),
...           Refresh(cadence="daily", lag_hours=24))
'events.purchase.sources[web]: latest 2003-01-02, 0 days before the reference date 2003-01-02'
>>> freshness("events.purchase.sources[web]", dt.date(2002, 12, 20), dt.date(2003, 1, 2),
...           Refresh(cadence="daily", lag_hours=24))  # doctest: +NORMALIZE_WHITESPACE
'events.purchase.sources[web]: latest 2002-12-20, 13 days before the reference date
 2003-01-02 — stale: more than 2 × (daily refresh + 24 h lag) = 4 days behind'
"""

from __future__ import annotations

import datetime as dt

from nl2seg.catalog.models import Refresh

#: The hours between two loads of a source, by cadence.
CADENCE_HOURS = {"realtime": 0.0, "hourly": 1.0, "daily": 24.0, "weekly": 168.0}


def allowed_gap(refresh: Refresh) -> dt.timedelta:
    """How far behind the reference date a source may be before it is stale: twice its
    cadence plus lag (a load may be late once, not twice)."""
    return dt.timedelta(hours=2 * (CADENCE_HOURS[refresh.cadence] + refresh.lag_hours))


def gap(latest: dt.date | dt.datetime, as_of: dt.date) -> dt.timedelta:
    """From the latest event to the end of the reference day (negative: after it)."""
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    if isinstance(latest, dt.datetime):
        moment = latest.replace(tzinfo=None)
    else:  # a DATE event may have happened at any time of its day
        moment = dt.datetime.combine(latest + dt.timedelta(days=1), dt.time())
    return end - moment


def freshness(where: str, latest: dt.date | dt.datetime, as_of: dt.date,
              refresh: Refresh, rows: int | None = None) -> str:
    """One note: the latest event's day, its distance to the reference date (and the
    source's row count), and "stale" when the source is further behind than
    :func:`allowed_gap`."""
    day = latest.date() if isinstance(latest, dt.datetime) else latest
    days = (as_of - day).days
    side = "before" if days >= 0 else "after"
    text = (f"{where}: latest {day.isoformat()}, {_days(abs(days))} {side} the reference date "
            f"{as_of.isoformat()}" + (f" ({rows:,} rows)" if rows is not None else ""))
    allowed = allowed_gap(refresh)
    if gap(latest, as_of) > allowed:
        text += (f" — stale: more than 2 × ({refresh.cadence} refresh + "
                 f"{refresh.lag_hours:g} h lag) = {_span(allowed)} behind")
    return text


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _span(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours >= 24 and hours % 24 == 0:
        return _days(int(hours // 24))
    return f"{hours:g} h"
