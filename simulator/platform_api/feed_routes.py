"""The five agency feeds, each in its own silo's shape, behind the platform key and the agency's fault switch."""

from __future__ import annotations

import functools
import json
import time

from flask import Blueprint, Response, request

from simulator.feeds.aging import MAX_PAGE_SIZE, aging_rows, export_page
from simulator.feeds.dceo import render_applicant
from simulator.feeds.dec import render_dec_cases
from simulator.feeds.dhs import render_dhs_cases
from simulator.feeds.documents import CONTENT_TYPES
from simulator.feeds.hfs import render_coverage_bundle
from simulator.feeds.malformed import garble
from simulator.platform_api.platform_key import require_platform_key
from simulator.sandbox import current_sandbox, json_error

blueprint = Blueprint("feeds", __name__, url_prefix="/platform")
blueprint.before_request(require_platform_key)


def faulty(agency: str, content_type: str | None = None):
    """Applies the agency's current fault around a feed view that returns (payload, status); the answer is of
    the agency's feed type unless ``content_type`` says otherwise (the bulk export is JSON for every agency)."""

    def wrap(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            board = current_sandbox().scenario.faults
            fault = board.get(agency)
            if fault and fault.mode == "down":
                return json_error(503, "service_unavailable", f"{agency} is down")
            if fault and fault.mode == "slow":
                time.sleep(fault.latency_ms / 1000)
            if fault and fault.mode == "error" and board.error_now(fault):
                return json_error(500, "internal_error", f"{agency} failed")
            payload, status = view(*args, **kwargs)
            text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
            if fault and fault.mode == "malformed" and status == 200:
                text = garble(text)
            kind = content_type or CONTENT_TYPES[agency]
            return Response(text, status=status, content_type=kind + "; charset=utf-8")

        return guarded

    return wrap


def today():
    scenario = current_sandbox().scenario
    return scenario.clock.day, scenario.clock.start_date


@blueprint.get("/dhs/clients/<record_id>/cases")
@faulty("DHS")
def dhs_cases(record_id: str):
    found = current_sandbox().scenario.population.by_record("DHS", record_id)
    if found is None:
        return {"error": "not_found", "error_description": "no DHS client with that id"}, 404
    return render_dhs_cases(*found, *today()), 200


@blueprint.get("/hfs/fhir/Coverage")
@faulty("HFS")
def hfs_coverage():
    beneficiary = request.args.get("beneficiary", "")
    if not beneficiary.startswith("Patient/") or len(beneficiary) <= len("Patient/"):
        return {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": "required",
                    "diagnostics": "search parameter beneficiary=Patient/{id} is required",
                }
            ],
        }, 400
    patient_id = beneficiary[len("Patient/") :]
    found = current_sandbox().scenario.population.by_record("HFS", patient_id)
    person, record = found if found else (None, None)
    return render_coverage_bundle(person, record, *today(), current_sandbox().settings.public_url, patient_id), 200


def positive_int(name: str, default: int, maximum: int) -> int | None:
    raw = request.args.get(name, str(default))
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= maximum else None


@blueprint.get("/aging/export")
@faulty("AGING")
def aging_export():
    page, page_size = positive_int("page", 1, 10**9), positive_int("page_size", 100, MAX_PAGE_SIZE)
    if page is None or page_size is None:
        return {"error": "invalid_request", "error_description": f"page ≥ 1 and 1 ≤ page_size ≤ {MAX_PAGE_SIZE}"}, 400
    scenario = current_sandbox().scenario
    day, start = today()
    person_id = request.args.get("person_id")
    if person_id is not None:
        person = scenario.population.by_person_id(person_id)
        record = person.record("AGING") if person else None
        rows = aging_rows(person, record, day, start) if record else []
        return export_page(rows[(page - 1) * page_size : page * page_size], page, page_size, len(rows), day, start), 200
    rows, more = scenario.aging_roster.page(day, start, page, page_size)
    payload = export_page(rows, page, page_size, 0, day, start)
    payload.update(total_rows=None, next_page=page + 1 if more else None)
    return payload, 200


@blueprint.get("/dceo/applicants/<record_id>")
@faulty("DCEO")
def dceo_applicant(record_id: str):
    found = current_sandbox().scenario.population.by_record("DCEO", record_id)
    if found is None:
        return {"error": "not_found", "error_description": "no DCEO applicant with that id"}, 404
    return render_applicant(*found, *today()), 200


@blueprint.get("/dec/cases")
@faulty("DEC")
def dec_cases():
    population = current_sandbox().scenario.population
    person_id = request.args.get("person_id", "")
    person = population.by_person_id(person_id) if person_id else None
    if not person_id and request.args.get("record_id"):
        found = population.by_record("DEC", request.args["record_id"])
        person = found[0] if found else None
        person_id = person.person_id if person else ""
    if not person_id:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error code="MISSING_PARAMETER">person_id is required</Error>',
            400,
        )
    return render_dec_cases(person, person.record("DEC") if person else None, *today(), person_id), 200
