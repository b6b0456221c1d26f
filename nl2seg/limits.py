"""Resource limits (issue 12 §7): what one request, rule or catalog may hold.

Each limit is far above what a marketer writes and far below what makes a step slow; going
over it is an error that says so, never a minute of CPU or a traceback.

>>> check_request("clients VIP")
>>> check_request("x" * (MAX_REQUEST_CHARS + 1))  # doctest: +ELLIPSIS
Traceback (most recent call last):
nl2seg.errors.RequestTooLong: the request has 2,001 characters, more than 2,000: describe ...
"""

from __future__ import annotations

from nl2seg.errors import RequestTooLong

#: Characters in one request (the app's box, the CLI's argument, the library's entry points).
MAX_REQUEST_CHARS = 2_000
#: Values in one IN / NOT IN list of a rule.
MAX_LIST_VALUES = 1_000
#: Bytes of a catalog file.
MAX_CATALOG_BYTES = 2_000_000
#: YAML nodes of a catalog once its aliases are expanded (a "billion laughs" stops here).
MAX_CATALOG_NODES = 200_000
#: Characters of a model's invalid answer (and of its problems) quoted back in a repair turn.
MAX_REPAIR_ECHO = 4_000


def check_request(request: str) -> None:
    """Raise :class:`~nl2seg.errors.RequestTooLong` over :data:`MAX_REQUEST_CHARS`."""
    if len(request) > MAX_REQUEST_CHARS:
        raise RequestTooLong(
            f"the request has {len(request):,} characters, more than {MAX_REQUEST_CHARS:,}: "
            "describe the audience in fewer words (a request is a sentence or two, not a "
            "document)", value=len(request))
