"""The objects one running sandbox shares between its routes, kept on the Flask app."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from simulator.identity.authorization_codes import AuthorizationCodes
from simulator.identity.keys import KeyRing
from simulator.partner_keys import PartnerKeys
from simulator.scenario.state import Scenario
from simulator.settings import SimulatorSettings


@dataclass
class Sandbox:
    settings: SimulatorSettings
    scenario: Scenario
    resident_keys: KeyRing
    staff_keys: KeyRing
    codes: AuthorizationCodes
    access_tokens: dict  # opaque access token → (handle, client_id), for userinfo
    partner_keys: PartnerKeys = field(default_factory=lambda: PartnerKeys())

    @property
    def clock(self):
        return self.scenario.clock

    @property
    def sub_secret(self) -> str:
        return f"sandbox-pairwise:{self.settings.seed}"


def current_sandbox() -> Sandbox:
    return current_app.extensions["simulator"]


def json_error(status: int, error: str, description: str = "", **extra):
    body = {"error": error, **({"error_description": description} if description else {}), **extra}
    return body, status
