"""A channel whose consent the data does not hold (issue 11 §6).

Many warehouses keep no opt-in flag: the catalog then declares the channel with
``consent: null`` and the compiler keeps only the reachable contact. Nobody must export such
an audience by accident, so this module gives the three places that know it:

- :func:`no_consent_data`, a guard warning (``no_consent_data``, acknowledgeable, not
  blocking) that says so in the reviewer's language;
- the approval requires it acknowledged like any other warning (``--ack no_consent_data``,
  or its full id; a checkbox in the app);
- :func:`consent_record`, what the export manifest writes: that the file went out without
  consent data, with the acknowledgement (which warning, who, when). The export refuses an
  approval that does not hold the acknowledgement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nl2seg.catalog.models import Catalog

if TYPE_CHECKING:  # both import this module: no cycle at run time
    from nl2seg.guard.approval import Approval
    from nl2seg.guard.warnings import Context, GuardWarning

CODE = "no_consent_data"


def lacks_consent(catalog: Catalog, channel: str | None) -> bool:
    """Is ``channel`` one whose consent the data does not hold?"""
    return channel is not None and catalog.channels[channel].consent is None


def no_consent_data(ctx: Context) -> list[GuardWarning]:
    """The warning for an audience on a channel without consent data (none otherwise)."""
    from nl2seg.guard.warnings import GuardWarning

    channel = ctx.compiled.validated.rule.channel
    if channel is None or not lacks_consent(ctx.catalog, channel):
        return []
    cat = ctx.catalog
    ch = cat.channels[channel]
    name = ch.label.get(ctx.lang)
    contact = None
    if ch.contact is not None:
        col = cat.column(ch.contact) if cat.has_column(ch.contact) else None
        contact = col.label.get(ctx.lang) if col is not None and col.label else ch.contact
    if ctx.lang == "fr":
        who = f"tous les clients joignables ({contact})" if contact else "tous les clients"
        title = f"Aucune donnée de consentement pour le canal {name}"
        text = (f"Les données ne contiennent AUCUN consentement pour le canal {name} : "
                f"l'audience garde {who}, qu'ils aient consenti ou non. Vérifiez que le "
                "consentement est géré ailleurs (outil d'envoi, liste de désinscription). "
                "L'export exige que l'approbateur reconnaisse explicitement cette absence ; "
                "le manifeste de l'export l'enregistre.")
    else:
        who = f"every reachable customer ({contact})" if contact else "every customer"
        title = f"No consent data for the {name} channel"
        text = (f"The data holds NO consent for the {name} channel: the audience keeps {who}, "
                "whether they consented or not. Check that consent is handled elsewhere "
                "(the sending tool, an unsubscribe list). The export requires the approver "
                "to acknowledge explicitly that no consent data exists; the export's "
                "manifest records it.")
    return [GuardWarning(code=CODE, severity="warning", title=title, explanation=text,
                         data={"channel": channel, "binds": channel})]


def acknowledgement(approval: Approval) -> str | None:
    """The id of the ``no_consent_data`` warning ``approval`` acknowledged, if any."""
    return next((a for a in approval.acknowledged if a.split(":", 1)[0] == CODE), None)


def consent_record(catalog: Catalog, channel: str | None,
                   approval: Approval) -> dict[str, object] | None:
    """What an export's manifest records for a channel without consent data (``None`` for
    a channel with consent, or no channel): ``acknowledged`` is ``None`` when the approval
    holds no acknowledgement, and the export refuses it."""
    if not lacks_consent(catalog, channel):
        return None
    ack = acknowledgement(approval)
    return {"consent_data": False, "channel": channel,
            "statement": f"exported without consent data: the data holds no consent for the "
                         f"{channel} channel",
            "acknowledged": ack, "acknowledged_by": approval.approver if ack else None,
            "acknowledged_at": approval.at if ack else None}
