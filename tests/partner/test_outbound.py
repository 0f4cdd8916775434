"""The hub connects to a partner's JWKS and callback URLs only on public addresses in production, and a JWKS
fetch is bounded in size and time whatever the partner's server does (``services/partner/outbound.py``,
``services/partner/keys.py``)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notifications.dispatch import dispatch_job
from services.errors import InvalidInput
from services.partner import keys as partner_keys
from services.partner.apps import register_partner_app
from services.partner.callbacks import deliver_due_callbacks
from services.partner.keys import JwksUnavailable, PartnerKeySets
from services.partner.outbound import PrivateAddress, ensure_public
from tests.partner.factories import PartnerKey, maria_with_phone, message, register_app, token_for
from tests.partner.receiver import callback_receiver

PRIVATE_URLS = [
    "https://127.0.0.1/jwks.json",
    "https://localhost/jwks.json",
    "https://LOCALHOST./jwks.json",
    "https://10.1.2.3/jwks.json",
    "https://172.16.0.1/jwks.json",
    "https://192.168.1.1/jwks.json",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/jwks.json",
    "https://0.0.0.0/jwks.json",
    "https://[::1]/jwks.json",
    "https://[::ffff:127.0.0.1]/jwks.json",
    "https://[fd00::1]/jwks.json",
    "https://2130706433/jwks.json",  # 127.0.0.1 as one integer: resolves to loopback
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_non_public_addresses_are_refused(url):
    with pytest.raises(PrivateAddress):
        ensure_public(url)


def test_a_public_address_passes():
    ensure_public("https://93.184.216.34/jwks.json")
    ensure_public("https://[2606:2800:220:1:248:1893:25c8:1946]/cb")


@pytest.mark.parametrize("field", ["jwks_url", "callback_url"])
def test_production_registration_refuses_a_private_url_naming_the_field(hub, field):
    urls = {"jwks_url": "https://agency.example/jwks.json", field: "https://169.254.169.254/latest/meta-data/"}
    with hub.session() as session, pytest.raises(InvalidInput) as refused:
        register_partner_app(
            session, hub.field_cipher, agency="DHS", name="Metadata thief", scopes=["notifications:send"], **urls
        )
    assert field in refused.value.errors


@contextlib.contextmanager
def jwks_server(body: bytes, *, trickle_seconds: float = 0.0) -> Iterator[dict]:
    """A partner's JWKS server answering ``body`` (byte by byte, ``trickle_seconds`` apart, when given)."""
    seen = {"requests": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen["requests"] += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if not trickle_seconds:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                if trickle_seconds:
                    for byte in body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(trickle_seconds)
                else:
                    self.wfile.write(body)
            except OSError:
                return  # the hub hung up, as it should

        def log_message(self, *args):
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    seen["url"] = f"http://127.0.0.1:{server.server_port}/jwks.json"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_in_production_a_loopback_jwks_url_is_never_fetched():
    key = PartnerKey.new()
    with jwks_server(json.dumps(key.jwks).encode()) as server:
        assert PartnerKeySets(public_only=False).key_for(server["url"], key.kid, "ES256") is not None
        with pytest.raises(JwksUnavailable):
            PartnerKeySets(public_only=True).key_for(server["url"], key.kid, "ES256")
        assert server["requests"] == 1


def test_a_huge_jwks_answer_is_unusable_and_not_read_whole():
    key = PartnerKey.new()
    padded = {**key.jwks, "padding": "x" * (2 * 1024 * 1024)}
    with jwks_server(json.dumps(padded).encode()) as server, pytest.raises(JwksUnavailable):
        PartnerKeySets().key_for(server["url"], key.kid, "ES256")


def test_a_trickling_jwks_server_is_cut_off_at_the_deadline(monkeypatch):
    monkeypatch.setattr(partner_keys, "FETCH_DEADLINE_SECONDS", 1.0)
    key = PartnerKey.new()
    started = time.monotonic()
    with jwks_server(json.dumps(key.jwks).encode(), trickle_seconds=0.1) as server, pytest.raises(JwksUnavailable):
        PartnerKeySets().key_for(server["url"], key.kid, "ES256")
    assert time.monotonic() - started < 4  # the whole answer would take about 20 s


def test_in_production_a_callback_to_a_private_address_is_not_posted_nor_retried(
    partner_client, partner_hub, sandbox_url
):
    with callback_receiver() as receiver:
        maria_with_phone(partner_client, sandbox_url)
        client_id, key, _ = register_app(partner_hub, callback_url=receiver.url)  # registered outside production
        headers = token_for(partner_client, client_id, key)
        assert partner_client.post("/v1/partner/notifications", json=message(), headers=headers).status_code == 202
        dispatch_job(partner_hub)
        partner_hub.settings = dataclasses.replace(partner_hub.settings, hub_env="production")
        report = deliver_due_callbacks(partner_hub)
    assert receiver.received == []
    assert report.failed == 1 and report.retried == 0
