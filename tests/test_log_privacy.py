"""No identifier of a person in any log line, from any library: the persona stories (sign in, benefits, links,
devices, a week of signed change events, dispatch and pushes, the inbox, support reading and resending) run with
every logger at DEBUG, and everything the hub's log handler writes is searched for what the sandbox knows about
the personas: names, emails, phone numbers, case numbers, letter codes, person and record ids."""

from __future__ import annotations

import contextlib
import io
import json
import logging

import httpx
import jwt
import pytest

from notifications.dispatch import dispatch_job
from services.log_policy import RedactingJsonFormatter, redact
from tests.benefits.test_sandbox_events import live_hub_with_events, wait_until_delivered
from tests.factories import id_token_for, sign_in, sign_in_staff

RESIDENTS = ("maria", "james", "ana", "lee", "sam")
REASON = {"X-Access-Reason": "Caller asked why her SNAP shows a document due"}


def personal_values(sandbox_url: str) -> set[str]:
    """Everything that identifies a persona, as the sandbox (identity provider and platform) holds it."""
    values: set[str] = set()
    state = httpx.get(f"{sandbox_url}/platform/sim/state", timeout=10).json()
    for persona in state["personas"]:
        values.add(persona["person_id"])
        values.update(record["record_id"] for record in persona["records"])
        letters = httpx.get(f"{sandbox_url}/platform/sim/letters", params={"persona": persona["persona"]}).json()
        for letter in letters["letters"]:
            values.update((letter["case_number"], letter["letter_code"], letter["record_id"]))
        claims = jwt.decode(id_token_for(sandbox_url, persona["persona"]), options={"verify_signature": False})
        for claim in ("name", "given_name", "family_name", "email", "phone_number", "birthdate"):
            if claims.get(claim):
                values.add(str(claims[claim]))
        if claims.get("phone_number"):
            values.add("".join(char for char in claims["phone_number"] if char.isdigit())[-10:])
    return {value for value in values if len(value) >= 4}


@contextlib.contextmanager
def every_logger_at_debug():
    """Root and every logger that exists (and any created meanwhile, through the root) at DEBUG; put back after."""
    manager = logging.root.manager
    saved = {name: logger.level for name, logger in manager.loggerDict.items() if isinstance(logger, logging.Logger)}
    root_level = logging.root.level
    logging.root.setLevel(logging.DEBUG)
    for name in saved:
        logging.getLogger(name).setLevel(logging.NOTSET)
    try:
        yield
    finally:
        logging.root.setLevel(root_level)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def hub_handler_capturing() -> tuple[logging.Handler, io.StringIO]:
    """The handler create_app installed (the hub's log policy), now writing into a buffer."""
    [handler] = [h for h in logging.root.handlers if isinstance(h.formatter, RedactingJsonFormatter)]
    written = io.StringIO()
    handler.setStream(written)
    return handler, written


def _foreign(handler: logging.Handler, hub_handler: logging.Handler) -> bool:
    return (
        handler is not hub_handler
        and not isinstance(handler, logging.NullHandler)
        and not type(handler).__module__.startswith("_pytest")
    )


def handlers_around_the_hubs(hub_handler) -> list[str]:
    """Loggers that write somewhere other than the hub's handler (their lines would skip its policy)."""
    found = [f"root: {handler!r}" for handler in logging.root.handlers if _foreign(handler, hub_handler)]
    for name, logger in logging.root.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            found.extend(f"{name}: {handler!r}" for handler in logger.handlers if _foreign(handler, hub_handler))
    return found


def persona_stories(live) -> None:
    client = live.client
    people = {name: sign_in(client, live.sandbox_url, name, device_name=f"{name}'s phone") for name in RESIDENTS}
    for name, who in people.items():
        assert client.get("/v1/me", headers=who.headers).status_code == 200
        assert client.get("/v1/me/benefits?refresh=true", headers=who.headers).status_code == 200
        assert client.get("/v1/me/actions", headers=who.headers).status_code == 200
        device = {"platform": "ios", "push_token": f"apns-token-of-{name}-0001", "app_id": "sandbox-app"}
        assert client.post("/v1/me/devices", json=device, headers=who.headers).status_code == 201
    letters = httpx.get(f"{live.sandbox_url}/platform/sim/letters", params={"persona": "maria"}).json()["letters"]
    link = {key: letters[0][key] for key in ("agency", "case_number", "letter_code")}
    assert client.post("/v1/me/links", json=link, headers=people["maria"].headers).status_code in (200, 201)
    wrong = {**link, "letter_code": "ZZZZ-0000"}
    assert client.post("/v1/me/links", json=wrong, headers=people["maria"].headers).status_code in (404, 429)
    advanced = httpx.post(f"{live.sandbox_url}/platform/sim/advance", json={"days": 7}, timeout=60).json()
    assert advanced["events_emitted"] > 0
    wait_until_delivered(live.sandbox_url)
    dispatch_job(live.hub)
    live.hub.runner.run_pending()
    for who in people.values():
        assert client.get("/v1/me/notifications", headers=who.headers).status_code == 200
    sophie = sign_in_staff(client, live.sandbox_url, "sophie")
    staff = {**sophie.headers, **REASON}
    found = client.get(f"/v1/admin/residents?case_number={letters[0]['case_number']}", headers=staff).get_json()
    resident_id = found["data"][0]["id"]
    for path in ("", "/benefits", "/notifications"):
        assert client.get(f"/v1/admin/residents/{resident_id}{path}", headers=staff).status_code == 200
    messages = client.get(f"/v1/admin/residents/{resident_id}/notifications", headers=staff).get_json()["data"]
    assert client.post(f"/v1/admin/notifications/{messages[0]['id']}/resend", headers=staff).status_code == 200
    live.hub.runner.run_pending()
    assert client.get("/v1/me/access-log", headers=people["maria"].headers).status_code == 200


@pytest.mark.slow
def test_no_persona_identifier_reaches_the_logs(settings, test_database, hub):
    with live_hub_with_events(settings, test_database) as live:
        hub_handler, written = hub_handler_capturing()
        secrets = personal_values(live.sandbox_url)
        assert {"204815367", "hfs-300400501", "PER000000011"} <= secrets
        with every_logger_at_debug():
            persona_stories(live)
            around = handlers_around_the_hubs(hub_handler)
    lines = written.getvalue().splitlines()
    assert len(lines) > 50  # the stories were logged (access lines, sign-ins, dispatch, pushes…)
    assert {json.loads(line)["name"] for line in lines} >= {"hub.access", "hub.identity.sign_in"}
    leaks = sorted({value for value in secrets for line in lines if value in line})
    assert leaks == [], f"personal identifiers in the logs: {leaks}"
    assert around == []


def test_library_lines_below_warning_are_dropped_and_urls_lose_their_path(app):
    _handler, written = hub_handler_capturing()
    with every_logger_at_debug():
        logging.getLogger("httpx").info("HTTP Request: GET http://p/hfs/fhir/Coverage?beneficiary=Patient%2Fhfs-1")
        logging.getLogger("sqlalchemy.engine.Engine").debug("Row ('maria@example.com',)")
        logging.getLogger("celery.app.trace").warning("Task failed for http://p/dhs/clients/IES1/cases")
        logging.getLogger("hub.sync").info("source error", extra={"agency": "HFS", "detail": "mail x@y.org"})
    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    assert [line["name"] for line in lines] == ["celery.app.trace", "hub.sync"]
    assert lines[0]["message"] == "Task failed for http://p/…"
    assert lines[1]["detail"] == "mail [email]"
    assert redact("see https://hub.example:8000/v1/me?x=1 now") == "see https://hub.example:8000/… now"


def test_no_library_writes_around_the_policy(app):
    """redis-py gives ``push_response`` a stderr handler of its own unless the logger exists; Celery workers
    install their handlers unless someone answers ``setup_logging`` (the hub does, in services/celery_app.py)."""
    import redis.utils
    from celery.signals import setup_logging

    import services.celery_app  # noqa: F401  (connects the receiver)

    redis.utils._set_info_logger()
    assert logging.getLogger("push_response").handlers == []
    answered = setup_logging.send(sender=None, loglevel=logging.INFO)
    assert any(receiver.__name__ == "_hub_log_policy" for receiver, _ in answered)
    assert any(isinstance(handler.formatter, RedactingJsonFormatter) for handler in logging.root.handlers)
