"""What an ID token says about a resident or a staff member.

Each token carries a fresh ``jti``, as real providers' do: it is the handle a relying party uses to accept
each ID token once (the hub does), and it keeps two sign-ins in the same second from producing the same token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from simulator.people.model import Person

IAL1 = "http://idmanagement.gov/ns/assurance/ial/1"
IAL2 = "http://idmanagement.gov/ns/assurance/ial/2"
ID_TOKEN_SECONDS = 600


def pairwise_sub(secret: str, person_id: str, client_id: str) -> str:
    """Same person and client → same sub; another client cannot correlate it (login.gov's pairwise subjects)."""
    return hmac.new(secret.encode(), f"{person_id}|{client_id}".encode(), hashlib.sha256).hexdigest()


def timing(now: int) -> dict:
    return {"iat": now, "nbf": now, "exp": now + ID_TOKEN_SECONDS, "auth_time": now, "jti": secrets.token_urlsafe(16)}


def resident_claims(
    person: Person, *, issuer: str, client_id: str, now: int, sub_secret: str, nonce: str | None
) -> dict:
    claims = {
        "iss": issuer,
        "aud": client_id,
        "sub": pairwise_sub(sub_secret, person.person_id, client_id),
        **timing(now),
        "acr": IAL2 if person.verified else IAL1,
        "email": person.email,
        "email_verified": True,
        "locale": person.locale,
    }
    if nonce:
        claims["nonce"] = nonce
    if person.verified:
        claims.update(
            {
                "given_name": person.given_name,
                "family_name": person.idp_family_name or person.family_name,
                "birthdate": person.birthdate.isoformat(),
                "ssn_last4": person.ssn_last4,
                "phone_number": person.phone,
            }
        )
    return claims


def staff_claims(staff: dict, *, issuer: str, audience: str, now: int, nonce: str | None) -> dict:
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": staff["sub"],
        **timing(now),
        "name": staff["name"],
        "email": staff["email"],
        "roles": list(staff["roles"]),
    }
    if nonce:
        claims["nonce"] = nonce
    return claims
