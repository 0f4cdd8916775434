"""Sandbox controls under /platform/sim (no key: they exist only in the sandbox): clock, faults, events, letters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, request

from simulator.people.ground_truth import KINDS, truth_for
from simulator.people.model import AGENCIES
from simulator.sandbox import current_sandbox, json_error
from simulator.scenario.faults import MODES, Fault
from simulator.scenario.state import MAX_ADVANCE_DAYS

blueprint = Blueprint("sim", __name__, url_prefix="/platform/sim")


@blueprint.post("/advance")
def advance():
    days = (request.get_json(silent=True) or {}).get("days", 1)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_ADVANCE_DAYS:
        return json_error(422, "invalid_request", f"days must be an integer from 1 to {MAX_ADVANCE_DAYS}")
    scenario = current_sandbox().scenario
    events, count = scenario.advance(days)
    return {
        "scenario_day": scenario.clock.day,
        "date": scenario.clock.today().isoformat(),
        "events_emitted": count,
        "events": events,
        "events_truncated": count > len(events),
    }


@blueprint.post("/reset")
def reset():
    sandbox = current_sandbox()
    sandbox.scenario.reset()
    return sandbox.scenario.state()


@blueprint.get("/state")
def state():
    return current_sandbox().scenario.state()


@blueprint.post("/faults")
def faults():
    body = request.get_json(silent=True) or {}
    agency, mode = str(body.get("agency", "")).upper(), body.get("mode")
    latency, rate = body.get("latency_ms", 5000), body.get("error_rate", 1.0)
    if agency not in AGENCIES or mode not in MODES:
        return json_error(422, "invalid_request", f"agency one of {AGENCIES}, mode one of {MODES}")
    if (
        not isinstance(latency, int)
        or not 0 <= latency <= 120_000
        or not isinstance(rate, (int, float))
        or not 0 <= rate <= 1
    ):
        return json_error(422, "invalid_request", "0 ≤ latency_ms ≤ 120000 and 0 ≤ error_rate ≤ 1")
    board = current_sandbox().scenario.faults
    board.set(agency, Fault(mode, latency, float(rate)))
    return {"faults": board.as_json()}


@blueprint.post("/maintenance")
def maintenance():
    """Announce a window: `{"agency", "starts_in_minutes" (may be negative: already on), "duration_minutes",
    "message"}`; `{"clear": true}` withdraws every announced window."""
    body = request.get_json(silent=True) or {}
    board = current_sandbox().scenario.maintenance
    if body.get("clear") is True:
        board.clear()
        return {"windows": board.current()}
    agency, starts, duration = (
        str(body.get("agency", "")).upper(),
        body.get("starts_in_minutes", 0),
        body.get("duration_minutes", 60),
    )
    if (
        agency not in AGENCIES
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in (starts, duration))
        or not 1 <= duration <= 7 * 24 * 60
    ):
        return json_error(
            422, "invalid_request", f"agency one of {AGENCIES}; integer starts_in_minutes; 1 ≤ duration_minutes ≤ 10080"
        )
    start = datetime.fromtimestamp(current_sandbox().scenario.clock.wall(), UTC) + timedelta(minutes=starts)
    window = board.announce(
        agency, start, start + timedelta(minutes=duration), str(body.get("message") or "Planned maintenance.")
    )
    return {"window": window, "windows": board.current()}, 201


@blueprint.get("/events")
def events():
    limit = request.args.get("limit", "100")
    scenario = current_sandbox().scenario
    return {
        "events": scenario.events.recent(int(limit) if limit.isdigit() else 100),
        "counts": scenario.events.counts(),
    }


@blueprint.post("/events/redeliver")
def redeliver():
    event_id = str((request.get_json(silent=True) or {}).get("event_id", ""))
    scenario = current_sandbox().scenario
    if scenario.events.get(event_id) is None:
        return json_error(404, "not_found", "no recent event with that id")
    if not scenario.redeliver(event_id):
        return json_error(409, "not_configured", "no hub events URL configured: events are only recorded")
    return {"event_id": event_id, "queued": True}


@blueprint.get("/letters")
def letters():
    population = current_sandbox().scenario.population
    if request.args.get("persona"):
        person = population.by_handle(request.args["persona"])
    else:
        person = population.by_person_id(request.args.get("person_id", ""))
    if person is None:
        return json_error(404, "not_found", "pass ?persona=<name> or ?person_id=<id> of a known person")
    return {
        "person_id": person.person_id,
        "persona": person.handle,
        "letters": current_sandbox().scenario.letters(person),
    }


@blueprint.post("/representatives/end")
def end_designation():
    """An agency ends an authorized representative's designation: `{"designation_id"}` (a change event follows)."""
    designation_id = str((request.get_json(silent=True) or {}).get("designation_id", ""))
    ended = current_sandbox().scenario.end_designation(designation_id)
    if ended is None:
        return json_error(404, "not_found", "no designation with that id")
    return ended


@blueprint.get("/ground-truth")
def ground_truth():
    """Who is at risk or may qualify today, by the sandbox's own people data (``simulator/people/ground_truth.py``):
    ``?persona=<handle>`` (repeatable), or ``?first=1&last=200`` for generated residents ``resident-<n>``."""
    scenario = current_sandbox().scenario
    population = scenario.population
    handles = request.args.getlist("persona")
    first, last = request.args.get("first", ""), request.args.get("last", "")
    if first.isdigit() and last.isdigit() and 1 <= int(first) <= int(last) and int(last) - int(first) < 10_000:
        handles += [f"resident-{n}" for n in range(int(first), int(last) + 1)]
    if not handles:
        return json_error(422, "invalid_request", "pass ?persona=<handle> or ?first=&last= (at most 10000 residents)")
    people = {}
    for handle in handles:
        person = population.by_handle(handle)
        if person is not None:
            people[handle] = {
                "verified": person.verified,
                "kinds": sorted(truth_for(person, scenario.clock.day, scenario.clock.start_date)),
            }
    return {
        "scenario_day": scenario.clock.day,
        "date": scenario.clock.today().isoformat(),
        "kinds": list(KINDS),
        "people": people,
    }
