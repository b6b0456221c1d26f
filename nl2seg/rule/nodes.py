"""The rule: a typed AST of who belongs to an audience.

Nodes are data only (frozen pydantic models tagged by ``kind``); validation, compilation,
read-back and preview are passes over them in their own modules. Field names are those of the
catalog (``crm.customers.loyalty_tier``), events and their properties are the catalog's
business events (``purchase``, ``channel``). Every node may carry ``phrase``: the words of
the request it came from.

>>> r = Rule(where=Attribute(field="crm.customers.loyalty_tier", op="eq", value="vip"))
>>> r.where.kind
'attribute'
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

Scalar = StrictBool | int | float | str
Unit = Literal["day", "week", "month", "quarter", "year"]

CompareOp = Literal["eq", "ne", "gt", "gte", "lt", "lte", "between"]
ValueOp = Literal[
    "eq", "ne", "gt", "gte", "lt", "lte", "between", "in", "not_in",
    "is_null", "is_not_null", "contains", "starts_with", "ends_with",
]
NO_VALUE_OPS = frozenset({"is_null", "is_not_null"})
LIST_OPS = frozenset({"in", "not_in"})
TEXT_OPS = frozenset({"contains", "starts_with", "ends_with"})
ORDER_OPS = frozenset({"gt", "gte", "lt", "lte", "between"})


def check_arity(op: str, value: object, values: list[Any] | None) -> None:
    """``between`` takes ``values: [low, high]``; every other comparison one ``value``."""
    if op == "between":
        if values is None or len(values) != 2 or value is not None:
            raise ValueError("operator 'between' needs 'values': [low, high]")
    elif value is None or values is not None:
        raise ValueError(f"operator '{op}' needs one 'value'")


def check_top_percent(value: object) -> None:
    """``top_percent`` takes a percentage strictly between 0 and 100."""
    if not (isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 100):
        raise ValueError("operator 'top_percent' needs a 'value' between 0 and 100")


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    phrase: str | None = Field(default=None, description="The request words this node came from.")


# --- time windows -------------------------------------------------------------------------


class LastWindow(_Node):
    """The last ``n`` units up to the end of ``as_of``: ``[end - n units, end)``.

    Also "less than n units ago".
    """

    kind: Literal["last"] = "last"
    n: int = Field(ge=1)
    unit: Unit


class MoreThanAgoWindow(_Node):
    """"More than n units ago": everything before ``end - n units``."""

    kind: Literal["more_than_ago"] = "more_than_ago"
    n: int = Field(ge=1)
    unit: Unit


class CalendarWindow(_Node):
    """A calendar period: ``offset`` 0 is the current one (up to ``as_of``), -1 the previous."""

    kind: Literal["calendar"] = "calendar"
    unit: Unit
    offset: int = Field(default=0, le=0)


class DatesWindow(_Node):
    """Fixed dates: from ``since`` (included) to ``before`` (excluded); either may be open."""

    kind: Literal["dates"] = "dates"
    since: dt.date | None = None
    before: dt.date | None = None


Window = Annotated[
    LastWindow | MoreThanAgoWindow | CalendarWindow | DatesWindow,
    Field(discriminator="kind"),
]


# --- value comparisons --------------------------------------------------------------------


class _Comparison(_Node):
    """``op`` with ``value`` (one), ``values`` (in/not_in, or [low, high] for between)."""

    op: ValueOp
    value: Scalar | None = None
    values: list[Scalar] | None = None

    @model_validator(mode="after")
    def _arity(self) -> _Comparison:
        if self.op in NO_VALUE_OPS:
            if self.value is not None or self.values is not None:
                raise ValueError(f"operator '{self.op}' takes no value")
        elif self.op in LIST_OPS:
            if not self.values or self.value is not None:
                raise ValueError(f"operator '{self.op}' needs a non-empty 'values' list")
        else:
            check_arity(self.op, self.value, self.values)
        return self


class PropertyFilter(_Comparison):
    """A filter on a property of an event (``channel eq 'store'``)."""

    property: str


# --- conditions ---------------------------------------------------------------------------


class Attribute(_Comparison):
    """A profile field of the customer compared with a value."""

    kind: Literal["attribute"] = "attribute"
    field: str


class Age(_Node):
    """Age in full years at ``as_of``, from a birth-date field. No birth date never matches."""

    kind: Literal["age"] = "age"
    field: str
    op: CompareOp
    value: int | None = Field(default=None, ge=0)
    values: list[int] | None = None

    @model_validator(mode="after")
    def _arity(self) -> Age:
        check_arity(self.op, self.value, self.values)
        return self


class DateIn(_Node):
    """A date field falls in a window ("signed up in the last 30 days")."""

    kind: Literal["date"] = "date"
    field: str
    window: Window


class Score(_Comparison):
    """A frozen score compared with a value, or ``top_percent`` (at or above its percentile)."""

    kind: Literal["score"] = "score"
    field: str
    op: ValueOp | Literal["top_percent"]  # type: ignore[assignment]
    value: Scalar | None = None

    @model_validator(mode="after")
    def _top(self) -> Score:
        if self.op == "top_percent":
            check_top_percent(self.value)
        return self


Aggregate = Literal["exists", "none", "count", "sum", "avg", "min", "max", "first", "last"]
NUMERIC_AGGREGATES = frozenset({"count", "sum", "avg", "min", "max"})
DATE_AGGREGATES = frozenset({"first", "last"})


class EventCondition(_Node):
    """What a customer did: events of one kind, filtered, in a window, aggregated.

    - ``exists`` / ``none``: at least one / no matching event in ``window``.
    - ``count`` / ``sum`` / ``avg`` / ``min`` / ``max`` (of ``property``) over the matching
      events in ``window``, compared by ``op`` with ``value`` or ``values``; or
      ``op="top_percent"``: the customer's aggregate is in the top ``value`` % of the customers
      with at least one matching event in ``window`` (at or above the continuous percentile
      ``1 - value/100``, ties at the threshold in), as "big spenders" are.
    - ``first`` / ``last``: the customer's earliest / latest matching event ever (up to
      ``as_of``) falls in ``window``. Customers with no such event never match.
    """

    kind: Literal["event"] = "event"
    event: str
    filters: list[PropertyFilter] = Field(default_factory=list)
    window: Window | None = None
    aggregate: Aggregate = "exists"
    property: str | None = None
    op: CompareOp | Literal["top_percent"] | None = None
    value: int | float | None = None
    values: list[int | float] | None = None

    @model_validator(mode="after")
    def _shape(self) -> EventCondition:
        agg = self.aggregate
        if agg in {"sum", "avg", "min", "max"} and self.property is None:
            raise ValueError(f"aggregate '{agg}' needs the 'property' it applies to")
        if agg in {"exists", "none", "count", "first", "last"} and self.property is not None:
            raise ValueError(f"aggregate '{agg}' takes no 'property'")
        if agg in NUMERIC_AGGREGATES:
            if self.op is None:
                raise ValueError(f"aggregate '{agg}' needs an 'op' and a threshold")
            check_arity(self.op, self.value, self.values)
            if self.op == "top_percent":
                check_top_percent(self.value)
        elif self.op is not None or self.value is not None or self.values is not None:
            raise ValueError(f"aggregate '{agg}' takes no 'op' or threshold")
        if agg in DATE_AGGREGATES and self.window is None:
            raise ValueError(f"aggregate '{agg}' needs the 'window' its date must fall in")
        return self


class SegmentRef(_Node):
    """The members of a saved segment (wrap in ``not`` to exclude them)."""

    kind: Literal["segment"] = "segment"
    segment: str


class All(_Node):
    """Every condition holds (AND)."""

    kind: Literal["all"] = "all"
    conditions: list[Condition] = Field(min_length=1)


class AnyOf(_Node):
    """At least one condition holds (OR)."""

    kind: Literal["any"] = "any"
    conditions: list[Condition] = Field(min_length=1)


class Not(_Node):
    """The condition does not hold (exclusion)."""

    kind: Literal["not"] = "not"
    condition: Condition


Condition = Annotated[
    All | AnyOf | Not | Attribute | Age | DateIn | Score | EventCondition | SegmentRef,
    Field(discriminator="kind"),
]

LEAF_KINDS = ("attribute", "age", "date", "score", "event", "segment")
Leaf = Attribute | Age | DateIn | Score | EventCondition | SegmentRef


class Rule(BaseModel):
    """An audience definition: who (``where``) and, for an audience, the channel."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    where: Condition
    channel: str | None = Field(
        default=None, description="Activation channel (email, sms, push): adds its consent.")
    request: str | None = Field(default=None, description="The request the rule came from.")


def walk(node: Condition) -> list[Condition]:
    """``node`` and every condition under it, parents first."""
    if isinstance(node, (All, AnyOf)):
        return [node, *(n for c in node.conditions for n in walk(c))]
    if isinstance(node, Not):
        return [node, *walk(node.condition)]
    return [node]


All.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()
Rule.model_rebuild()
