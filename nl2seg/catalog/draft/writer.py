"""The draft as commented YAML: comments go where the guess is, one line per short mapping.

PyYAML cannot write comments, so this module writes the block structure itself and leaves
every value (quoting, escapes) to PyYAML's flow style. What it writes loads back to exactly
the data it was given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from nl2seg.inert import inert_line

#: Mappings longer than this are written as blocks (a comment may run past it).
WIDTH = 100
#: Lists whose items stay on one line each, however long (value lists).
ONE_LINE = frozenset({"values"})

Path = tuple[str, ...]


@dataclass
class Notes:
    """Comments attached to places of the document, by the path of keys leading there."""

    before: dict[Path, list[str]] = field(default_factory=dict)
    """Comment lines written above a key."""
    after: dict[Path, str] = field(default_factory=dict)
    """A comment at the end of a key's line."""
    block: set[Path] = field(default_factory=set)
    """Mappings written one key per line even when they would fit on one."""
    tail: list[str] = field(default_factory=list)
    """Comment lines at the end of the document."""

    def above(self, path: Path, *lines: str) -> None:
        self.before.setdefault(path, []).extend(lines)

    def beside(self, path: Path, text: str) -> None:
        self.after[path] = f"{self.after[path]}; {text}" if path in self.after else text


_Base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: faster


class _Dumper(_Base):  # type: ignore[valid-type,misc]
    """Safe YAML, flow style, keys in the order given."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    """A string with a line break is written double-quoted, its breaks escaped: every value
    stays on its line."""
    style = '"' if any(c in text for c in "\n\r\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


def flow(value: Any) -> str:
    """``value`` in YAML flow style, on one line."""
    text = yaml.dump([value], Dumper=_Dumper, default_flow_style=True, sort_keys=False,
                     allow_unicode=True, width=10**9)
    return text.strip()[1:-1]


def to_yaml(data: dict[str, Any], notes: Notes, header: list[str]) -> str:
    lines = [f"# {inert_line(h)}" if h else "#" for h in header]
    _mapping(data, 0, (), notes, lines)
    lines.extend(f"# {inert_line(t)}" if t else "" for t in notes.tail)
    return "\n".join(lines) + "\n"


def _mapping(data: dict[str, Any], indent: int, path: Path, notes: Notes,
             out: list[str]) -> None:
    pad = " " * indent
    for key, value in data.items():
        here = (*path, str(key))
        out.extend(f"{pad}# {inert_line(c)}" for c in notes.before.get(here, []))
        tail = f"  # {inert_line(notes.after[here])}" if here in notes.after else ""
        head = f"{pad}{flow(key)}:"
        # a value whose repr passes 3 × WIDTH cannot fit on one line: not dumped to find out
        inline = f"{head} {flow(value)}" if len(repr(value)) < 3 * WIDTH else " " * (WIDTH + 1)
        if isinstance(value, dict) and value and (here in notes.block or not path
                                                  or len(inline) > WIDTH):
            out.append(head + tail)
            _mapping(value, indent + 2, here, notes, out)
        elif isinstance(value, list) and value and (
                len(inline) > WIDTH or any(isinstance(v, dict) for v in value)):
            out.append(head + tail)
            _sequence(value, indent + 2, here, notes, out)
        else:
            out.append(inline + tail)


def _sequence(items: list[Any], indent: int, path: Path, notes: Notes,
              out: list[str]) -> None:
    pad = " " * indent
    for i, item in enumerate(items):
        one = f"{pad}- {flow(item)}" if (path[-1] in ONE_LINE or len(repr(item)) < 3 * WIDTH
                                          or not isinstance(item, dict)) else " " * (WIDTH + 1)
        if isinstance(item, dict) and item and len(one) > WIDTH and path[-1] not in ONE_LINE:
            start = len(out)
            _mapping(item, indent + 2, (*path, str(i)), notes, out)
            first = next(j for j in range(start, len(out))
                         if not out[j].lstrip().startswith("#"))
            out[first] = f"{pad}- {out[first][indent + 2:]}"
        else:
            out.append(one)
