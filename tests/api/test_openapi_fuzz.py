"""A bounded schemathesis pass over the hub's own ``/openapi.json``: every operation, valid and invalid input
(schemathesis' positive and negative generation), as an anonymous caller, a resident (maria), a staff member
(sophie, with a reason), the platform (bodies signed with the events secret) and a partner app (the sandbox's
DHS app, on the partner routes), with real sign-ins at the
sandbox. No answer may be a server error, every error must be a problem document, and every answer must conform to
the document (schemathesis' status code, content type, header and schema checks).

Bounded and deterministic: ``EXAMPLES`` per operation, mode and caller, a fixed derandomised seed, no example
database; a few hundred requests in all, through the Flask test client.
"""

from __future__ import annotations

import contextlib
import json

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services import clock
from services.partner.apps import ensure_sandbox_partners
from services.platform.signatures import sign
from tests.factories import sign_in, sign_in_staff
from tests.partner.factories import sandbox_token

EXAMPLES = {GenerationMode.POSITIVE: 3, GenerationMode.NEGATIVE: 4}
SECRET = "sandbox-events-secret"


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def send(client, case, headers: dict[str, str], *, sign_body: bool):
    """The case as schemathesis' WSGI transport would send it, through the Flask test client; ``None`` when no
    HTTP client could send it at all (a header outside latin-1)."""
    kwargs = case.as_transport_kwargs(headers=headers)
    kwargs.pop("base_url", None)
    try:
        if "json" in kwargs:
            kwargs["data"] = json.dumps(kwargs.pop("json")).encode("utf-8", "surrogatepass")
            kwargs["headers"].setdefault("Content-Type", "application/json")
        if sign_body:
            body = kwargs.get("data") or b""
            body = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
            timestamp = int(clock.now().timestamp())
            kwargs["headers"]["X-Platform-Timestamp"] = str(timestamp)
            kwargs["headers"]["X-Platform-Signature"] = sign(SECRET, timestamp, body)
        for name, value in kwargs["headers"].items():
            name.encode("latin-1"), str(value).encode("latin-1")
    except (UnicodeError, ValueError, TypeError):
        return None
    return client.open(**kwargs)


def problems_of(response) -> list[str]:
    found = []
    if response.status_code >= 500:
        found.append(f"server error {response.status_code}: {response.get_data(as_text=True)[:200]}")
    if response.status_code >= 400:
        if response.mimetype != "application/problem+json":
            found.append(f"{response.status_code} is {response.mimetype}, not a problem document")
        else:
            body = response.get_json(force=True)
            missing = {"type", "title", "status", "detail", "request_id"} - set(body)
            if missing or body.get("status") != response.status_code:
                found.append(f"{response.status_code} problem lacks {sorted(missing)} or says {body.get('status')}")
    return found


CONFORMANCE = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def conformance_of(case, response) -> list[str]:
    """schemathesis' own conformance checks: the status is documented for the operation, and the content type,
    headers and body are the documented ones."""
    try:
        case.validate_response(response, checks=CONFORMANCE)
    except AssertionError as failure:  # schemathesis' failures (one or a group) are AssertionErrors
        return [f"{response.status_code}: {' '.join(str(failure).split())[:400]}"]
    return []


def not_authenticated_first(response) -> list[str]:
    """Without credentials a secured route answers 401 whatever else is wrong with the request (only the
    request guards that hold for every route, 400/414/431 about a header or the address, come first)."""
    if response.status_code == 401:
        return []
    if response.status_code in (400, 414, 431) and response.mimetype == "application/problem+json":
        errors = response.get_json(force=True).get("errors") or {}
        if response.status_code != 400 or any(name[:1].isupper() for name in errors):  # a header was named
            return []
    return [f"anonymous caller got {response.status_code}, not 401 (authentication must come first)"]


def fuzz_operation(client, operation, mode, count, headers, *, who: str, sent: list, failures: list) -> None:
    """Up to ``count`` cases of ``operation`` in ``mode``: each sent, its answer checked."""
    sign_body = who == "platform"

    @fuzz_settings(count)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        response = send(client, case, headers, sign_body=sign_body)
        if response is None:
            return
        sent.append(case.formatted_path)
        found = problems_of(response) + conformance_of(case, response)
        if who == "anonymous" and operation.definition.raw.get("security"):
            found.extend(not_authenticated_first(response))
            retyped = send(client, case, {"Content-Type": "text/plain"}, sign_body=False)
            if retyped is not None and case.media_type:  # a body in the wrong type: still a 401, never a 415
                sent.append(case.formatted_path)
                found.extend(problems_of(retyped) + conformance_of(case, retyped) + not_authenticated_first(retyped))
        failures.extend(f"{who} {case.method} {case.formatted_path} ({mode}): {problem}" for problem in found)

    with contextlib.suppress(hypothesis.errors.Unsatisfiable):  # nothing to make invalid (no parameters, no body)
        run()


def fuzz(client, schema, who: str, headers: dict[str, str]) -> tuple[int, list[str]]:
    sent, failures = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        if who == "platform" and operation.path != "/v1/platform/events":
            continue
        if who == "partner" and not operation.path.startswith("/v1/partner/"):
            continue
        for mode, count in EXAMPLES.items():
            fuzz_operation(client, operation, mode, count, headers, who=who, sent=sent, failures=failures)
    return len(sent), failures


@pytest.mark.slow
def test_fuzzing_the_openapi_document_finds_no_server_error(sandbox_app, sandbox_url, sandbox_hub):
    client = sandbox_app.test_client()
    with sandbox_hub.session() as session:
        ensure_sandbox_partners(session, sandbox_hub.field_cipher, sandbox_url)
        session.commit()
    schema = schemathesis.openapi.from_wsgi("/openapi.json", sandbox_app)
    maria = sign_in(client, sandbox_url, "maria")
    sophie = sign_in_staff(client, sandbox_url, "sophie")
    callers = {
        "anonymous": {},
        "resident": maria.headers,
        "staff": {**sophie.headers, "X-Access-Reason": "Caller asked about her benefits today"},
        "platform": {},
        "partner": sandbox_token(client, sandbox_url),  # sandbox-partner-dhs, every scope
    }
    total, failures = 0, []
    for who, headers in callers.items():
        sent, found = fuzz(client, schema, who, headers)
        total += sent
        failures.extend(found)
    print(f"schemathesis pass: {total} requests")
    assert total >= 150  # the pass really ran (a few hundred requests)
    assert failures == [], "\n".join(sorted(set(failures))[:50])
