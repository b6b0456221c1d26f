"""Typo folding: an unknown word one edit away from exactly one known word is read as it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from nl2seg.translate.normalize import Tok


def _one_edit(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of two neighbours (rapidfuzz's optimal
    string alignment distance)."""
    from nl2seg.translate.words import within_one_edit

    return within_one_edit(a, b)


def fix_typos(toks: list[Tok], vocabulary: set[str], unknown: set[str],
              covers: Callable[[str, str], bool] | None = None,
              weak: frozenset[str] = frozenset(),
              ) -> tuple[list[Tok], list[tuple[str, str]]]:
    """Tokens with unknown words of 5+ letters replaced by their unique near neighbour.

    A stem of 4 letters ("achté" → "acht") may only gain or lose a letter ("achet"): one
    substituted letter turns too many short words into others ("mari" is not "pari").
    Several neighbours are accepted when one of them means everything the others mean
    (``covers(a, b)``: a's senses include b's), and that one is chosen. ``weak`` words
    (filler) lose against any other neighbour: reading a word as filler drops it."""
    out: list[Tok] = []
    fixed: list[tuple[str, str]] = []
    for t in toks:
        if t.surface not in unknown or t.key in vocabulary or len(t.word) < 5 or t.is_digit:
            out.append(t)
            continue
        near = {v for v in vocabulary if len(v) >= 4 and _one_edit(t.key, v)
                and (len(t.key) >= 5 or len(v) != len(t.key))}  # short: no substitution
        if len(near) > 1 and weak:
            near = near - weak or near  # "ouver" is "ouvert" before it is the filler "over"
        if len(near) > 1 and covers is not None:
            # "acht": "achet" or "achat", one meaning; "ouver": "ouvert" means all "ouvr" does
            widest = sorted(v for v in near if all(covers(v, w) for w in near))
            if widest:
                near = {widest[0]}
        if len(near) == 1:
            key = near.pop()
            out.append(replace(t, key=key))
            fixed.append((t.surface, key))
        else:
            out.append(t)
    return out, fixed
