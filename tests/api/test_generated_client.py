"""The README walkthrough, driven by a client generated from ``/openapi.json`` (``tests/api/generated_client.py``):
if the document misstates a path, a parameter, a header, a body or an answer, the generated code cannot make
the call or parse what comes back (``raise_on_unexpected_status``: an undocumented status raises).

maria signs in through the sandbox and the token endpoint, reads her benefits and actions, registers her
phone; the sandbox moves a week ahead and posts its signed change events to the hub; her inbox fills; HFS goes down and is served
stale; sophie finds her by case number with a reason, reads her benefits and notifications and resends one;
maria sees that look in her access log.
"""

from __future__ import annotations

import httpx
import pytest

from notifications.dispatch import dispatch_job
from tests.api.generated_client import FlaskTransport, generate
from tests.benefits.test_sandbox_events import live_hub_with_events, wait_until_delivered
from tests.factories import id_token_for, staff_id_token_for

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
REASON = "Caller asked why her SNAP shows a document due"


@pytest.fixture
def live(settings, test_database):
    """The hub served over HTTP with a sandbox that posts its signed change events to it, as ``make run`` does."""
    with live_hub_with_events(settings, test_database) as live:
        yield live


@pytest.fixture
def hub_client(live, tmp_path):
    """The generated package, and a factory of clients that reach the live hub's app through its test client."""
    package = generate(live.client.get("/openapi.json").get_json(), tmp_path)

    def connect(token: str | None = None):
        options = {"base_url": live.url, "httpx_args": {"transport": FlaskTransport(live.client)}}
        if token is None:
            return package.Client(raise_on_unexpected_status=True, **options)
        return package.AuthenticatedClient(token=token, raise_on_unexpected_status=True, **options)

    return package, connect


def _sign_in(package, connect, id_token: str, client_id: str) -> str:
    from hub_client.api.resident_sign_in import request_token
    from hub_client.models import TokenRequest, TokenRequestSubjectTokenType

    body = TokenRequest(
        grant_type=TOKEN_EXCHANGE,
        client_id=client_id,
        subject_token=id_token,
        subject_token_type=TokenRequestSubjectTokenType("urn:ietf:params:oauth:token-type:id_token"),
    )
    answer = request_token.sync_detailed(client=connect(), body=body)
    assert answer.status_code == 200, answer.content
    return answer.parsed.access_token


@pytest.mark.slow
def test_the_readme_walkthrough_with_a_generated_client(hub_client, live):
    package, connect = hub_client
    sandbox_url = live.sandbox_url
    from hub_client.api.resident_access_log import list_access_log
    from hub_client.api.resident_benefits import list_actions, list_benefits
    from hub_client.api.resident_devices import register_device
    from hub_client.api.resident_notifications import list_notifications
    from hub_client.api.resident_profile import get_me
    from hub_client.api.support_actions import resend_notification
    from hub_client.api.support_residents import find_residents, list_resident_benefits, list_resident_notifications
    from hub_client.models import BenefitList, DeviceRegistration, DeviceRegistrationPlatform, Problem

    # 1. maria signs in
    maria = connect(_sign_in(package, connect, id_token_for(sandbox_url, "maria"), "sandbox-app"))

    # 2. who she is, and what she has: SNAP with a document due, WIC, Medicaid; every source fresh
    assert get_me.sync(client=maria).identity_verified is True
    benefits = list_benefits.sync_detailed(client=maria)
    assert benefits.status_code == 200 and isinstance(benefits.parsed, BenefitList)
    assert {b.program.code for b in benefits.parsed.data} >= {"SNAP", "WIC", "MEDICAID"}
    assert {str(s.status) for s in benefits.parsed.meta.sources if str(s.agency) in {"DHS", "HFS"}} == {"fresh"}
    etag = benefits.headers["ETag"]
    assert list_benefits.sync_detailed(client=maria, if_none_match=etag).status_code == 304
    assert any(str(a.kind) == "document" for a in list_actions.sync(client=maria).data)

    # 3. her phone, registered for pushes (retried with the same key: the same answer, nothing twice)
    phone = DeviceRegistration(
        platform=DeviceRegistrationPlatform.ANDROID,
        push_token="maria-phone-demo-token-0001",
        app_id="sandbox-app",
        locale="en",
    )
    first = register_device.sync_detailed(client=maria, body=phone, idempotency_key="maria-phone-0001")
    again = register_device.sync_detailed(client=maria, body=phone, idempotency_key="maria-phone-0001")
    assert first.status_code in (200, 201) and again.headers["Idempotent-Replayed"] == "true"
    assert again.parsed.id == first.parsed.id

    # 4–5. a week later: her document request falls due, her Medicaid renewal packet is issued; the inbox has them
    assert httpx.post(f"{sandbox_url}/platform/sim/advance", json={"days": 7}, timeout=30).status_code == 200
    wait_until_delivered(sandbox_url)  # the platform's signed events, posted to the live hub
    dispatch_job(live.hub)
    live.hub.runner.run_pending()
    inbox = list_notifications.sync(client=maria)
    assert inbox.data, "the week's changes reached maria's inbox"

    # 6. HFS is down: answered at once from the last good copy, marked stale
    httpx.post(f"{sandbox_url}/platform/sim/faults", json={"agency": "HFS", "mode": "down"}, timeout=10)
    sources = {str(s.agency): str(s.status) for s in list_benefits.sync(client=maria, refresh=True).meta.sources}
    assert sources["HFS"] == "stale"
    httpx.post(f"{sandbox_url}/platform/sim/faults", json={"agency": "HFS", "mode": "ok"}, timeout=10)

    # 7. support: sophie finds maria by case number with a reason, reads her benefits and messages, resends one
    sophie = connect(_sign_in(package, connect, staff_id_token_for(sandbox_url, "sophie"), "support-console"))
    found = find_residents.sync(client=sophie, case_number="204815367", x_access_reason=REASON)
    [resident] = found.data
    assert list_resident_benefits.sync(resident.id, client=sophie, x_access_reason=REASON).data
    messages = list_resident_notifications.sync(resident.id, client=sophie, x_access_reason=REASON).data
    resent = resend_notification.sync(messages[0].id, client=sophie, x_access_reason=REASON)
    assert resent.notification_id == messages[0].id

    # without a reason: a problem document the client parses
    refused = find_residents.sync_detailed(client=sophie, case_number="204815367", x_access_reason="")
    assert refused.status_code == 400 and isinstance(refused.parsed, Problem)
    assert "X-Access-Reason" in refused.parsed.errors.additional_properties

    # maria sees who looked, and why
    log = list_access_log.sync(client=maria)
    assert any(REASON in (entry.reason or "") for entry in log.data)
