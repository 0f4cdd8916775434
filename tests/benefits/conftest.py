"""Benefits tests run the sandbox with a short breaker reset and read budget, so recovery is quick to see."""

from __future__ import annotations

import dataclasses

import pytest


@pytest.fixture
def sandbox_settings(sandbox_settings):
    return dataclasses.replace(sandbox_settings, breaker_reset_seconds=1, read_budget_seconds=1.0)
