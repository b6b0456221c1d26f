"""Assumptions in the request's language: concrete window dates, ≥ vs >, definitions."""

from __future__ import annotations

import datetime as dt

from nl2seg.catalog.models import Catalog
from nl2seg.rule.nodes import Rule
from nl2seg.windows import resolve

_TEXT = {
    "gt": {"fr": "« {x} » : strictement supérieur (>)", "en": '"{x}": strictly greater (>)'},
    "count": {"fr": "« {x} » : au moins ce nombre de fois (≥)",
              "en": '"{x}": at least that many times (≥)'},
    "age": {"fr": "« {x} » : lu comme un âge", "en": '"{x}": read as an age'},
    "active": {"fr": "clients actifs : au moins un achat sur la période (12 mois par défaut)",
               "en": "active customers: at least one purchase in the window (default 12 "
                     "months)"},
    "inactive": {"fr": "clients inactifs : au moins un achat, mais aucun sur la période (12 mois "
                       "par défaut)",
                 "en": "inactive customers: bought once, but not in the window (default 12 "
                       "months)"},
    "new": {"fr": "nouveaux clients : inscrits sur la période (30 jours par défaut)",
            "en": "new customers: signed up in the window (default 30 days)"},
    "merge": {"fr": "deux valeurs d'un même champ reliées par « et » : l'une ou l'autre",
              "en": 'two values of one field joined by "and": either one'},
    "typo": {"fr": "« {x} » lu comme « {y} »", "en": '"{x}" read as "{y}"'},
    "set_aside": {"fr": "mots de formulation mis de côté, sans condition : {x}",
                  "en": "wording set aside, no condition: {x}"},
    "window": {"fr": "« {x} » : du {a} au {b} inclus", "en": '"{x}": from {a} to {b} included'},
    "until": {"fr": "« {x} » : avant le {b}", "en": '"{x}": before {b}'},
    "event": {"fr": "{label} : {desc}", "en": "{label}: {desc}"},
    "size": {"fr": "« {x} » : taille annoncée ({y}), comparée à l'aperçu, pas une condition",
             "en": '"{x}": stated size ({y}), checked against the preview, not a condition'},
}


def note(key: str, lang: str, **kw: str) -> str:
    return _TEXT[key][lang].format(**kw)


def expand(raw: list[str], lang: str) -> list[str]:
    out = []
    for r in raw:
        key, _, x = r.partition(":")
        out.append(note(key, lang, x=x))
    return list(dict.fromkeys(out))


def window_notes(rule: Rule, as_of: dt.date, lang: str) -> list[str]:
    out: list[str] = []

    def walk(data: object) -> None:
        if isinstance(data, dict):
            w = data.get("window")
            if isinstance(w, dict):
                _one(w)
            for v in data.values():
                walk(v)
        elif isinstance(data, list):
            for v in data:
                walk(v)

    def _one(w: dict[str, object]) -> None:
        from nl2seg.rule.nodes import DateIn

        window = DateIn.model_validate({"field": "x", "window": w}).window
        b = resolve(window, as_of)
        x = str(w.get("phrase") or window.kind)
        last = (b.end - dt.timedelta(days=1)).isoformat()
        if b.start is None:
            out.append(note("until", lang, x=x, b=b.end.isoformat()))
        else:
            out.append(note("window", lang, x=x, a=b.start.isoformat(), b=last))

    walk(rule.model_dump(mode="json"))
    return list(dict.fromkeys(out))


def event_notes(catalog: Catalog, events: set[str], lang: str) -> list[str]:
    out = []
    for e in sorted(events):
        ev = catalog.events[e]
        desc = ev.definition.get("fr" if lang == "fr" else "en") if ev.definition \
            else ev.description
        if desc:
            out.append(note("event", lang, label=ev.label.get("fr" if lang == "fr" else "en"),
                            desc=desc))
    return out
