"""The platform's bulk export: every record of one agency, in pages, for a hub's bulk reconciliation.

    GET /platform/agencies/{agency}/records?cursor=…&limit=…

Records come in platform order (personas first, then residents 1..N), each with the document exactly as the
agency's per-record feed answers it now (``body``, of ``content_type``) and the scenario day it shows
(``as_of``), so a hub reads a record from either route with the same adapter. ``fields=ids`` leaves the
documents out (record and person ids only: what a load seeder needs to link residents, at a fraction of the
cost). ``next_cursor`` resumes after
the page's last record (null at the end); a cursor is opaque to the hub (here: the next platform position to
look at). The agency's fault switch applies to the whole page, as to its per-record feed. The per-record routes
(``feed_routes``) are unchanged.
"""

from __future__ import annotations

import json

from flask import Blueprint, request

from simulator.feeds.aging import MAX_PAGE_SIZE, aging_rows, export_page
from simulator.feeds.dceo import render_applicant
from simulator.feeds.dec import render_dec_cases
from simulator.feeds.dhs import render_dhs_cases
from simulator.feeds.documents import CONTENT_TYPES
from simulator.feeds.hfs import render_coverage_bundle
from simulator.platform_api.feed_routes import faulty, today
from simulator.platform_api.platform_key import require_platform_key
from simulator.sandbox import current_sandbox, json_error

blueprint = Blueprint("bulk_export", __name__, url_prefix="/platform")
blueprint.before_request(require_platform_key)

MAX_LIMIT = 5000


def _body(agency: str, person, record, day: int, start, public_url: str) -> object:
    """The per-record feed's answer for ``record`` (the same renderers and arguments as ``feed_routes``)."""
    if agency == "DHS":
        return render_dhs_cases(person, record, day, start)
    if agency == "HFS":
        return render_coverage_bundle(person, record, day, start, public_url, record.record_id)
    if agency == "AGING":
        rows = aging_rows(person, record, day, start)
        return export_page(rows[:MAX_PAGE_SIZE], 1, MAX_PAGE_SIZE, len(rows), day, start)
    if agency == "DCEO":
        return render_applicant(person, record, day, start)
    return render_dec_cases(person, record, day, start, person.person_id)


@blueprint.get("/agencies/<agency>/records")
def agency_records(agency: str):
    agency = agency.upper()
    if agency not in CONTENT_TYPES:
        return json_error(404, "not_found", f"no agency {agency}")
    cursor, limit = request.args.get("cursor", "0"), request.args.get("limit", "1000")
    if not cursor.isdigit() or not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
        return json_error(400, "invalid_request", f"cursor is a number from a previous page; 1 ≤ limit ≤ {MAX_LIMIT}")
    ids_only = request.args.get("fields") == "ids"
    return faulty(agency, "application/json")(lambda: (_page(agency, int(cursor), int(limit), ids_only), 200))()


def _page(agency: str, position: int, limit: int, ids_only: bool) -> dict:
    sandbox = current_sandbox()
    population, (day, start) = sandbox.scenario.population, today()
    personas = list(population.personas.values())
    end = len(personas) + population.residents
    records = []
    while position < end and len(records) < limit:
        n, position = position - len(personas) + 1, position + 1  # n: the resident at this position, if ≥ 1
        if n < 1:
            person = personas[position - 1]
        elif population.lacks_record(n, agency):
            continue  # most residents have no record at an agency: not built to learn it
        else:
            person = population.resident(n)
        record = person.record(agency)
        if record is None:
            continue
        if ids_only:
            records.append({"record_id": record.record_id, "person_id": person.person_id})
            continue
        body = _body(agency, person, record, day, start, sandbox.settings.public_url)
        records.append(
            {
                "record_id": record.record_id,
                "person_id": person.person_id,
                "content_type": CONTENT_TYPES[agency],
                "as_of": (start.fromordinal(start.toordinal() + day)).isoformat(),
                "body": body if isinstance(body, str) else json.dumps(body, ensure_ascii=False),
            }
        )
    return {"agency": agency, "records": records, "next_cursor": str(position) if position < end else None}
