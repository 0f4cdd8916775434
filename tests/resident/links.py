"""Helpers for the linking tests: letters read off the sandbox, link requests, and the audit trail of links."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from services.models.audit import AuditEvent
from services.models.identity import LinkFailure, ResidentLink

BIRTHDATES = {"maria": "1988-04-12", "james": "1979-09-30", "sam": "1990-06-21", "grace": "1985-02-17"}


def letter(sandbox_url: str, persona: str, agency: str, program: str | None = None) -> dict:
    letters = httpx.get(f"{sandbox_url}/platform/sim/letters", params={"persona": persona}).json()["letters"]
    return next(x for x in letters if x["agency"] == agency and (program is None or x["program"] == program))


def link_body(found: dict, **extra) -> dict:
    return {
        "agency": found["agency"],
        "case_number": found["case_number"],
        "letter_code": found["letter_code"],
        **extra,
    }


def link(client, signed, found: dict, **extra):
    return client.post("/v1/me/links", json=link_body(found, **extra), headers=signed.headers)


def links_of(session, resident_id: str | None = None) -> list[ResidentLink]:
    session.expire_all()
    stmt = select(ResidentLink).order_by(ResidentLink.linked_at, ResidentLink.id)
    if resident_id is not None:
        stmt = stmt.where(ResidentLink.resident_id == resident_id)
    return list(session.scalars(stmt))


def link_events(session, action: str = "link.create") -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def failures(session) -> list[LinkFailure]:
    session.expire_all()
    return list(session.scalars(select(LinkFailure).order_by(LinkFailure.id)))


def resident_id(client, signed) -> str:
    return client.get("/v1/me", headers=signed.headers).get_json()["id"]
