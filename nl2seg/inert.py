"""Untrusted text made inert before a terminal or a page shows it (issue 12 §1).

Text nl2seg did not write itself (a model's assumptions and refusal reasons, request words,
names, comments, approver names, database values, a server's error message) may carry
escape sequences (clear the screen, OSC-8 links, hidden text), C1 controls, bidi overrides
or line breaks that fake a line of ours ("APPROVED v1 by compliance"). :func:`one_line`
drops them all and keeps one printable line; :func:`safe_json` escapes them in JSON output
so it stays lossless. The CLI and the app both use these.

>>> one_line("ok\\nAPPROVED v1\\x1b[2J \\u202eevil")
'ok APPROVED v1 evil'
>>> safe_json('"a\\u202eb"')
'"a\\\\u202eb"'
"""

from __future__ import annotations

import re
import unicodedata

# CSI (ESC [ … final), OSC (ESC ] … BEL or ST), and any other two-character ESC sequence.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                      r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?|\x1b.?", re.DOTALL)
_BREAKS = "\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def one_line(text: object) -> str:
    """``text`` as one printable line: escape sequences, control and format characters
    (C0, C1, bidi overrides and isolates, zero-width marks) dropped, line breaks and runs
    of blanks made one space."""
    return " ".join(inert_line(text).split())


def inert_line(text: object) -> str:
    """Like :func:`one_line`, but the blanks are kept as they are (an indented report
    line keeps its indentation); line breaks still become spaces."""
    out = []
    for ch in _ESCAPES.sub("", str(text)):
        if ch in _BREAKS:
            out.append(" ")
        elif not unicodedata.category(ch).startswith("C"):
            out.append(ch)
    return "".join(out)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters cut]"


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code > 0xFFFF:  # a surrogate pair, as JSON spells characters beyond the BMP
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def safe_json(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with every control, format,
    unassigned or line-separator character written as a ``\\uXXXX`` escape: the same JSON
    value, nothing a terminal acts on (such characters only occur inside strings, where the
    escape is valid)."""
    return "".join(_json_escape(ch) if ch in "\u2028\u2029" or (
        ch != "\n" and unicodedata.category(ch)[0] == "C") else ch for ch in text)
