"""The plain-language read-back: a rule as sentences a marketer can read aloud.

Every word that names data comes from the catalog (column, value, event, property and channel
labels); every window is printed with its concrete dates, inclusive. The words of each
language live in one :class:`~nl2seg.readback.phrasebook.Phrasebook` (``fr.py``, ``en.py``);
:class:`~nl2seg.readback.describer.Describer` only assembles them.

>>> import datetime as dt
>>> from nl2seg.catalog import load_catalog
>>> from nl2seg.rule.nodes import Attribute, Rule
>>> rule = Rule(where=Attribute(field="crm.customers.loyalty_tier", op="eq", value="vip"))
>>> read_back(rule, load_catalog(), dt.date(2026, 6, 30), lang="en")
'Customers with loyalty tier: VIP.'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from nl2seg.catalog.models import Catalog, Lang
from nl2seg.readback.describer import Describer
from nl2seg.readback.formatting import format_date, format_number
from nl2seg.readback.reference import describe_reference
from nl2seg.rule.nodes import Condition, Rule

__all__ = ["describe_condition", "describe_consent", "describe_reference", "format_date",
           "format_number", "read_back"]


def describe_condition(node: Condition, catalog: Catalog, as_of: dt.date, lang: Lang = "fr",
                       segments: Mapping[str, Rule] | None = None) -> str:
    """One condition as a phrase, lower case and without a period (funnel steps, warnings).

    >>> import datetime as dt
    >>> from nl2seg.catalog import load_catalog
    >>> from nl2seg.rule.nodes import LastWindow, EventCondition
    >>> node = EventCondition(event="purchase", window=LastWindow(n=7, unit="day"))
    >>> describe_condition(node, load_catalog(), dt.date(2026, 6, 30), "fr")
    'ayant au moins un achat entre le 24 juin 2026 et le 30 juin 2026 inclus'
    """
    text = Describer(catalog, as_of, lang, segments).node(node)
    return " ".join(text.split())


def describe_consent(channel: str, catalog: Catalog, lang: Lang = "fr") -> str:
    """The consent and contact filter of ``channel`` as a funnel step.

    >>> from nl2seg.catalog import load_catalog
    >>> describe_consent("sms", load_catalog(), "en")
    'SMS opt-in: yes, mobile phone present'
    """
    return Describer(catalog, dt.date.today(), lang, None).consent_step(channel)


def read_back(rule: Rule, catalog: Catalog, as_of: dt.date, lang: Lang = "fr",
              segments: Mapping[str, Rule] | None = None) -> str:
    """The whole rule as sentences: who, every condition with its dates, and the channel."""
    return Describer(catalog, as_of, lang, segments).rule(rule)
