"""Anchors: hashes of audit entries kept outside the state file.

A hash chain shows an entry edited, inserted or removed in the middle, but a chain cut from
its end is a shorter valid chain. What shows the cut is a hash kept elsewhere: each export
manifest's ``audit_anchor`` (the export's own ``export_started`` entry, written before the
file is published), and the head that ``nl2seg audit verify`` prints (``SEQ:HASH``) copied
to a file of anchors, one per line (``#`` starts a comment).

>>> parse_anchor("12:" + "ab" * 32).seq
12
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from nl2seg.guard.state import Anchor, StateError

_ANCHOR = re.compile(r"^(?:(\d+)[:\s]\s*)?([0-9a-f]{64})$")
MANIFEST_SUFFIX = ".manifest.json"


def parse_anchor(text: str, source: str = "an anchor") -> Anchor:
    m = _ANCHOR.match(text.strip().lower())
    if m is None:
        raise StateError(f"{source}: not an anchor ('SEQ:HASH' or a 64-hex hash): "
                         f"{text.strip()[:80]!r}", code="audit_anchor")
    return Anchor(seq=int(m[1]) if m[1] else None, hash=m[2], source=source)


def manifest_anchor(path: Path) -> Anchor | None:
    """The anchor a manifest carries (``None`` for one written before manifests had it)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise StateError(f"cannot read the manifest {path} ({type(exc).__name__})",
                         code="audit_anchor") from None
    own = data.get("audit_anchor") if isinstance(data, dict) else None
    if not isinstance(own, dict) or not isinstance(own.get("hash"), str):
        return None
    seq = own.get("seq")
    return parse_anchor(f"{seq}:{own['hash']}" if isinstance(seq, int) else own["hash"],
                        f"manifest {path.name}")


def anchors_from(paths: Iterable[str | Path]) -> list[Anchor]:
    """Anchors from manifests, folders of manifests and files of anchors."""
    out: list[Anchor] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += [a for m in sorted(p.glob("*" + MANIFEST_SUFFIX))
                    if (a := manifest_anchor(m)) is not None]
        elif p.name.endswith(MANIFEST_SUFFIX):
            if (a := manifest_anchor(p)) is not None:
                out.append(a)
        else:
            try:
                text = p.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise StateError(f"cannot read the anchors file {p} ({type(exc).__name__})",
                                 code="audit_anchor") from None
            out += [parse_anchor(line.split("#", 1)[0], f"{p.name} line {i}")
                    for i, line in enumerate(text.splitlines(), 1)
                    if line.split("#", 1)[0].strip()]
    return out
