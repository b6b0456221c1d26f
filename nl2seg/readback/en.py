"""English: grammar helpers (plural) and the phrasebook."""

from __future__ import annotations

from nl2seg.readback.phrasebook import Phrasebook


def _en_of(word: str) -> str:
    return f"of {word}"


def _en_plural(label: str) -> str:
    """English plural of a label: its last word (the head noun) takes the mark."""
    rest, sep, last = label.rpartition(" ")
    if len(last) > 1 and last.isupper():
        plural = last
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        plural = last + "es"
    elif last.endswith("y") and last[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        plural = last[:-1] + "ies"
    else:
        plural = last + "s"
    return rest + sep + plural


def _never_feminine(label: str) -> bool:
    return False


EN = Phrasebook(
    months=("January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"),
    day_one="1",
    thousands=",",
    decimal=".",
    percent="{p}%",
    money_prefix=True,
    colon=": ",
    and_=" and ",
    or_=" or ",
    yes="yes",
    no="no",
    between_dates="between {a} and {b} inclusive",
    on_date="on {a}",
    before_date="before {b}",
    up_to_date="up to {b} inclusive",
    ever="ever (up to {b})",
    empty=" (empty period)",
    at_date="at {a}",
    cmp={"eq": "{v}", "ne": "other than {v}", "gt": "more than {v}", "gte": "at least {v}",
         "lt": "less than {v}", "lte": "at most {v}", "between": "between {a} and {b} inclusive"},
    date_cmp={"eq": "on {v}", "ne": "other than {v}", "gt": "after {v}", "gte": "on or after {v}",
              "lt": "before {v}", "lte": "on or before {v}",
              "between": "between {a} and {b} inclusive"},
    text_cmp={"contains": "contains {v}", "starts_with": "starts with {v}",
              "ends_with": "ends with {v}"},
    not_in="other than {v}",
    with_="with {x}",
    without="without {label}",
    bool_null="with {label}: neither yes nor no",
    bool_not_null="with {label}: yes or no",
    quote="\"{v}\"",
    no_of=frozenset({"ne"}),
    age={"eq": "{aged} {v}", "ne": "not {aged} {v}", "gt": "{aged} over {v}",
         "gte": "{aged} {v} or over", "lt": "{aged} under {v}", "lte": "{aged} {v} or under",
         "between": "{aged} {a} to {b} inclusive"},
    year="",
    years="",
    aged=("aged", "aged"),
    age_note=" (age at {d})",
    level="{level} ({detail})",
    top_percent="in the top {p} for {label}",
    one=("one", "one"),
    none=("no", "no"),
    first=("first", "first"),
    last=("last", "last"),
    avg=("average", "average"),
    article=("the", "the"),
    exists="with at least {one} {ev}{scope}",
    not_any="with {none} {ev}{scope}",
    count={"eq": "exactly {v} {n}", "gt": "more than {v} {n}", "gte": "at least {v} {n}",
           "lt": "fewer than {v} {n}", "lte": "at most {v} {n}", "between": "{a} to {b} {n}"},
    count_ne="a number {of_evs}{scope} other than {v}",
    has_count="with {count}",
    sum_money="who spent {thr} in total on {evs}{scope}",
    sum_other="with a total {label} {thr} across {evs}{scope}",
    avg_of="with an {avg} {label} {thr} per {ev}{scope}",
    min_of="with a minimum {label} {thr} across {evs}{scope}",
    max_of="with a maximum {label} {thr} across {evs}{scope}",
    top_spend="in the top {p} {of_who} by total spend on {evs}{scope}",
    top_count="in the top {p} {of_who} by number {of_evs}{scope}",
    top_measure="in the top {p} {of_who} by {measure} {per}{scope}",
    measure={"sum": "total {label}", "avg": "{avg} {label}", "min": "minimum {label}",
             "max": "maximum {label}"},
    highest=("", ""),
    per_event="per {ev}",
    across="across {evs}",
    first_of="whose {first} {ev}{filters} was {window}",
    last_of="whose {last} {ev}{filters} was {window}",
    scope_all="{filters} {window}",
    adverbial=frozenset({"in", "on", "at", "by", "via", "through", "from", "online", "offline"}),
    those=("those", "those"),
    exclude="excluding {those} {x}",
    negate="not ({x})",
    segment="in segment \"{name}\"",
    unknown_segment=" (unknown segment)",
    channel=" — audience for the {channel} channel: only {who} who opted in ({consent})",
    channel_contact=" and can be reached ({contact})",
    channel_no_consent=(" — audience for the {channel} channel: {who} who can be reached "
                        "({contact}); the data holds NO consent for this channel"),
    consent_step_none="no consent data",
    consent_step="{consent}: yes",
    consent_step_contact=", {contact} present",
    reference_today=("reference date: today ({d}), the catalog gives none — pass --as-of "
                     "YYYY-MM-DD or declare reference_date in the catalog"),
    reference_unread=("reference date: today ({d}), as the catalog's, {what}, could not be read "
                      "(no database, or no value) — pass --as-of YYYY-MM-DD"),
    reference_stated="reference date: {d}, stated by the catalog",
    reference_data="reference date: {d}, {what}",
    reference_column="the latest value of {column}",
    reference_event="the day of {latest} {event}{source}",
    reference_latest=("the latest", "the latest"),
    plural=_en_plural,
    singular=lambda n: n == 1,
    feminine=_never_feminine,
    of=_en_of,
)
