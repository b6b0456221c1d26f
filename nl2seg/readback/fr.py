"""French: grammar helpers (elision, gender guess, plural) and the phrasebook."""

from __future__ import annotations

from nl2seg.readback.phrasebook import Phrasebook

_FR_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüœæ")

_FR_MASCULINE = frozenset({
    "âge", "article", "centre", "chiffre", "code", "commerce", "compte", "contrôle", "domaine",
    "échange", "genre", "groupe", "lycée", "membre", "message", "modèle", "musée", "nombre",
    "passage", "problème", "programme", "rôle", "score", "service", "site", "stage", "style",
    "système", "téléphone", "thème", "titre", "type", "volume",
})
_FR_FEMININE = frozenset({
    "clé", "clef", "couleur", "dent", "faim", "fin", "fleur", "fois", "image", "main", "mer",
    "nuit", "page", "part", "peur", "plage", "valeur",
})


def _fr_elide(word: str, full: str, short: str) -> str:
    """``de`` + word → ``de X`` or ``d'X`` before a vowel."""
    return f"{short}{word}" if word[:1].lower() in _FR_VOWELS else f"{full}{word}"


def _fr_of(word: str) -> str:
    return _fr_elide(word, "de ", "d'")


def _fr_feminine(label: str) -> bool:
    """A best guess of the grammatical gender of a French label's head noun."""
    head = label.strip().split(" ")[0].lower()
    head = head.split("'")[-1]
    if head in _FR_MASCULINE:
        return False
    if head in _FR_FEMININE:
        return True
    if head.endswith(("age", "isme", "ème", "ège", "ment")):
        return False
    return head.endswith(("té", "tié", "tion", "sion", "xion", "e"))


def _fr_plural_word(word: str) -> str:
    if len(word) > 1 and word.isupper():
        return word
    if word.endswith(("s", "x", "z")):
        return word
    if word.endswith(("eau", "au", "eu")):
        return word + "x"
    if word.endswith("al"):
        return word[:-2] + "aux"
    return word + "s"


def _fr_plural(label: str) -> str:
    """French plural of a label: its first word (the head noun) takes the mark."""
    first, sep, rest = label.partition(" ")
    return _fr_plural_word(first) + sep + rest


FR = Phrasebook(
    months=("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
            "septembre", "octobre", "novembre", "décembre"),
    day_one="1er",
    thousands=" ",
    decimal=",",
    percent="{p} %",
    money_prefix=False,
    colon=" : ",
    and_=" et ",
    or_=" ou ",
    yes="oui",
    no="non",
    between_dates="entre le {a} et le {b} inclus",
    on_date="le {a}",
    before_date="avant le {b}",
    up_to_date="jusqu'au {b} inclus",
    ever="depuis toujours (jusqu'au {b})",
    empty=" (période vide)",
    at_date="au {a}",
    cmp={"eq": "{v}", "ne": "autre que {v}", "gt": "plus de {v}", "gte": "au moins {v}",
         "lt": "moins de {v}", "lte": "au plus {v}", "between": "entre {a} et {b} inclus"},
    date_cmp={"eq": "le {v}", "ne": "autre que le {v}", "gt": "après le {v}",
              "gte": "le {v} ou après", "lt": "avant le {v}", "lte": "le {v} ou avant",
              "between": "entre le {a} et le {b} inclus"},
    text_cmp={"contains": "contient {v}", "starts_with": "commence par {v}",
              "ends_with": "se termine par {v}"},
    not_in="autre que {v}",
    with_="avec {x}",
    without="sans {label}",
    bool_null="avec {label} : ni oui ni non",
    bool_not_null="avec {label} : oui ou non",
    quote="\"{v}\"",
    no_of=frozenset({"ne", "between"}),
    age={"eq": "{aged} de {v} {y}", "ne": "non {aged} de {v} {y}",
         "gt": "{aged} de plus de {v} {y}", "gte": "{aged} de {v} {y} ou plus",
         "lt": "{aged} de moins de {v} {y}", "lte": "{aged} de {v} {y} ou moins",
         "between": "{aged} de {a} à {b} ans inclus"},
    year="an",
    years="ans",
    aged=("âgés", "âgées"),
    age_note=" (âge au {d})",
    level="{level} ({detail})",
    top_percent="dans les {p} les plus élevés {of_label}",
    one=("un", "une"),
    none=("aucun", "aucune"),
    first=("premier", "première"),
    last=("dernier", "dernière"),
    avg=("moyen", "moyenne"),
    article=("le", "la"),
    exists="ayant au moins {one} {ev}{scope}",
    not_any="n'ayant {none} {ev}{scope}",
    count={"eq": "exactement {v} {n}", "gt": "plus de {v} {n}", "gte": "au moins {v} {n}",
           "lt": "moins de {v} {n}", "lte": "au plus {v} {n}", "between": "de {a} à {b} {n}"},
    count_ne="un nombre {of_evs}{scope} autre que {v}",
    has_count="ayant {count}",
    sum_money="ayant dépensé au total {thr} sur les {evs}{scope}",
    sum_other="avec un total {of_label} {thr} sur les {evs}{scope}",
    avg_of="avec {a} {label} {avg} {thr} par {ev}{scope}",
    min_of="avec {a} {label} minimum {thr} sur les {evs}{scope}",
    max_of="avec {a} {label} maximum {thr} sur les {evs}{scope}",
    top_spend="dans les {p} {of_who} ayant le plus dépensé sur les {evs}{scope}",
    top_count="dans les {p} {of_who} ayant le plus {of_evs}{scope}",
    top_measure="dans les {p} {of_who} ayant {the} {measure} {highest} {per}{scope}",
    measure={"sum": "total {of_label}", "avg": "{label} {avg}", "min": "{label} minimum",
             "max": "{label} maximum"},
    highest=("le plus élevé", "la plus élevée"),
    per_event="par {ev}",
    across="sur les {evs}",
    first_of="dont {the} {first} {ev}{filters} a eu lieu {window}",
    last_of="dont {the} {last} {ev}{filters} a eu lieu {window}",
    scope_all="{filters} {window}",
    adverbial=frozenset({"en", "à", "au", "aux", "sur", "par", "dans", "via", "hors", "chez",
                         "depuis"}),
    those=("ceux", "celles"),
    exclude="sauf {those} {x}",
    negate="non ({x})",
    segment="membres du segment \"{name}\"",
    unknown_segment=" (segment inconnu)",
    channel=" — audience pour le canal {channel} : seuls les {who} ayant consenti ({consent})",
    channel_contact=" et joignables ({contact})",
    channel_no_consent=(" — audience pour le canal {channel} : les {who} joignables ({contact})"
                        " ; les données ne contiennent AUCUN consentement pour ce canal"),
    consent_step_none="aucune donnée de consentement",
    consent_step="{consent} : oui",
    consent_step_contact=", {contact} renseigné",
    reference_today=("date de référence : aujourd'hui ({d}), le catalogue n'en donne pas — passez "
                     "--as-of AAAA-MM-JJ ou déclarez reference_date dans le catalogue"),
    reference_unread=("date de référence : aujourd'hui ({d}), faute d'avoir pu lire celle du "
                      "catalogue, {what} (pas de base de données, ou aucune valeur) — passez "
                      "--as-of AAAA-MM-JJ"),
    reference_stated="date de référence : {d}, fixée par le catalogue",
    reference_data="date de référence : {d}, {what}",
    reference_column="dernière valeur de {column}",
    reference_event="jour {latest} {event}{source}",
    reference_latest=("du dernier", "de la dernière"),
    plural=_fr_plural,
    singular=lambda n: n < 2,
    feminine=_fr_feminine,
    of=_fr_of,
)
