"""Total deadlines for the LLM: one call, and one repair loop, not each socket read.

The HTTP client's timeout bounds each read; a server that trickles one byte a second never
trips it. :func:`within` runs one call in a daemon thread and stops waiting at the deadline;
``abandon`` then closes the connection so the abandoned thread ends at its next read.

>>> within(lambda: 42, 1.0)
42
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class DeadlineExceeded(Exception):
    """The call did not finish in time (it is left to end on its own)."""


def within(call: Callable[[], T], seconds: float,
           abandon: Callable[[], None] | None = None) -> T:
    """``call()``'s result, or :class:`DeadlineExceeded` after ``seconds``; its exceptions
    are raised here."""
    if seconds <= 0:
        raise DeadlineExceeded
    done = threading.Event()
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the waiting thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="nl2seg-llm-call", daemon=True).start()
    if not done.wait(seconds):
        if abandon is not None:
            with contextlib.suppress(Exception):  # closing a half-read connection may complain
                abandon()
        raise DeadlineExceeded
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
