"""The generic words of marketer requests (not the catalog's): connectors, negations,
comparators, lifecycle words, aggregates, filler. Written naturally, matched by their keys."""

from __future__ import annotations

from nl2seg.translate.normalize import seq, stems

Seq = tuple[str, ...]


SOURCE_WORDS: dict[str, str] = {}
"""Every one-word grammar phrase as written (accents kept) → its key: for the lemma index."""


def seqs(*phrases: str) -> tuple[Seq, ...]:
    """Phrases as key sequences, longest first (so "mais pas" wins over "mais")."""
    for p in phrases:
        k = seq(p)
        if len(k) == 1 and " " not in p.strip():
            SOURCE_WORDS.setdefault(p.strip().lower(), k[0])
    return tuple(sorted((seq(p) for p in phrases), key=len, reverse=True))


AND = seqs("et", "and", ",", "ainsi que", "as well as", "de même que", "aussi", "mais", "but",
           "&", "+",
           "tout en", "while")
OR = seqs("ou", "or", "ou bien", "either", "soit")
EXCLUDE = seqs("mais pas", "but not", "sauf", "except", "excepté", "hormis", "hors",
               "excluding", "en excluant", "à l'exclusion des", "à l'exclusion de",
               "en dehors des", "and not", "et pas", "et non", "mais non", "without the")
NEVER = seqs("jamais", "never", "n'ont jamais", "n'a jamais", "not ever", "no purchase ever")
NOT = seqs("pas", "not", "no", "aucun", "aucune", "sans", "without", "n'", "didn't",
           "haven't", "hasn't", "don't", "doesn't", "non", "ni", "nor", "none", "rien",
           "nothing", "haven", "hasn", "didn", "don", "doesn", "won", "aren", "isn", "wasn",
           "weren", "outside")

COMPARATORS: tuple[tuple[Seq, str], ...] = tuple(sorted(
    [(s, op) for op, words in {
        "gte": ("au moins", "at least", "minimum", "min", "pas moins de", "no less than",
                "supérieur ou égal à", "supérieure ou égale à", "greater than or equal to",
                ">="),
        "gt": ("plus de", "plus d'", "more than", "over", "above", "supérieur à", "excède",
               "excèdent", "excédant", "dépasse", "dépassent", "dépassant", "exceeds",
               "exceed", "exceeding", "exceeded", "dépassé", "excédé",
               "supérieure à", "supérieurs à", "greater than", "au-delà de", "beyond",
               "plus que", ">", "higher than", "older than", "au-dessus de", "au dessus de",
                "au-delà d'"),
        "lte": ("au plus", "at most", "up to", "jusqu'à", "maximum", "max", "pas plus de",
                "no more than", "inférieur ou égal à", "inférieure ou égale à", "<="),
        "lt": ("moins de", "moins d'", "less than", "under", "below", "inférieur à",
               "inférieure à", "fewer than", "<", "lower than", "younger than", "en dessous de",
               "en-dessous de", "au-dessous de"),
        "eq": ("exactement", "exactly", "pile", "precisely", "précisément", "égal à",
               "equal to", "tout juste", "only"),
    }.items() for s in seqs(*words)], key=lambda x: -len(x[0])))
BETWEEN = (seqs("entre", "between", "de", "from"), seqs("et", "and", "à", "to", "-"))
SUFFIX_OPS: tuple[tuple[Seq, str], ...] = tuple(
    [(s, "gte") for s in seqs("et plus", "ou plus", "or more", "and over", "and above",
                               "or above", "or over", "and up", "+", "minimum", "et au-delà",
                               "et +", "ou +", "and +",
                               "or older", "et au-dessus", "or higher")]
    + [(s, "lte") for s in seqs("ou moins", "or less", "or fewer", "and under", "and below",
                                 "au maximum", "maximum", "or younger")])
UPWARD = seqs("et plus", "and above", "ou plus", "et au-dessus", "or above", "or higher",
              "and up", "et au-delà", "ou mieux", "or better", "and higher", "and-above",
              "and-up", "or-above", "or-higher", "et-plus")

TIMES = stems("fois", "times", "time")
AGE_UNITS = seqs("ans", "an", "years old", "year old", "years", "yo", "piges", "balais",
                 "y.o")

ACTIVE = seqs("actif", "actifs", "active", "actives", "active customers")
INACTIVE = seqs("inactif", "inactifs", "inactive", "inactives", "lapsed", "dormant",
                "dormants", "plus actifs", "no longer active")
NEW = seqs("nouveau", "nouveaux", "nouvelle", "nouvelles", "new", "newly")

AVG = seqs("moyen", "moyenne", "average", "avg", "mean")
SUM = seqs("total", "totale", "au total", "in total", "cumulé", "cumulés", "en tout",
           "altogether", "all channels combined", "tous canaux confondus")
FIRST = seqs("premier", "première", "first", "1er", "earliest")
LAST = seqs("dernier", "dernière", "last", "latest", "most recent", "plus récent")

ACTIVATE = stems("campagne", "campaign", "envoi", "send", "sending", "cibler", "target",
                 "targeting", "ciblage", "activation", "blast", "diffusion", "export",
                 "exporter", "relancer", "contacter", "contact", "toucher", "reach", "audience",
                 "joignable", "joignables", "joindre", "reachable", "contactable",
                 "contactables")

HOSTILE = ("select ", "drop ", "delete ", "insert ", "update ", "truncate ", "alter ", " union ",
           "--", "/*", "ignore ", "oublie ", "instructions", "system prompt", "prompt",
           "jailbreak", "you are now", "tu es maintenant", "<script", "rm -rf", "exec(")

FILLER = stems(
    # French
    "l", "d", "j", "qu", "c", "m", "t", "le", "la", "les", "l'", "un", "une", "des", "de",
    "du", "d'", "au", "aux", "à", "a",
    "en", "dans", "sur", "pour", "par", "via", "chez", "avec", "qui", "que", "qu'", "dont",
    "ont", "ayant", "avoir", "eu", "été", "est", "sont", "sera", "ce", "ces", "cette", "cet",
    "tous", "toutes", "tout", "toute", "leur", "leurs", "son", "sa", "ses", "personnes",
    "gens", "contacts", "utilisateurs", "montre", "moi", "liste", "trouve", "donne",
    "je", "veux", "voudrais", "cherche", "cible", "ciblez", "audience", "segment", "y", "il",
    "déjà", "fait", "effectué", "réalisé", "passé", "on", "se", "s'", "n", "ne", "celles",
    "ceux", "cours", "fois", "produits", "produit", "articles", "article", "site", "depuis",
    "lors", "pendant", "parmi", "notre", "nos", "mes", "sélectionne", "sélectionner",
    "clientèle", "population", "profils", "quelque", "chose", "avant", "récemment", "date",
    "datant", "remonte", "anything", "any", "habite", "habitent", "habitant", "habitants",
    "résidant", "résidents", "résident", "vivant", "demeurant", "basés", "compris", "comprise",
    "comprises", "inclus", "incluse", "incluses",
    # English
    "the", "a", "an", "of", "in", "on", "at", "to", "for", "by", "with", "who", "that",
    "which", "have", "has", "had", "having", "been", "be", "is", "are", "was", "were", "did",
    "do", "does", "all", "any", "those", "these", "this", "their", "people", "users",
    "contacts", "show", "me", "list", "find", "give", "get", "i", "want", "need", "audience",
    "segment", "ever", "already", "made", "some", "from", "within", "during", "since",
    "items", "item", "products", "product", "our", "my", "select", "someone", "anyone",
    "one", "ones", "them", "they", "it", "s", "t", "please", "stuff", "something", "website",
    "site", "web", "over", "past", "recently", "before", "whose", "base", "about", "score",
    "scores", "aged", "age", "ordered", "regarding", "concernant", "pour", "motif", "living",
    "lives", "live", "based", "resident", "residents", "residing", "both", "also",
    "inclusive", "included", "nombre", "number", "count", "quantité", "still", "encore",
    "toujours", "yet", "déjà", "=", "lieu", "again", "ds", "quand",
)
"""Words that carry no condition on their own."""

FR_HINTS = stems("le", "la", "les", "des", "qui", "ont", "et", "ou", "de", "du", "en", "au",
                 "aux", "clients", "clientes", "dans", "pas", "jamais", "sur", "depuis",
                 "une", "un", "plus", "moins", "mais", "sans", "sauf", "pour", "dernier",
                 "derniers", "acheté", "ans", "mois", "l'", "d'", "n'", "qu'", "est", "sont")
EN_HINTS = stems("the", "who", "have", "has", "and", "or", "in", "of", "customers", "with",
                 "not", "never", "last", "bought", "over", "since", "but", "without", "for",
                 "than", "more", "less", "at", "least", "months", "days", "years", "from",
                 "women", "men", "people", "who've", "did", "a", "an", "is", "are", "members",
                 "loyalty", "under", "above", "below", "average", "excluding")
