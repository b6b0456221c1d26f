"""The word layer: what maintained libraries know about words, so the translator refuses only
over content words that no catalog term explains.

- lemmas (simplemma): "dépensent", "shopped", "excède" are "dépenser", "shop", "excéder";
  an unknown form whose lemma is the lemma of a known word is read as that word;
- stop words (stopwords-iso): "can", "you", "still", « vraiment » carry no condition;
- framing: the words marketers wrap a request in (« j'aimerais la liste des », "can you
  pull", « nos meilleurs clients : ceux qui … ») are set aside when a definition follows;
- typo distance and nearest terms (rapidfuzz): suggestions for the words still unknown;
- terse notes: « 6m », "2w", "30d" are windows, « clts », "nb", "cust" abbreviations.

The libraries load on first use (simplemma's dictionaries take a fraction of a second), so a
request with only known words never pays for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cache

from nl2seg.translate.normalize import Tok, fold, stem
from nl2seg.translate.numbers import MONEY, SIGNS

# -- terse notes ------------------------------------------------------------------------------
_UNIT_LETTERS = {"m": "mois", "mo": "mois", "mth": "mois", "mths": "mois", "mos": "mois",
                 "w": "semaines", "wk": "semaines", "wks": "semaines", "sem": "semaines",
                 "d": "jours", "j": "jours", "y": "ans", "yr": "ans", "yrs": "ans"}
"""A number glued to one of these ("6m", "2w", "30d", "12mo") is a rolling window."""

ABBREVIATIONS = {"clt": "clients", "clts": "clients", "cust": "customers", "custs": "customers",
                 "nb": "nombre", "nbre": "nombre", "qty": "number", "ppl": "people",
                 "achts": "achats", "cmd": "commandes", "cmds": "commandes", "mag": "magasin",
                 "mags": "magasins", "purch": "purchases", "ecom": "online", "eshop": "online",
                 "sup": "supérieur", "inf": "inférieur", "cliens": "clients", "clts.": "clients",
                 "yr": "year", "yrs": "years", "mths": "months", "wk": "week", "wks": "weeks",
                 "smth": "something", "sth": "something", "zilch": "nothing", "nada": "nothing",
                 "idf": "île-de-france", "notifs": "notifications", "notif": "notification",
                 "cdes": "commandes", "cde": "commande"}
"""Abbreviations marketers write in notes."""

TERSE_ROLLING = "derniers"
"""The word a terse window stands for: « 6m » reads « 6 derniers mois »."""


def expand_terse(toks: list[Tok]) -> list[Tok]:
    """Rewrite the keys of terse tokens; surfaces and offsets stay the request's own.

    >>> from nl2seg.translate.normalize import tokenize
    >>> [t.word for t in expand_terse(tokenize("VIP store 2+ 6m, clts Lyon"))]
    ['vip', 'store', '2', '+', 'derniers', '6', 'mois', 'clients', 'lyon']
    """
    out: list[Tok] = []
    for n, t in enumerate(toks):
        prev = toks[n - 1] if n else None
        unit = _UNIT_LETTERS.get(t.word)
        if (unit is not None and prev is not None and prev.is_digit and t.gap == ""
                and (unit != "mois" or float(prev.word.replace(",", ".")) <= 36)
                and not _money_near(toks, n)):
            if _compared(toks, n - 1):  # "il y a moins de 60j": the comparator makes it
                out.append(replace(t, key=stem(unit), word=unit))
                continue
            # "6m": a window of 6 months, read as "6 derniers mois" (a zero-width "derniers"
            # before the number, so the time parser sees a rolling window)
            num = out.pop()
            out.append(replace(num, key=stem(TERSE_ROLLING), word=TERSE_ROLLING, surface="",
                               end=num.start))
            out.append(replace(num, gap=""))
            out.append(replace(t, key=stem(unit), word=unit))
            continue
        nxt_word = toks[n + 1].word if n + 1 < len(toks) else ""
        if t.is_digit and t.gap.endswith("-") and t.gap.strip() == "-" and nxt_word in _AGES \
                and not (n and toks[n - 1].is_digit):  # "-30 ans", not the range "25-34 ans"
            out.append(replace(t, key="<", word="<", surface="", end=t.start))  # "-30 ans"
            out.append(t)
            continue
        if t.word == "+" and n + 1 < len(toks) and toks[n + 1].is_digit \
                and toks[n + 1].gap == "" and (n == 0 or t.gap.strip() in {"", ","}) \
                and n + 2 < len(toks) and toks[n + 2].word in _AGES:
            out.append(replace(t, key=">=", word=">="))  # "+50 ans": 50 and over
            continue
        if t.word == ">" and t.gap.endswith("-") and not (
                n + 1 < len(toks) and toks[n + 1].is_digit):
            out.append(replace(t, key=",", word=","))  # "SMS blast -> Parisians": an arrow
            continue
        full = ABBREVIATIONS.get(t.word)
        if full is not None:
            out.append(replace(t, key=stem(fold(full)), word=fold(full)))
            continue
        out.append(t)
    return out


_COMPARED = frozenset({"de", "than", "<", "<=", "moins", "plus", "less", "more", "over", "under",
                       "last", "past", "derniers", "dernieres", "sur", "within", "in"})


def _compared(toks: list[Tok], n: int) -> bool:
    """A number a comparator or "last" already qualifies ("moins de 60j", "last 90d")."""
    return any(t.word in _COMPARED or t.surface.endswith("'")
               for t in toks[max(0, n - 2):n])


def split_hyphens(toks: list[Tok], unknown: set[str]) -> list[Tok]:
    """"low-risk", "top-tier": a hyphenated word the tokenizer joined, unknown as a whole,
    is read as its parts (each keeps its place in the request)."""
    out: list[Tok] = []
    for t in toks:
        if t.surface in unknown and "-" in t.surface:
            head, _, tail = t.surface.partition("-")
            if head and tail:
                mid = t.start + len(head)
                out.append(replace(t, key=stem(fold(head)), word=fold(head), surface=head,
                                   end=mid))
                out.append(replace(t, key=stem(fold(tail)), word=fold(tail), surface=tail,
                                   start=mid + 1, gap="-"))
                continue
        out.append(t)
    return out


_AGES = frozenset({"ans", "an", "years", "yrs", "yo", "year"})


def _money_near(toks: list[Tok], n: int) -> bool:
    """"1m €", "CA 2m": a scale (million), not months."""
    nxt = toks[n + 1].word if n + 1 < len(toks) else ""
    prev2 = toks[n - 2].word if n >= 2 else ""
    return nxt in MONEY or prev2 in SIGNS


# -- lemmas -----------------------------------------------------------------------------------
@cache
def lemma(word: str, lang: str) -> str:
    """The dictionary form of ``word`` (lower case, accents kept), or the word itself."""
    import simplemma

    w = word.lower()
    try:
        return str(simplemma.lemmatize(w, lang=lang)).lower()
    except ValueError:  # pragma: no cover - simplemma refuses only unknown languages
        return w


def lemma_index(words: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``lemma → key`` for known (surface word, key) pairs, in both languages. A lemma two
    different keys share is left out (it would pick one of them at random), unless one of
    them is the lemma itself ("click" among "clicked", "click")."""
    seen: dict[str, set[str]] = {}
    for surface_word, key in words:
        if len(surface_word) < 3 or surface_word.isdigit():
            continue
        for lang in ("fr", "en"):
            lem = lemma(surface_word, lang)
            if lem != surface_word and fold(lem)[:3] != fold(surface_word)[:3]:
                continue  # "aura" (a region) is also a form of "avoir": not its lemma's word
            seen.setdefault(lem, set()).add(key)
    out: dict[str, str] = {}
    for lem, keys in seen.items():
        own = stem(fold(lem))
        if len(keys) == 1:
            out[lem] = next(iter(keys))
        elif own in keys:
            out[lem] = own
    return out


def fix_lemmas(toks: list[Tok], unknown: set[str], index: dict[str, str], lang: str
               ) -> tuple[list[Tok], list[tuple[str, str]]]:
    """Unknown tokens whose lemma is a known word's lemma, read as that word."""
    out, fixed = [], []
    for t in toks:
        if t.surface not in unknown or t.is_digit or len(t.word) < 3:
            out.append(t)
            continue
        key = index.get(lemma(t.surface, lang)) or index.get(lemma(t.word, lang))
        if key is None or key == t.key:
            out.append(t)
            continue
        out.append(replace(t, key=key))
        fixed.append((t.surface, key))
    return out, fixed


# -- stop words and framing -------------------------------------------------------------------
@cache
def _stopwords(lang: str) -> frozenset[str]:
    import stopwordsiso

    return frozenset(fold(w) for w in stopwordsiso.stopwords(lang))


VAGUE = frozenset(fold(w) for w in (
    "frequent", "frequently", "often", "regular", "regularly", "rarely", "occasional",
    "occasionally", "many", "much", "lot", "lots", "most", "least", "few", "little", "big",
    "high", "low", "top", "best", "worst", "good", "bad", "loyal", "heavy", "light", "great",
    "important", "significant", "beaucoup", "souvent", "régulièrement", "rarement", "peu",
    "plupart", "gros", "grosse", "petit", "petite", "bon", "bons", "bonne", "mauvais",
    "meilleur", "meilleurs", "important", "importants", "fidèle", "fidèles", "fréquent",
    "fréquents", "fréquemment", "assidu", "assidus", "élevé", "élevée", "fort", "forte",
    "faible", "grand", "grands", "plein", "trop", "more", "less", "plus",
    "moins", "all", "tous", "toutes", "every", "each", "none", "nothing", "no", "not", "never",
    "jamais", "sans", "without", "except", "sauf", "first",
    "last", "new", "old", "recent", "premier", "dernier", "nouveau", "ancien", "récent",
    "since", "until", "before", "avant", "depuis", "jusqu", "between",
    "entre", "over", "under", "above", "below", "other", "autre", "autres", "else",
))
"""Stop-list words that change an audience ("most", « beaucoup », "never", "still" …): never
set aside silently. The grammar claims those it knows; the others stay unknown."""

FRAMING = frozenset(fold(w) for w in (
    # French request verbs and nouns (lemmas)
    "aimer", "vouloir", "souhaiter", "pouvoir", "devoir", "chercher", "rechercher", "trouver",
    "lister", "liste", "extraire", "extraction", "sortir", "donner", "montrer", "afficher",
    "identifier", "cibler", "récupérer", "obtenir", "besoin", "merci", "stp", "svp",
    "bonjour", "sélectionner", "isoler", "voir", "fichier", "tableau", "export", "exporter",
    "construire", "créer", "préparer", "sortie", "requête", "demande", "envoyer", "retrouver",
    "repérer", "connaître", "savoir", "avoir", "combien", "compter", "aider", "possible",
    "sil", "plaît", "plait", "pourriez", "pourrais", "peux", "voudrais", "aimerais",
    "ensemble", "totalité",
    # English
    "want", "like", "need", "can", "could", "would", "will", "shall", "should", "may",
    "might", "find", "show", "list", "give", "get", "pull", "identify", "extract", "fetch",
    "grab", "build", "create", "return", "see", "please", "thanks", "thank", "hi", "hello",
    "export", "file", "look", "looking", "help", "prepare", "send", "kindly", "let", "know",
    "spot", "retrieve", "select", "generate", "compile", "set", "everyone", "everybody",
    "whole", "entire", "u", "pls", "plz", "you", "we", "us", "me", "i", "team", "mind",
    "folks", "folk", "gimme", "hey", "guys", "genre", "quoi", "bref", "quand", "voilà",
    "listing", "happen", "happened", "classé", "classer", "classés", "model", "modèle",
    "problème", "souci", "problem", "issue", "question", "sujet", "concerning", "regarding",
    "gear", "stuff", "thing", "things", "truc", "trucs", "window", "fenêtre", "période",
    "using", "use", "utiliser", "en", "avec", "very", "très", "vraiment", "really", "just",
    "juste", "actually", "basically", "tout", "only", "seulement", "uniquement", "salut",
    "coucou", "avance", "target", "cible", "brief", "thanks!", "shoppers", "shopper",
    "clientèle", "base", "même", "meme", "claquer", "claqué", "boudent", "bouder", "love",
    "équipe", "falloir", "faudrait", "faut", "yo", "hey", "cheers", "merci", "every",
    "share", "hit", "combined", "cad", "après", "after", "craquer",
))
"""Request framing, by lemma: what a marketer asks the tool to do, not who to target."""


#: Words stopword lists carry that name things: a title, a product ("tv").
_NAMES_NOT_FILLER = frozenset({"tv", "mr", "mrs", "ms", "dr", "miss", "sir"})


def ignorable(surface_word: str, lang: str) -> bool:
    """A word that carries no condition: a stop word (not a vague quantity or a negation)
    or a framing word ("j'aimerais", "can you pull")."""
    w = fold(surface_word)
    if w in VAGUE or w.isdigit() or w in _NAMES_NOT_FILLER:
        return False
    if len(surface_word) >= 2 and surface_word.isupper():
        return False  # "TV", "USA": an acronym names something, even if a list has it
    if w in FRAMING or fold(lemma(surface_word, lang)) in FRAMING:
        return True
    return w in _stopwords(lang)  # the request's language only: French "car" is no filler
    # in "Parisians who own a car"


def framing_span(toks: list[Tok]) -> int:
    """Tokens before a colon that opens a definition (« nos meilleurs clients : ceux qui »,
    "our best customers: those who", "VIP clients — i.e. …"): a name the marketer gives the
    audience, not a condition. Returns the index of the first token after the colon, or 0."""
    for n, t in enumerate(toks):
        if n and (":" in t.gap or "—" in t.gap) and n < len(toks) - 1:
            return n
    return 0


# -- suggestions ------------------------------------------------------------------------------
def is_word(word: str, lang: str) -> bool:
    """A word of the language's dictionary (simplemma): "revenu" is French for income, not a
    typo of "revenue"; no typo repair may turn it into a catalog term."""
    import simplemma

    return bool(simplemma.is_known(word.lower(), lang=lang))


def nearest(word: str, terms: Iterable[str], limit: int = 3, cutoff: float = 75) -> list[str]:
    """Catalog terms nearest to ``word`` by edit similarity (rapidfuzz), best first: the
    whole term, or one of its words ("depenses" → "dépense", "spnt" → "spent").

    >>> nearest("depenses", ["dépense", "panier moyen", "ville"])
    ['dépense']
    >>> nearest("licornes", ["né", "or", "ville"])
    []
    """
    from rapidfuzz import fuzz

    w = fold(word)
    scored: list[tuple[float, int, str]] = []
    for term in dict.fromkeys(terms):
        t = fold(term)
        score = max([fuzz.ratio(w, t), *(fuzz.ratio(w, part) - 5 for part in t.split()
                                         if len(part) >= 3)])
        if score >= cutoff:
            scored.append((score, len(term), term))
    return [t for _, _, t in sorted(scored, key=lambda x: (-x[0], x[1]))[:limit]]


def within_one_edit(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of two neighbours (optimal string
    alignment distance ≤ 1), from rapidfuzz."""
    from rapidfuzz.distance import OSA

    return a != b and OSA.distance(a, b, score_cutoff=1) <= 1
