"""``GET /healthz`` (the process answers) and ``GET /readyz`` (its dependencies answer)."""

from __future__ import annotations

from api.current_hub import current_hub
from api.extension import Blueprint
from api.operations.health.schemas import HealthSchema, ReadinessSchema

blp = Blueprint("health", __name__, description="Liveness and readiness")


@blp.route("/healthz")
@blp.public()
@blp.response(200, HealthSchema)
def healthz():
    """The process is alive. Touches nothing else, so it is as cheap as a request can be."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.public()
@blp.response(200, ReadinessSchema)
@blp.alt_response(503, schema=ReadinessSchema, description="A dependency is not reachable")
def readyz():
    """Each registered check (database, broker, platform) with its outcome; 503 when any fails."""
    checks = current_hub().readiness.run()
    ready = all(check["ok"] for check in checks)
    return {"status": "ready" if ready else "not_ready", "checks": checks}, 200 if ready else 503
