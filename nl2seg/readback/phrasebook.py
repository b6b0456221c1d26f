"""The shape of a language's word table: every word and pattern the read-back assembles.

Each language is one :class:`Phrasebook` instance (``fr.py``, ``en.py``), as sqlglot keeps each
dialect's differences as class data next to one generic generator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

Gendered = tuple[str, str]
"""A word in the masculine and the feminine."""


@dataclass(frozen=True)
class Phrasebook:
    """Every word and pattern of one language (a new language is one more instance)."""

    months: tuple[str, ...]
    day_one: str
    thousands: str
    decimal: str
    percent: str
    money_prefix: bool
    colon: str
    and_: str
    or_: str
    yes: str
    no: str
    # windows
    between_dates: str
    on_date: str
    before_date: str
    up_to_date: str
    ever: str
    empty: str
    at_date: str
    # comparisons of values
    cmp: Mapping[str, str]
    date_cmp: Mapping[str, str]
    text_cmp: Mapping[str, str]
    not_in: str
    with_: str
    without: str
    bool_null: str
    bool_not_null: str
    quote: str
    no_of: frozenset[str]
    # age
    age: Mapping[str, str]
    year: str
    years: str
    aged: Gendered
    age_note: str
    # scores
    level: str
    top_percent: str
    # events
    one: Gendered
    none: Gendered
    first: Gendered
    last: Gendered
    avg: Gendered
    article: Gendered
    exists: str
    not_any: str
    count: Mapping[str, str]
    count_ne: str
    has_count: str
    sum_money: str
    sum_other: str
    avg_of: str
    min_of: str
    max_of: str
    top_spend: str
    """The top ``p`` of customers by spend (a ``top_percent`` of a money ``sum``)."""
    top_count: str
    top_measure: str
    measure: Mapping[str, str]
    """An aggregate of a property named as a quantity (« montant moyen »)."""
    highest: Gendered
    per_event: str
    across: str
    first_of: str
    last_of: str
    scope_all: str
    adverbial: frozenset[str]
    # groups, segments, channels
    those: Gendered
    exclude: str
    negate: str
    segment: str
    unknown_segment: str
    channel: str
    channel_contact: str
    channel_no_consent: str
    consent_step_none: str
    consent_step: str
    consent_step_contact: str
    # the reference date, as an assumption line
    reference_today: str
    """Today's date because the catalog names no reference date."""
    reference_unread: str
    """Today's date because the catalog's reference date could not be read."""
    reference_stated: str
    reference_data: str
    reference_column: str
    reference_event: str
    reference_latest: Gendered
    # grammar
    plural: Callable[[str], str]
    singular: Callable[[float], bool]
    """Whether a count takes the singular (French: 0 and 1; English: 1)."""
    feminine: Callable[[str], bool]
    of: Callable[[str], str]


def gender(words: Gendered, feminine: bool) -> str:
    """The feminine or masculine form of ``words``."""
    return words[1] if feminine else words[0]
