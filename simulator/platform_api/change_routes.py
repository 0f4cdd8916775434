"""Per-agency change feeds: `GET /platform/{agency}/changes?since=<cursor>&limit=` in the order changes happened;
`GET /platform/maintenance`: the agencies' announced maintenance windows."""

from __future__ import annotations

from flask import Blueprint, request

from simulator.people.model import AGENCIES
from simulator.platform_api.platform_key import require_platform_key
from simulator.sandbox import current_sandbox, json_error

blueprint = Blueprint("changes", __name__, url_prefix="/platform")
blueprint.before_request(require_platform_key)
MAX_LIMIT = 1000


@blueprint.get("/maintenance")
def maintenance():
    """The agencies' announced planned outages that have not ended."""
    return {"windows": current_sandbox().scenario.maintenance.current()}


@blueprint.get("/<agency>/changes")
def changes(agency: str):
    agency = agency.upper()
    if agency not in AGENCIES:
        return json_error(404, "not_found", f"no agency {agency!r}")
    since, limit = request.args.get("since", "0") or "0", request.args.get("limit", "100")
    if not since.isdigit() or not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
        return json_error(400, "invalid_request", f"since is a cursor from next_cursor; 1 ≤ limit ≤ {MAX_LIMIT}")
    scenario = current_sandbox().scenario
    fault = scenario.faults.get(agency)
    if fault and fault.mode == "down":
        return json_error(503, "service_unavailable", f"{agency} is down")
    items, cursor = scenario.events.changes(agency, int(since), int(limit))
    return {"changes": items, "next_cursor": str(cursor)}
