"""Warnings that make a misread audience visible before anyone approves it (issue 5).

:func:`assess` looks at a previewed rule from every side a marketer's mistake shows up on —
its size, the size the request announced, its history, each condition's leave-one-out
impact, the words the translator did not use, the conventions it applied, the channel's
consent, the freshness of the sources it reads, the other translator's opinion, the
sensitive fields it uses and the other readings its words allow — and returns
:class:`GuardWarning` objects, each with a severity, a short title, an explanation a
marketer understands, and the rule node it concerns. The CLI, the app and the evals all call
this one function.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb
from pydantic import BaseModel, ConfigDict, Field

from nl2seg.catalog.models import Catalog, Lang
from nl2seg.compile.compiler import CompiledRule
from nl2seg.crosscheck import CrossCheck
from nl2seg.guard.consent import no_consent_data
from nl2seg.guard.freshness import reference_date_checks
from nl2seg.preview import Preview
from nl2seg.rule.canonical import fingerprint
from nl2seg.rule.nodes import (
    Age,
    All,
    Attribute,
    CalendarWindow,
    Condition,
    DateIn,
    DatesWindow,
    EventCondition,
    LastWindow,
    Score,
    Window,
    walk,
)
from nl2seg.translate.expected import stated_size
from nl2seg.translate.notes import event_notes, note
from nl2seg.translate.result import Translation
from nl2seg.windows import resolve

Severity = Literal["info", "warning", "blocking"]
_CADENCE_HOURS = {"realtime": 0, "hourly": 1, "daily": 24, "weekly": 168}


class GuardWarning(BaseModel):
    """One thing the reviewer must see (and, unless ``info``, acknowledge)."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    title: str
    explanation: str
    path: str | None = Field(default=None, description="The rule node, e.g. where.conditions[1].")
    phrase: str | None = Field(default=None, description="The request words of that node.")
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def id(self) -> str:
        """Stable across previews of the same rule: what an acknowledgement names."""
        blob = json.dumps([self.code, self.path, self.phrase, self.data.get("field"),
                           self.data.get("event")]
                          + ([self.data["binds"]] if "binds" in self.data else [])
                          + ([self.explanation] if self.severity == "info" else []),
                          ensure_ascii=False)
        return f"{self.code}:{hashlib.sha256(blob.encode()).hexdigest()[:8]}"

    @property
    def needs_ack(self) -> bool:
        return self.severity != "info"


class GuardConfig(BaseModel):
    """Thresholds (all configurable; the defaults suit a CRM base of 10k–10M customers)."""

    small_audience: int = 50
    """Below this count: too small to be worth a campaign (or a misread condition)."""
    large_share: float = 0.5
    """At or above this share of the base: most of the base."""
    expectation_factor: float = 3.0
    """Warn when the count is off the stated size by more than this factor."""
    history_sigmas: float = 3.0
    history_min_relative: float = 0.25
    """A move is unusual beyond mean ± max(sigmas·σ, min_relative·mean)."""
    removes_nearly_all: float = 0.99
    """A condition keeping less than 1 % of those before it removes nearly everyone."""


@dataclass
class Context:
    """Everything a check may look at; only ``compiled`` and ``preview`` are required."""

    compiled: CompiledRule
    preview: Preview
    translation: Translation | None = None
    cross_check: CrossCheck | None = None
    expected_size: int | None = None
    history: Sequence[int] = field(default_factory=list)
    con: duckdb.DuckDBPyConnection | None = None
    lang: Lang = "fr"
    config: GuardConfig = field(default_factory=GuardConfig)

    @property
    def catalog(self) -> Catalog:
        return self.compiled.validated.catalog

    @property
    def as_of(self) -> dt.date:
        return self.compiled.validated.as_of


def assess(ctx: Context) -> list[GuardWarning]:
    """Every warning for this preview, blocking first, then warnings, then information."""
    out: list[GuardWarning] = []
    for check in (volume, expectation, history, conditions, unused_words, structure, assumptions,
                  consent, no_consent_data, freshness, disagreement, sensitive, ambiguous_reading):
        out += check(ctx)
    out += reference_date_checks(ctx)  # the reference date and stale_data (issue 11 §5)
    order = {"blocking": 0, "warning": 1, "info": 2}
    return sorted(out, key=lambda w: order[w.severity])


def _t(ctx: Context, fr: str, en: str) -> str:
    return fr if ctx.lang == "fr" else en


def _n(x: float) -> str:
    return f"{x:,.0f}".replace(",", "\u202f")


# -- 1. volume ------------------------------------------------------------------------------
def volume(ctx: Context) -> list[GuardWarning]:
    p, cfg = ctx.preview, ctx.config
    if p.count == 0:
        return [GuardWarning(code="volume_empty", severity="blocking",
                        title=_t(ctx, "Audience vide", "Empty audience"),
                        explanation=_t(ctx, "Aucun client ne remplit toutes les conditions : "
                                       "une condition a sans doute été mal comprise (voir "
                                       "l'entonnoir).", "No customer meets every condition: "
                                       "one was probably misread (see the funnel)."))]
    out = []
    if p.base and p.share >= cfg.large_share:
        out.append(GuardWarning(
            code="volume_most_of_base", severity="warning",
            title=_t(ctx, "La majorité de la base", "Most of the base"),
            explanation=_t(ctx, f"{_n(p.count)} clients, soit {p.share:.0%} de la base : une "
                           "audience ciblée dépasse rarement la moitié des clients.",
                           f"{_n(p.count)} customers, {p.share:.0%} of the base: a targeted "
                           "audience is rarely more than half of the customers."),
            data={"count": p.count, "share": p.share}))
    if p.count < cfg.small_audience:
        out.append(GuardWarning(
            code="volume_small", severity="warning",
            title=_t(ctx, "Très petite audience", "Very small audience"),
            explanation=_t(ctx, f"Seulement {_n(p.count)} clients (seuil "
                           f"{cfg.small_audience}).", f"Only {_n(p.count)} customers "
                           f"(threshold {cfg.small_audience})."), data={"count": p.count}))
    return out


# -- 2. stated expectation -------------------------------------------------------------------
def expectation(ctx: Context) -> list[GuardWarning]:
    said = ctx.expected_size
    if said is None and ctx.translation is not None:
        said = ctx.translation.expected_size
    if said is None:
        said = stated_size(ctx.compiled.validated.rule.request)
    if not said:
        return []
    count, f = ctx.preview.count, ctx.config.expectation_factor
    if count and said / f <= count <= said * f:
        return []
    ratio = (count / said) if said else 0
    return [GuardWarning(
        code="expectation_mismatch", severity="warning",
        title=_t(ctx, "Taille différente de celle annoncée", "Size differs from the one stated"),
        explanation=_t(ctx, f"La demande annonçait environ {_n(said)} clients ; l'audience en "
                       f"compte {_n(count)} ({ratio:.1f} fois). Vérifiez chaque condition.",
                       f"The request stated about {_n(said)} customers; the audience has "
                       f"{_n(count)} ({ratio:.1f} times). Check each condition."),
        data={"expected": said, "count": count})]


# -- 3. history -------------------------------------------------------------------------------
def history(ctx: Context) -> list[GuardWarning]:
    past = list(ctx.history)
    if not past:  # one approved count is already a reference (± 25 % around it)
        return []
    mean = statistics.fmean(past)
    sd = statistics.pstdev(past)
    margin = max(ctx.config.history_sigmas * sd, ctx.config.history_min_relative * mean)
    count = ctx.preview.count
    if abs(count - mean) <= margin:
        return []
    return [GuardWarning(
        code="history_jump", severity="warning",
        title=_t(ctx, "Taille inhabituelle pour cette audience", "Unusual size for this audience"),
        explanation=_t(ctx, f"{_n(count)} clients aujourd'hui contre {_n(mean)} en moyenne sur "
                       f"les {len(past)} aperçus approuvés (écart habituel ±{_n(margin)}).",
                       f"{_n(count)} customers today against {_n(mean)} on average over "
                       f"{len(past)} approved previews (usual range ±{_n(margin)})."),
        data={"count": count, "mean": mean, "margin": margin, "history": past})]


# -- 4. conditions that do nothing or almost everything ----------------------------------
def conditions(ctx: Context) -> list[GuardWarning]:
    out = []
    steps = ctx.compiled.steps
    cond_steps = [s for s in steps if s.kind == "condition"]
    for i, (step, f) in enumerate(zip(steps, ctx.preview.funnel, strict=True)):
        if step.kind != "condition":
            continue
        path = _path(ctx, i)
        phrase = step.node.phrase if step.node is not None else None
        before = f.remaining + f.dropped
        if len(cond_steps) > 1 and f.impact == 0 and ctx.preview.count > 0:
            out.append(GuardWarning(
                code="condition_no_effect", severity="warning", path=path, phrase=phrase,
                title=_t(ctx, "Condition sans effet", "Condition with no effect"),
                explanation=_t(ctx, f"« {f.label} » ne retire personne : sans elle l'audience "
                               "est la même. A-t-elle été bien comprise ?",
                               f"\"{f.label}\" removes nobody: without it the audience is the "
                               "same. Was it understood?")))
        elif before and f.remaining < (1 - ctx.config.removes_nearly_all) * before:
            out.append(GuardWarning(
                code="condition_removes_nearly_all", severity="warning", path=path,
                phrase=phrase,
                title=_t(ctx, "Condition qui retire presque tout le monde",
                         "Condition that removes nearly everyone"),
                explanation=_t(ctx, f"« {f.label} » ne garde que {_n(f.remaining)} clients sur "
                               f"{_n(before)}.", f"\"{f.label}\" keeps only "
                               f"{_n(f.remaining)} of {_n(before)} customers."),
                data={"before": before, "after": f.remaining}))
    return out


def _path(ctx: Context, i: int) -> str:
    where = ctx.compiled.validated.rule.where
    return f"where.conditions[{i}]" if isinstance(where, All) else "where"


# -- 5. unused words --------------------------------------------------------------------------
def unused_words(ctx: Context) -> list[GuardWarning]:
    """Words the translator says it could not use or, from the rule itself, request words
    no node came from (a condition lost by a translator or an edit)."""
    from nl2seg.guard.coverage import uncovered_words

    t = ctx.translation
    unused = list(t.unmapped) if t is not None and t.unmapped else uncovered_words(
        ctx.compiled.validated.rule, ctx.catalog)
    if not unused:
        return []
    words = ", ".join(f"« {w} »" if ctx.lang == "fr" else f'"{w}"' for w in unused)
    return [GuardWarning(code="unused_words", severity="warning",
                    title=_t(ctx, "Mots non utilisés", "Unused words"),
                    explanation=_t(ctx, f"{words} : aucune condition n'en vient. Si ces mots "
                                   "comptent, la règle est trop large.", f"{words}: no "
                                   "condition comes from them. If they matter, the rule is "
                                   "too broad."), data={"words": unused})]


def structure(ctx: Context) -> list[GuardWarning]:
    """The rule's logic against the request's connectors (part of 5: what the words say)."""
    from nl2seg.guard.coverage import structure_mismatches

    out = []
    for code in structure_mismatches(ctx.compiled.validated.rule, ctx.catalog):
        if code == "or_not_asked":
            out.append(GuardWarning(
                code="or_not_asked", severity="warning",
                title=_t(ctx, "« ou » non demandé", "An OR the request does not say"),
                explanation=_t(ctx, "La règle garde les clients qui remplissent l'une OU "
                               "l'autre condition, mais la demande ne dit jamais « ou » : "
                               "vérifiez qu'il ne fallait pas toutes les conditions.",
                               "The rule keeps customers meeting one condition OR another, "
                               "but the request never says \"or\": check that all "
                               "conditions were not meant.")))
        else:
            out.append(GuardWarning(
                code="negation_lost", severity="warning",
                title=_t(ctx, "Négation perdue ?", "Lost negation?"),
                explanation=_t(ctx, "La demande contient une négation (« pas », « jamais », "
                               "« sauf »…) mais la règle n'exclut personne : une condition "
                               "a sans doute été lue à l'envers.", "The request says "
                               "\"not\", \"never\" or \"except\" but the rule excludes "
                               "nobody: a condition was probably read the wrong way round.")))
    return out


# -- 6. assumptions ---------------------------------------------------------------------------
def assumptions(ctx: Context) -> list[GuardWarning]:
    notes = list(ctx.translation.assumptions) if ctx.translation else []
    rule = ctx.compiled.validated.rule
    for node in walk(rule.where):
        if isinstance(node, Age):
            notes.append(_t(ctx, f"âge en années révolues au {ctx.as_of.isoformat()}",
                            f"age in full years on {ctx.as_of.isoformat()}"))
        if isinstance(node, EventCondition) and node.window is None:
            notes.append(_t(ctx, f"« {node.phrase or node.event} » : sans période, tout "
                            "l'historique jusqu'à la date de référence",
                            f"\"{node.phrase or node.event}\": no period, so all history up "
                            "to the reference date"))
    if ctx.translation is None:  # a translation states these itself; a rule file does not
        notes += [_window_note(ctx, w) for w in _windows(rule.where)]
        for node in walk(rule.where):
            if getattr(node, "op", None) == "gt":
                notes.append(note("gt", ctx.lang, x=node.phrase or _t(
                    ctx, "comparaison", "comparison")))
        notes += event_notes(ctx.catalog, {n.event for n in walk(rule.where)
                                           if isinstance(n, EventCondition)}, ctx.lang)
    return [GuardWarning(code="assumption", severity="info",
                    title=_t(ctx, "Convention appliquée", "Convention applied"), explanation=n)
            for n in dict.fromkeys(n for n in notes if n)]


def _window_note(ctx: Context, w: Window) -> str:
    b = resolve(w, ctx.as_of)
    start = b.start.isoformat() if b.start else "…"
    kind = ""
    if isinstance(w, LastWindow):
        kind = _t(ctx, "fenêtre glissante", "rolling window")
    elif isinstance(w, CalendarWindow):
        kind = _t(ctx, "période calendaire", "calendar period")
    elif isinstance(w, DatesWindow):
        kind = _t(ctx, "dates fixes", "fixed dates")
    rng = f"[{start}, {b.end.isoformat()})"
    return f"{w.phrase or w.kind}: {kind} {rng}" if kind else f"{w.phrase or w.kind}: {rng}"


def _windows(node: Condition) -> list[Window]:
    out: list[Window] = []
    for n in walk(node):
        if isinstance(n, (EventCondition, DateIn)) and n.window is not None:
            out.append(n.window)
    return out


# -- 7. consent -------------------------------------------------------------------------------
def consent(ctx: Context) -> list[GuardWarning]:
    channel = ctx.compiled.validated.rule.channel
    if channel is None:
        return [GuardWarning(code="no_channel", severity="info",
                        title=_t(ctx, "Segment sans canal", "Segment without a channel"),
                        explanation=_t(ctx, "C'est un segment d'analyse : pour l'exporter vers "
                                       "un canal (email, SMS, push), choisissez le canal, son "
                                       "consentement sera ajouté.", "This is an analysis "
                                       "segment: to export it to a channel (email, SMS, push), "
                                       "choose the channel and its consent is added."))]
    from nl2seg.readback import describe_consent

    step = next((f for f in ctx.preview.funnel if f.kind == "consent"), None)
    dropped = step.dropped if step else 0
    return [GuardWarning(code="consent_added", severity="info",
                    title=_t(ctx, f"Consentement {channel} ajouté", f"{channel} consent added"),
                    explanation=_t(ctx, f"Filtre ajouté automatiquement : "
                                   f"{describe_consent(channel, ctx.catalog, 'fr')} "
                                   f"({_n(dropped)} clients retirés).",
                                   f"Filter added automatically: "
                                   f"{describe_consent(channel, ctx.catalog, 'en')} "
                                   f"({_n(dropped)} customers removed)."),
                    data={"channel": channel, "dropped": dropped})]


# -- 8. freshness -----------------------------------------------------------------------------
def freshness(ctx: Context) -> list[GuardWarning]:
    cat, out = ctx.catalog, []
    for node in walk(ctx.compiled.validated.rule.where):
        if not isinstance(node, EventCondition) or node.window is None:
            continue
        b = resolve(node.window, ctx.as_of)
        if b.start is None:
            continue
        hours = (b.end - max(b.start, dt.date.min)).days * 24
        for src in cat.events[node.event].sources:
            refresh = cat.sources[cat.tables[src.table].source].refresh
            late = max(refresh.lag_hours, _CADENCE_HOURS[refresh.cadence])
            if hours <= late:
                label = cat.sources[cat.tables[src.table].source].label.get(ctx.lang)
                what = node.phrase or node.event
                out.append(GuardWarning(
                    code="stale_window", severity="warning", phrase=node.phrase,
                    title=_t(ctx, "Période plus courte que le rafraîchissement",
                             "Window shorter than the refresh"),
                    explanation=_t(
                        ctx, f"« {what} » couvre {hours} h, mais la source {label} arrive avec "
                        f"{late:g} h de retard : les derniers faits n'y sont pas encore.",
                        f"\"{what}\" covers {hours} h, but source {label} arrives {late:g} h "
                        "late: the latest facts are not in yet."),
                    data={"hours": hours, "lag_hours": late, "event": node.event,
                          "source": cat.tables[src.table].source}))
    out += _frozen(ctx)
    return out


def _frozen(ctx: Context) -> list[GuardWarning]:
    if ctx.con is None:
        return []
    cat, out = ctx.catalog, []
    used = {n.field.rsplit(".", 1)[0] for n in walk(ctx.compiled.validated.rule.where)
            if isinstance(n, (Score, Attribute))}
    for name in sorted(used):
        frozen = cat.tables[name].frozen
        if frozen is None:
            continue
        from sqlglot import exp

        from nl2seg.compile.literals import table

        q = exp.select(exp.Max(this=exp.column(frozen.column))).from_(table(name))
        row = ctx.con.execute(q.sql(dialect="duckdb")).fetchone()
        last = row[0] if row else None
        if last is None or (ctx.as_of - last).days > frozen.max_age_days:
            age = "?" if last is None else str((ctx.as_of - last).days)
            out.append(GuardWarning(
                code="stale_scores", severity="warning",
                title=_t(ctx, "Scores anciens", "Old scores"),
                explanation=_t(ctx, f"{name} a été calculé il y a {age} jours (attendu : au plus "
                               f"{frozen.max_age_days}).", f"{name} was computed {age} days "
                               f"ago (expected: at most {frozen.max_age_days})."),
                data={"table": name, "computed_on": str(last)}))
    return out


# -- 9. disagreement --------------------------------------------------------------------------
def disagreement(ctx: Context) -> list[GuardWarning]:
    cc = ctx.cross_check
    if cc is None or cc.agree:
        return []
    return [GuardWarning(code="translators_disagree", severity="warning",
                    title=_t(ctx, "Les deux traducteurs ne sont pas d'accord",
                             "The two translators disagree"),
                    explanation="\n".join(cc.summary(ctx.lang)),
                    data=cc.model_dump(mode="json"))]


# -- 10. sensitive attributes -------------------------------------------------------------------
def sensitive(ctx: Context) -> list[GuardWarning]:
    cat, out = ctx.catalog, []
    for node in walk(ctx.compiled.validated.rule.where):
        fld = getattr(node, "field", None)
        if isinstance(fld, str) and cat.has_column(fld) and cat.column(fld).sensitive:
            col = cat.column(fld)
            name = col.label.get(ctx.lang) if col.label else fld
            out.append(GuardWarning(
                code="sensitive_field", severity="warning", phrase=node.phrase,
                title=_t(ctx, "Donnée sensible", "Sensitive attribute"),
                explanation=_t(ctx, f"La règle utilise « {name} », marqué sensible dans le "
                               "catalogue : vérifiez que ce ciblage est légitime et conforme.",
                               f"The rule uses \"{name}\", marked sensitive in the catalog: "
                               "check that this targeting is legitimate and compliant."),
                data={"field": fld}))
    return list({w.id: w for w in out}.values())


# -- 11. ambiguous reading ----------------------------------------------------------------------
def ambiguous_reading(ctx: Context) -> list[GuardWarning]:
    """The request's words allow other readings: name each one with its audience size.

    ``data["readings"]`` lists the rule shown first, then the others (fingerprint, count, why,
    read-back); the id binds the rule shown (``data["binds"]``), so an acknowledgement given
    for one reading does not carry over to another."""
    t = ctx.translation
    if t is None or not t.alternatives:
        return []
    from nl2seg.readback import read_back
    from nl2seg.readings import readings

    def size(n: int | None) -> str:
        return _t(ctx, "taille inconnue", "size unknown") if n is None else _t(
            ctx, f"{_n(n)} clients", f"{_n(n)} customers")

    def flat(text: str) -> str:  # a sentence of the explanation: one line, no final period
        return " ".join(text.split()).rstrip(".")

    shown = read_back(ctx.compiled.validated.rule, ctx.catalog, ctx.as_of, ctx.lang)
    listed: list[dict[str, Any]] = [{"fingerprint": ctx.preview.fingerprint, "why": None,
                                     "count": ctx.preview.count, "readback": shown}]
    parts = [_t(ctx, f"{1 + len(t.alternatives)} lectures possibles. Lecture retenue : ",
                f"{1 + len(t.alternatives)} possible readings. Reading used: ")
             + f"{flat(shown)} ({size(ctx.preview.count)})."]
    for view in readings(t, ctx.catalog, ctx.as_of, ctx.con, ctx.lang)[1:]:
        count = view.count
        listed.append({"fingerprint": fingerprint(view.rule), "why": view.why, "count": count,
                       "readback": view.readback})
        parts.append(_t(ctx, "Autre lecture : ", "Other reading: ")
                     + f"{flat(view.why or '')} — {flat(view.readback)} ({size(count)}).")
    parts.append(_t(ctx, "Choisissez avec --reading N.", "Choose with --reading N."))
    return [GuardWarning(code="ambiguous_reading", severity="warning",
                         title=_t(ctx, "Lecture ambiguë", "Ambiguous reading"),
                         explanation=" ".join(parts),
                         data={"binds": ctx.preview.fingerprint, "readings": listed})]
