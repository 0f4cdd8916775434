"""The resident's access log in plain language, in their own language and time zone: who looked at or changed
what, when, and why.

The sentences and words are the catalogue's (``services/texts/<locale>/access_log.json``); the moment is written
by Babel as the clock in the resident's IANA zone (``Resident.time_zone``, the state's until they choose one)
showed it, and the agencies of a link event (or a representative's act) as a list in their language. Who acted is
told by role and given name for staff (the full name stays in the audit row), by name for apps, by given name for
the resident's authorized representative ("Rosa, your representative"), and never for another resident's account.
The reason is the staff member's own words, shown as written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.models.audit import AuditEvent
from services.models.identity import Resident
from services.texts.catalogue import texts
from services.texts.formats import format_list, format_moment
from services.vocabulary import STATE_ZONE, zone_or_state

REPRESENTATIVE = "representative"  # services.representation.acting.REPRESENTATIVE_ROLE: who acted for the resident


@dataclasses.dataclass(frozen=True)
class Reader:
    """Whose access log is being written: the language and the zone to write it in."""

    locale: str
    zone: dt.tzinfo = STATE_ZONE


def reader_of(session: Session, resident_id: str) -> Reader:
    """The resident's language (as the catalogue has it) and time zone."""
    row = session.execute(select(Resident.locale, Resident.time_zone).where(Resident.id == resident_id)).one_or_none()
    locale, time_zone = row if row is not None else (None, None)
    return Reader(texts().language_for(locale), zone_or_state(time_zone))


def describe_for_resident(event: AuditEvent, reader: Reader) -> str:
    """One sentence a resident understands, e.g. "A support agent (Sophie) viewed your benefits on …"."""
    sentence = _text(reader, "entry").format(
        who=_who(event, reader),
        what=_what(event, reader),
        when=format_moment(event.occurred_at, reader.locale, reader.zone),
    )
    if sentence.endswith(".."):  # the time ended in an abbreviation ("8:05 a.m.")
        sentence = sentence[:-1]
    if event.reason:
        sentence += " " + _text(reader, "reason").format(reason=event.reason.strip().rstrip("."))
    if event.break_glass:
        sentence += " " + _text(reader, "break_glass")
    return sentence


def accessor(event: AuditEvent, reader: Reader) -> dict[str, str | None]:
    """Who acted, as a resident is told: staff by role (in words) and given name, apps by name."""
    if event.actor_kind == "staff":
        given_name = (event.actor_name or "").split(" ")[0] or None
        role = texts().lookup(reader.locale, "access_log", "roles", event.actor_role or "other")
        return {"kind": "staff", "name": given_name, "role": role.value if role else _text(reader, "roles", "other")}
    if event.actor_kind == "app":
        return {"kind": "app", "name": event.actor_name or event.actor_id, "role": None}
    if event.actor_kind == "resident" and event.actor_role == REPRESENTATIVE:
        return {"kind": REPRESENTATIVE, "name": event.actor_name, "role": _text(reader, "roles", REPRESENTATIVE)}
    return {"kind": event.actor_kind, "name": None, "role": None}


def _who(event: AuditEvent, reader: Reader) -> str:
    who = accessor(event, reader)
    if who["kind"] == "staff":
        return _text(reader, "who", "staff_named").format(**who) if who["name"] else str(who["role"])
    if who["kind"] == "app":
        return _text(reader, "who", "app").format(name=who["name"])
    if who["kind"] == REPRESENTATIVE:
        named = "representative_named" if who["name"] else "representative"
        return _text(reader, "who", named).format(name=who["name"])
    if who["kind"] == "resident":
        return _text(reader, "who", "resident")
    return _text(reader, "who", "hub")


def _what(event: AuditEvent, reader: Reader) -> str:
    """What they did; for a link event or a representative's act, with the agencies it was about (``agency:<code>``
    in its field groups)."""
    found = texts().lookup(reader.locale, "access_log", "actions", event.action)
    what = found.value if found else _text(reader, "actions", "other")
    agencies = [field.partition(":")[2] for field in event.fields or () if field.startswith("agency:")]
    if event.action.startswith(("link.", "represented.")) and agencies:
        return _text(reader, "about_agencies").format(what=what, agencies=format_list(agencies, reader.locale))
    return what


def _text(reader: Reader, *path: str) -> str:
    return texts().text(reader.locale, "access_log", *path)
