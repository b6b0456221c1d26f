"""Time windows resolved to concrete dates, per the conventions (semantics.md §1).

Windows are half-open ``[start, end)`` on dates at 00:00; ``end`` of "now" is ``as_of + 1 day``.
``start`` is ``None`` when the window is open to the past. Ends never go past ``as_of + 1 day``:
nothing after the reference date exists for the rule.

>>> import datetime as dt
>>> from nl2seg.rule.nodes import LastWindow
>>> resolve(LastWindow(n=6, unit="month"), dt.date(2026, 6, 30))
Bounds(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 7, 1))
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from nl2seg.rule.nodes import (
    CalendarWindow,
    DatesWindow,
    LastWindow,
    MoreThanAgoWindow,
    Unit,
    Window,
)


class Bounds(NamedTuple):
    start: dt.date | None
    end: dt.date

    @property
    def last_day(self) -> dt.date:
        """The last day inside the window (``end - 1 day``)."""
        return self.end - dt.timedelta(days=1)


def end_of(as_of: dt.date) -> dt.date:
    """The exclusive end of "now": the day after ``as_of``."""
    return as_of + dt.timedelta(days=1)


def shift(day: dt.date, n: int, unit: Unit) -> dt.date:
    """``day`` moved by ``n`` units with calendar arithmetic (months clamp to month end)."""
    if unit == "day":
        return day + dt.timedelta(days=n)
    if unit == "week":
        return day + dt.timedelta(weeks=n)
    if unit == "month":
        return day + relativedelta(months=n)
    if unit == "quarter":
        return day + relativedelta(months=3 * n)
    return day + relativedelta(years=n)


def period_start(day: dt.date, unit: Unit) -> dt.date:
    """First day of the calendar period containing ``day`` (ISO weeks start on Monday)."""
    if unit == "day":
        return day
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    return day.replace(month=1, day=1)


def resolve(window: Window, as_of: dt.date) -> Bounds:
    """Concrete ``[start, end)`` of ``window`` at reference date ``as_of``."""
    end = end_of(as_of)
    if isinstance(window, LastWindow):
        return Bounds(shift(end, -window.n, window.unit), end)
    if isinstance(window, MoreThanAgoWindow):
        return Bounds(None, shift(end, -window.n, window.unit))
    if isinstance(window, CalendarWindow):
        start = shift(period_start(as_of, window.unit), window.offset, window.unit)
        if window.offset == 0:
            return Bounds(start, end)
        return Bounds(start, min(shift(start, 1, window.unit), end))
    assert isinstance(window, DatesWindow)
    stop = end if window.before is None else min(window.before, end)
    return Bounds(window.since, stop)


def everything(as_of: dt.date) -> Bounds:
    """All history up to ``as_of`` (the window of a condition that names none)."""
    return Bounds(None, end_of(as_of))
