"""After a kill: the temporary files of dead exports, and the exports that never finished.

An export (:mod:`nl2seg.guard.export`) writes under :data:`TMP_PREFIX` and holds an exclusive
``flock`` on ``<prefix><export id>.lock`` while it runs; the kernel releases it when the
process dies. So a free lock means a dead export, whose temporary files can go; files without
the prefix are never touched. The audit log says which exports started and never finished.
"""

from __future__ import annotations

import os
from pathlib import Path

from nl2seg.guard.state import StateStore

TMP_PREFIX = ".nl2seg-tmp-"
"""Our temporary files, and only ours, start with this (then the export id)."""


def lock(path: Path, wait: bool) -> int | None:
    """An exclusive lock on ``path`` (created), held until the descriptor closes or the
    process dies; ``None`` when another process holds it and ``wait`` is false."""
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def clean_temporary(folder: Path) -> list[str]:
    """Remove the temporary files of exports whose process is gone (their lock is free);
    return their names. Files without our prefix are never touched."""
    removed: list[str] = []
    if not folder.is_dir():
        return removed
    ids = {p.name[len(TMP_PREFIX):].split("-", 1)[0].split(".", 1)[0]
           for p in folder.glob(TMP_PREFIX + "*")}
    for export_id in sorted(ids):
        path = folder / f"{TMP_PREFIX}{export_id}.lock"
        fd = lock(path, wait=False)
        if fd is None:
            continue  # a live export's own files
        try:
            for p in sorted(folder.glob(f"{TMP_PREFIX}{export_id}[-.]*")):
                if p != path:
                    p.unlink(missing_ok=True)
                    removed.append(p.name)
            path.unlink(missing_ok=True)
        finally:
            os.close(fd)
    return removed


def recover(store: StateStore, folders: list[Path] | None = None) -> list[str]:
    """What ``export`` and ``audit verify`` say about earlier exports that never finished,
    after removing the temporary files of dead exports from their folders (and from
    ``folders``)."""
    notes: list[str] = []
    unfinished = store.unfinished_exports()
    places = {Path(str(e.payload.get("folder"))) for e in unfinished if e.payload.get("folder")}
    for folder in sorted(places | set(folders or [])):
        notes += [f"removed the temporary file {folder / n}" for n in clean_temporary(folder)]
    for e in unfinished:
        final = Path(str(e.payload.get("folder", ""))) / str(e.payload.get("file", ""))
        state = ("its file is there, complete or not: check it, then keep or delete it"
                 if final.exists() else "no file was published")
        notes.append(f"unfinished export {e.payload.get('export')} (audit entry {e.seq}, "
                     f"{e.at}, by {e.actor}): {final} — {state}")
    return notes
