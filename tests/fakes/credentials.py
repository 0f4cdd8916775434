"""A google-auth credential for tests: a fixed bearer token, and a ``refresh()`` that never touches the network."""

from __future__ import annotations

from google.auth.credentials import Credentials

FAKE_ACCESS_TOKEN = "fake-fcm-access-token"


class FixedTokenCredential(Credentials):
    """Always valid, always the same token; refreshing it (as google-auth does after a 401) changes nothing."""

    def __init__(self, token: str = FAKE_ACCESS_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.expiry = None

    def refresh(self, request: object) -> None:
        """Nothing to refresh: the fake server knows this token."""
