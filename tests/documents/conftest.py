"""Document tests: maria (a document action at DHS) and james (an interview action) signed in at the sandbox, with
their actions synced; helpers to upload and to run the hub's background work."""

from __future__ import annotations

import dataclasses

import pytest

from notifications.dispatch import dispatch_job
from services.documents.forwarding import sweep
from tests.factories import sign_in


@dataclasses.dataclass
class Resident:
    who: object
    action_id: str
    headers: dict


def first_action(client, who, kind: str) -> str:
    assert client.get("/v1/me/benefits", headers=who.headers).status_code == 200  # syncs the actions
    response = client.get("/v1/me/actions", headers=who.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return next(a["id"] for a in response.get_json()["data"] if a["kind"] == kind)


@pytest.fixture
def maria(sandbox_client, sandbox_url) -> Resident:
    who = sign_in(sandbox_client, sandbox_url, "maria")
    return Resident(who, first_action(sandbox_client, who, "document"), who.headers)


@pytest.fixture
def james(sandbox_client, sandbox_url) -> Resident:
    who = sign_in(sandbox_client, sandbox_url, "james")
    return Resident(who, first_action(sandbox_client, who, "interview"), who.headers)


def upload(client, resident, content: bytes, filename: str = "proof.pdf", *, action_id=None, headers=None, **extra):
    data = {"file": (__import__("io").BytesIO(content), filename), **extra}
    return client.post(
        f"/v1/me/actions/{action_id or resident.action_id}/documents",
        data=data,
        content_type="multipart/form-data",
        headers={**resident.headers, **(headers or {})},
    )


def run_background(hub, *, check_all: bool = True) -> None:
    """What the workers would do: queued jobs, a sweep, and the dispatch that turns events into messages."""
    hub.runner.run_pending()
    sweep(hub, check_all=check_all)
    dispatch_job(hub)
    hub.runner.pending.clear()  # follow-ups (sends) are not under test here
