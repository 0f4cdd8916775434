"""The partner story, driven by a client generated from ``/openapi.json`` (``tests/api/generated_client.py``), as an
agency developer would write it: an assertion from the sandbox, ``requestToken`` with client credentials,
``sendPartnerNotification`` to maria's DHS case with an Idempotency-Key (sent twice: the same answer), the message
in maria's inbox, and ``getPartnerNotification`` saying it was delivered. Undocumented answers raise."""

from __future__ import annotations

from notifications.dispatch import dispatch_job
from tests.api.generated_client import FlaskTransport, generate
from tests.partner.factories import maria_with_phone, message, sandbox_assertion

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def test_the_partner_story_with_a_generated_client(partner_client, partner_hub, sandbox_url, tmp_path):
    generate(partner_client.get("/openapi.json").get_json(), tmp_path)
    from hub_client import AuthenticatedClient, Client
    from hub_client.api.partner_notifications import get_partner_notification, send_partner_notification
    from hub_client.api.resident_notifications import list_notifications
    from hub_client.api.resident_sign_in import request_token
    from hub_client.models import NotificationRequest, TokenRequest

    options = {"base_url": "http://localhost", "httpx_args": {"transport": FlaskTransport(partner_client)}}
    token = request_token.sync(
        client=Client(raise_on_unexpected_status=True, **options),
        body=TokenRequest(
            grant_type="client_credentials",
            client_id="sandbox-partner-dhs",
            client_assertion_type=ASSERTION_TYPE,
            client_assertion=sandbox_assertion(sandbox_url),
        ),
    )
    dhs = AuthenticatedClient(token=token.access_token, raise_on_unexpected_status=True, **options)
    maria_headers = maria_with_phone(partner_client, sandbox_url).headers  # signed in, her cases read
    maria = AuthenticatedClient(
        token=maria_headers["Authorization"].split()[1], raise_on_unexpected_status=True, **options
    )

    body = NotificationRequest.from_dict(message())
    sent = send_partner_notification.sync_detailed(client=dhs, body=body, idempotency_key="generated-story-0001")
    again = send_partner_notification.sync_detailed(client=dhs, body=body, idempotency_key="generated-story-0001")
    assert sent.status_code == 202 and again.parsed.id == sent.parsed.id
    assert sent.headers["X-RateLimit-Limit"]

    dispatch_job(partner_hub)
    partner_hub.runner.run_pending()
    inbox = list_notifications.sync(client=maria).data
    assert "Thanks Maria, your proof of income arrived." in [m.body for m in inbox]
    status = get_partner_notification.sync(sent.parsed.id, client=dhs)
    assert str(status.status) == "delivered"
