"""The document's ``info`` (with a getting-started guide per audience, ``guide.md``), ``servers`` and security
schemes, from the settings of the hub that serves it.

With the sandbox on, a fourth scheme, ``sandboxSignIn``, is OAuth2 authorization code with PKCE against the
sandbox's resident identity provider, redeemed by the hub's own token endpoint (the hub is the broker:
``grant_type=authorization_code``): "Authorize" in ``/docs`` opens the sandbox's persona picker and "Try it out"
then calls as that resident. It is left out when the sandbox is off: the state's identity provider does not
know ``/docs`` as a redirect URI.
"""

from __future__ import annotations

from pathlib import Path

from config import Settings

GUIDE = Path(__file__).with_name("guide.md")
DOCS_CLIENT_ID = "sandbox-app"  # the sandbox's resident app; /docs signs in as it
SANDBOX_SIGN_IN = "sandboxSignIn"


def document_info(settings: Settings) -> dict:
    guide = GUIDE.read_text(encoding="utf-8")
    guide = guide.replace("{HUB}", settings.public_url.rstrip("/")).replace("{SANDBOX}", settings.sandbox_url)
    return {
        "description": guide,
        "contact": {"name": "Benefits Hub developer support", "email": "developers@benefits-hub.example"},
    }


def servers(settings: Settings) -> list[dict]:
    return [{"url": settings.public_url.rstrip("/"), "description": "This hub"}]


def security_schemes(settings: Settings) -> dict[str, dict]:
    schemes = {
        "resident": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The hub's access token for a resident app (from POST /v1/auth/token).",
        },
        "staff": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The hub's access token for support staff (POST /v1/auth/token with "
            "client_id=support-console and the workforce identity provider's ID token).",
        },
        "partner": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A partner app's access token (POST /v1/auth/token, grant_type=client_credentials with a "
            "private_key_jwt client_assertion).",
        },
        "platformSignature": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Platform-Signature",
            "description": "HMAC-SHA256 over '<X-Platform-Timestamp>.<raw body>' with the shared events secret.",
        },
    }
    if settings.sandbox_enabled:
        schemes[SANDBOX_SIGN_IN] = {
            "type": "oauth2",
            "description": "Sandbox only: sign in as a persona (maria, james, ana, lee, sam, grace, rosa) at the "
            f"sandbox identity provider; the hub redeems the code. Use client id `{DOCS_CLIENT_ID}`, no secret, PKCE on.",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": settings.oidc_issuer.rstrip("/") + "/authorize",
                    "tokenUrl": settings.public_url.rstrip("/") + "/v1/auth/token",
                    "scopes": {"openid": "Sign in"},
                }
            },
        }
    return schemes
