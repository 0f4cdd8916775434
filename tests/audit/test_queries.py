"""Reading the audit log: filters, role scopes, cursor pages, and the resident's plain-language view."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from services import clock
from services.audit import Actor, record_access
from services.audit_queries import AuditFilter, access_log_page, audit_events_page, scope_for_reader
from services.audit_text import Reader, accessor, describe_for_resident
from services.errors import Forbidden

SOPHIE = Actor("staff", "staff-sophie", "Sophie Turner", "support")
OMAR = Actor("staff", "staff-omar", "Omar", "supervisor")
ADA = Actor("staff", "staff-ada", "Ada", "admin")
APP = Actor("app", "sandbox-app", "Sandbox resident app")
MORNING = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def log(db_session):
    """A small day of events: reads, a refusal, a break-glass read, an admin's own look at the log."""
    entries = [
        (SOPHIE, "resident.benefits.read", "maria", "allowed", "Caller says SNAP is missing", False),
        (SOPHIE, "resident.resync", "maria", "allowed", "Caller says SNAP is missing", False),
        (SOPHIE, "sessions.revoke", "maria", "denied", "Caller lost her phone", False),
        (OMAR, "resident.benefits.read", "maria", "allowed", "Fraud report needs Medicaid check", True),
        (APP, "benefits.read", "maria", "allowed", None, False),
        (OMAR, "resident.read", "james", "allowed", "Callback about interview", False),
        (ADA, "audit.read", None, "allowed", None, False),
    ]
    for hour, (actor, action, resident, outcome, reason, glass) in enumerate(entries):
        with clock.frozen(MORNING + dt.timedelta(hours=hour)):
            record_access(
                db_session, actor, action, resident_id=resident, outcome=outcome, reason=reason, break_glass=glass
            )
    db_session.commit()
    return db_session


def actions(page) -> list[str]:
    return [f"{event.actor_id}:{event.action}" for event in page.items]


def test_filters_narrow_by_resident_actor_action_and_time(log):
    by_resident = audit_events_page(log, AuditFilter(resident_id="james"), limit=50, after=None)
    assert actions(by_resident) == ["staff-omar:resident.read"]

    by_actor_and_action = AuditFilter(actor_id="staff-sophie", action="resident.resync")
    assert actions(audit_events_page(log, by_actor_and_action, limit=50, after=None)) == [
        "staff-sophie:resident.resync"
    ]

    window = AuditFilter(since=MORNING + dt.timedelta(hours=1), until=MORNING + dt.timedelta(hours=3))
    assert actions(audit_events_page(log, window, limit=50, after=None)) == [
        "staff-sophie:sessions.revoke",
        "staff-sophie:resident.resync",
    ]
    flagged = audit_events_page(log, AuditFilter(flagged_for_review=True), limit=50, after=None)
    assert actions(flagged) == ["staff-omar:resident.benefits.read"]


def test_cursor_pages_walk_the_log_newest_first_without_repeats(log):
    seen, after = [], None
    while True:
        page = audit_events_page(log, AuditFilter(), limit=3, after=after)
        seen.extend(event.id for event in page.items)
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == [7, 6, 5, 4, 3, 2, 1]


def test_each_role_sees_its_share_of_the_log(log):
    def visible(scope: str, actor_id: str, asked: AuditFilter | None = None) -> set[str]:
        scoped = scope_for_reader(asked or AuditFilter(), scope=scope, actor_id=actor_id)
        return {event.action for event in audit_events_page(log, scoped, limit=50, after=None).items}

    assert "audit.read" in visible("all", "staff-ada")
    assert "audit.read" not in visible("residents", "staff-omar")
    assert "benefits.read" in visible("residents", "staff-omar")
    assert visible("own", "staff-sophie") == {"resident.benefits.read", "resident.resync", "sessions.revoke"}
    with pytest.raises(Forbidden):
        scope_for_reader(AuditFilter(actor_id="staff-omar"), scope="own", actor_id="staff-sophie")


def test_a_residents_access_log_shows_staff_and_app_accesses_but_not_refusals(log):
    page = access_log_page(log, "maria", limit=50, after=None)
    assert actions(page) == [
        "sandbox-app:benefits.read",
        "staff-omar:resident.benefits.read",
        "staff-sophie:resident.resync",
        "staff-sophie:resident.benefits.read",
    ]
    sentences = [describe_for_resident(event, Reader("en", CHICAGO)) for event in page.items]
    # US style, on the resident's own clock (9:00 UTC is 3:00 AM in Chicago); Babel's narrow no-break space
    assert sentences[3] == (
        "A support agent (Sophie) viewed your benefits on March 2, 2026, 3:00\u202fAM. "
        "Reason: Caller says SNAP is missing."
    )
    assert sentences[0] == "The app Sandbox resident app read your benefits on March 2, 2026, 7:00\u202fAM."
    assert "flagged for review" in sentences[1] and sentences[1].startswith("A support supervisor (Omar)")


def test_the_access_log_speaks_the_residents_language_on_their_clock(log):
    newest_first = access_log_page(log, "maria", limit=50, after=None).items
    in_spanish = [describe_for_resident(event, Reader("es", ZoneInfo("America/Los_Angeles"))) for event in newest_first]

    assert in_spanish[3] == (
        "Un agente de soporte (Sophie) vio tus beneficios el 2 de marzo de 2026, 1:00\u202fa.m. "
        "Motivo: Caller says SNAP is missing."
    )
    assert (
        in_spanish[0]
        == "La aplicación Sandbox resident app consultó tus beneficios el 2 de marzo de 2026, 5:00\u202fa.m."
    )
    assert in_spanish[1].startswith("Un supervisor de soporte (Omar)") and "marcado para revisión" in in_spanish[1]
    assert accessor(newest_first[3], Reader("es")) == {
        "kind": "staff",
        "name": "Sophie",
        "role": "Un agente de soporte",
    }
