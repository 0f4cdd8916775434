"""OpenID Provider metadata documents (pure)."""

from __future__ import annotations

from simulator.identity.claims import IAL1, IAL2


def resident_discovery(issuer: str) -> dict:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks.json",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "acr_values_supported": [IAL1, IAL2],
        "scopes_supported": ["openid", "email", "profile", "phone", "social_security_number"],
        "claims_supported": [
            "iss",
            "aud",
            "sub",
            "iat",
            "nbf",
            "exp",
            "nonce",
            "auth_time",
            "acr",
            "email",
            "email_verified",
            "locale",
            "given_name",
            "family_name",
            "birthdate",
            "ssn_last4",
            "phone_number",
        ],
    }


def staff_discovery(issuer: str) -> dict:
    return {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/jwks.json",
        "test_login_endpoint": f"{issuer}/test-login",
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["iss", "aud", "sub", "iat", "nbf", "exp", "nonce", "auth_time", "name", "email", "roles"],
    }
