"""Would a reviewer have been told? The flags a wrong rule raises before approval.

A wrong audience a reviewer is warned about can be caught; one that comes with no warning
and no other reading is *silent*: it is approved as it stands. :func:`review_flags` runs the
checks ``nl2seg approve`` runs (:func:`nl2seg.guard.review.prepare`, with the translation)
and returns what would have made a reviewer look twice: the codes of the warnings of
severity ``warning`` or ``blocking``, and ``"alternatives"`` when the translator showed other
readings. ``sensitive_field`` is left out (see :data:`ATTENTION_ONLY`): it fires on every rule
using gender or age, right or wrong, so it tells the reviewer nothing about a misreading.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from nl2seg.catalog.models import Catalog
from nl2seg.errors import Nl2SegError
from nl2seg.evaluation.corruption import ATTENTION_ONLY
from nl2seg.translate.result import Translation

ALTERNATIVES = "alternatives"
"""The flag of a translation that listed other readings of the request."""
PREVIEW_ERROR = "preview_error"
"""The flag of a rule whose preview fails: ``approve`` stops there, nothing goes through."""


def review_flags(t: Translation, catalog: Catalog, as_of: dt.date,
                 con: duckdb.DuckDBPyConnection) -> list[str]:
    """The flags a reviewer approving ``t.rule`` on ``con`` would see, blocking ones first."""
    from nl2seg.guard.review import prepare

    flags: list[str] = []
    if t.rule is not None:
        try:
            p = prepare(t.rule, catalog, as_of, con, translation=t, lang=t.lang,
                        sample_size=0)
            for w in p.to_acknowledge:
                if w.code not in ATTENTION_ONLY and w.code not in flags:
                    flags.append(w.code)
        except (Nl2SegError, duckdb.Error):
            flags.append(PREVIEW_ERROR)
    if t.alternatives:
        flags.append(ALTERNATIVES)
    return flags
