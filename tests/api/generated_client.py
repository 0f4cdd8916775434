"""A Python client generated from the hub's own ``/openapi.json`` by openapi-python-client (0.29.1), for tests.

Decision: the generated client is not committed. Each test session generates it into a temporary folder from
the document the app serves at that moment, so it can never drift from the document, and the repository holds
no generated code to review or keep current. Generation is offline (a Jinja render, no network) and its ruff
post-hooks are off (``post_hooks: []``): formatting is not what is under test. An agency that wants a client runs
the same command against ``/openapi.json`` (README, "API clients").

``FlaskTransport`` lets the generated client (httpx) talk to the app through the Flask test client, so every
answer it parses has also passed the suite's response validation (``tests/openapi_validation.py``).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import httpx

PACKAGE = "hub_client"
CONFIG = f"post_hooks: []\nproject_name_override: {PACKAGE}\npackage_name_override: {PACKAGE}\n"


def generate(document: dict, folder: Path) -> ModuleType:
    """Generate the client package for ``document`` into ``folder`` and import it."""
    (folder / "openapi.json").write_text(json.dumps(document))
    (folder / "config.yml").write_text(CONFIG)
    command = [
        str(Path(sys.executable).with_name("openapi-python-client")),
        "generate",
        "--path",
        str(folder / "openapi.json"),
        "--config",
        str(folder / "config.yml"),
        "--meta",
        "none",
        "--output-path",
        str(folder / PACKAGE),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr  # every schema understood
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))


class FlaskTransport(httpx.BaseTransport):
    """httpx → the Flask test client (which validates each answer against the document)."""

    def __init__(self, test_client) -> None:
        self.test_client = test_client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.test_client.open(
            request.url.raw_path.decode("ascii"),
            method=request.method,
            headers=[(name, value) for name, value in request.headers.items() if name.lower() != "host"],
            data=request.read(),
        )
        return httpx.Response(answer.status_code, headers=list(answer.headers.items()), content=answer.get_data())
