"""The master person index: match by verified identity attributes, or link by case number plus letter code.

``/link`` proves only that the caller holds the case's letter; to let a relying party check that the case is
its user's, it also takes an optional ``birthdate`` and answers ``birthdate_matches`` (true or false) for the
case's person. The index compares; it never hands out anyone's date of birth.
"""

from __future__ import annotations

import hmac
import re

from flask import Blueprint, request

from simulator.people.letters import letter_code, same_code
from simulator.people.model import AGENCIES
from simulator.platform_api.platform_key import require_platform_key
from simulator.sandbox import current_sandbox, json_error

blueprint = Blueprint("mpi", __name__, url_prefix="/platform/mpi")
blueprint.before_request(require_platform_key)
BIRTHDATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SSN_LAST4 = re.compile(r"^\d{4}$")


@blueprint.post("/match")
def match():
    body = request.get_json(silent=True) or {}
    fields = {k: str(body.get(k) or "").strip() for k in ("given_name", "family_name", "birthdate", "ssn_last4")}
    invalid = [k for k, v in fields.items() if not v]
    if fields["birthdate"] and not BIRTHDATE.match(fields["birthdate"]):
        invalid.append("birthdate")
    if fields["ssn_last4"] and not SSN_LAST4.match(fields["ssn_last4"]):
        invalid.append("ssn_last4")
    if invalid:
        return json_error(
            422,
            "invalid_request",
            "given_name, family_name, birthdate (YYYY-MM-DD) and ssn_last4 (4 digits) are required",
            fields=sorted(set(invalid)),
        )
    person = current_sandbox().scenario.population.match(**fields)
    if person is None:
        return json_error(404, "no_match")
    return {
        "person_id": person.person_id,
        "records": [{"agency": r.agency, "record_id": r.record_id} for r in person.records],
    }


@blueprint.post("/link")
def link():
    body = request.get_json(silent=True) or {}
    agency = str(body.get("agency") or "").upper()
    case_number = str(body.get("case_number") or "").strip()
    code = str(body.get("letter_code") or "")
    birthdate = body.get("birthdate")
    if agency not in AGENCIES or not case_number or not code:
        return json_error(
            422, "invalid_request", f"agency (one of {', '.join(AGENCIES)}), case_number and letter_code are required"
        )
    if birthdate is not None and not (isinstance(birthdate, str) and BIRTHDATE.match(birthdate)):
        return json_error(422, "invalid_request", "birthdate, when given, is YYYY-MM-DD", fields=["birthdate"])
    scenario = current_sandbox().scenario
    found = scenario.population.by_case(agency, case_number)
    if found is None or not same_code(letter_code(scenario.settings.seed, agency, case_number), code):
        return json_error(404, "no_match", "no case with that number and letter code")
    person, record, _ = found
    answer = {"person_id": person.person_id, "agency": agency, "record_id": record.record_id}
    if birthdate is not None:
        answer["birthdate_matches"] = hmac.compare_digest(person.birthdate.isoformat(), birthdate)
    return answer
