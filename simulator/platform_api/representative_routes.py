"""Authorized representatives at the agencies: ``/platform/representatives``.

- ``PUT /platform/representatives/<agency>/<record_id>/<hub_designation_id>`` ``{"representative": {"given_name",
  "family_name"}}``: record that the record's person named this representative (idempotent by the hub's id) →
  the designation (201 when new, 200 when already recorded).
- ``POST /platform/representatives/<agency>/designations/<designation_id>/end`` ``{"ended_by"}``: end it.
- ``GET /platform/representatives/<agency>/<record_id>``: every designation of the record, both origins.
- ``GET /platform/representatives?representative_person_id=…``: every designation naming that representative.
"""

from __future__ import annotations

from flask import Blueprint, request

from simulator.people.model import AGENCIES
from simulator.platform_api.document_routes import _agency_unwell
from simulator.platform_api.platform_key import require_platform_key
from simulator.sandbox import current_sandbox, json_error

blueprint = Blueprint("representatives", __name__, url_prefix="/platform/representatives")
blueprint.before_request(require_platform_key)
ENDERS = ("resident", "representative", "agency", "support")


def _refused(agency: str):
    if agency not in AGENCIES:
        return json_error(404, "not_found", f"no agency {agency!r}")
    return _agency_unwell(agency)


@blueprint.put("/<agency>/<record_id>/<hub_designation_id>")
def record(agency: str, record_id: str, hub_designation_id: str):
    agency = agency.upper()
    refused = _refused(agency)
    if refused:
        return refused
    scenario = current_sandbox().scenario
    found = scenario.population.by_record(agency, record_id)
    if found is None:
        return json_error(404, "not_found", "no such record at that agency")
    named = (request.get_json(silent=True) or {}).get("representative") or {}
    given, family = str(named.get("given_name") or "").strip(), str(named.get("family_name") or "").strip()
    if not given or not family or len(hub_designation_id) > 64:
        return json_error(422, "invalid_request", "representative.given_name and family_name are required")
    designation, new = scenario.representatives.record(
        agency, found[0], hub_designation_id, given, family, scenario.clock.day
    )
    return designation, 201 if new else 200


@blueprint.post("/<agency>/designations/<designation_id>/end")
def end(agency: str, designation_id: str):
    agency = agency.upper()
    refused = _refused(agency)
    if refused:
        return refused
    scenario = current_sandbox().scenario
    ended_by = str((request.get_json(silent=True) or {}).get("ended_by") or "")
    if ended_by not in ENDERS:
        return json_error(422, "invalid_request", f"ended_by is one of {', '.join(ENDERS)}")
    known = scenario.representatives.get(designation_id)
    if known is None or known["agency"] != agency:
        return json_error(404, "not_found", "no such designation at that agency")
    return scenario.representatives.end(designation_id, ended_by, scenario.clock.day)


@blueprint.get("/<agency>/<record_id>")
def of_record(agency: str, record_id: str):
    agency = agency.upper()
    refused = _refused(agency)
    if refused:
        return refused
    return {"designations": current_sandbox().scenario.representatives.of_record(agency, record_id)}


@blueprint.get("")
def of_representative():
    person_id = request.args.get("representative_person_id", "")
    if not person_id:
        return json_error(422, "invalid_request", "pass ?representative_person_id=<person id>")
    return {"designations": current_sandbox().scenario.representatives.of_representative(person_id)}
