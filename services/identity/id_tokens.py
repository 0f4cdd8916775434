"""Verifying an OpenID provider's ID tokens: discovery, a cached JWKS, and every check in one place.

The issuer comes from settings; its discovery document gives the ``jwks_uri`` and ``token_endpoint``. Keys
come from a ``PyJWKClient`` (the key set is cached for ``jwks_cache_seconds``); an unknown ``kid`` forces one
refetch, at most once per ``REFETCH_INTERVAL_SECONDS``, so a flood of made-up ``kid`` values cannot turn the
hub into a JWKS hammer while a real key rotation is still picked up at once. Only RS256 is accepted, which
also rules out ``alg: none`` and the "HS256 signed with the public key" confusion. Every refusal is an
``invalid_grant`` OAuth error whose detail says what was wrong (never the token or its claims).
"""

from __future__ import annotations

import hmac
import threading
import time
from typing import Any

import httpx
import jwt

from services.identity.refusals import INVALID_GRANT, TEMPORARILY_UNAVAILABLE, OAuthError

ALGORITHMS = ["RS256"]
LEEWAY_SECONDS = 60
REFETCH_INTERVAL_SECONDS = 10.0
HTTP_TIMEOUT_SECONDS = 5.0
BASE_CLAIMS = ("iss", "sub", "aud", "exp", "iat")


def _refuse(detail: str) -> OAuthError:
    return OAuthError(INVALID_GRANT, detail)


class IdentityProvider:
    """One OpenID provider (the resident IdP or the workforce IdP), built once per process."""

    def __init__(
        self,
        issuer: str,
        *,
        jwks_cache_seconds: int = 300,
        http: httpx.Client | None = None,
        refetch_interval: float = REFETCH_INTERVAL_SECONDS,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self._cache_seconds = jwks_cache_seconds
        self._http = http or httpx.Client(timeout=HTTP_TIMEOUT_SECONDS)
        self._refetch_interval = refetch_interval
        self._lock = threading.Lock()
        self._metadata: tuple[float, dict[str, Any]] | None = None
        self._jwks: jwt.PyJWKClient | None = None
        self._last_refetch = float("-inf")

    # Discovery and keys ------------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        """The discovery document, cached like the key set; its ``issuer`` must be the configured one."""
        with self._lock:
            if self._metadata and time.monotonic() - self._metadata[0] < self._cache_seconds:
                return self._metadata[1]
        try:
            response = self._http.get(f"{self.issuer}/.well-known/openid-configuration")
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError):
            raise OAuthError(TEMPORARILY_UNAVAILABLE, "The identity provider did not answer; try again.") from None
        if not isinstance(document, dict) or document.get("issuer", "").rstrip("/") != self.issuer:
            raise OAuthError(TEMPORARILY_UNAVAILABLE, "The identity provider's metadata names another issuer.")
        with self._lock:
            self._metadata = (time.monotonic(), document)
        return document

    def _jwks_client(self) -> jwt.PyJWKClient:
        if self._jwks is None:
            uri = self.metadata()["jwks_uri"]
            self._jwks = jwt.PyJWKClient(
                uri, cache_jwk_set=True, lifespan=self._cache_seconds, cache_keys=False, timeout=HTTP_TIMEOUT_SECONDS
            )
        return self._jwks

    def signing_key(self, kid: str) -> Any:
        client = self._jwks_client()
        try:
            key = _match(client.get_signing_keys(), kid)
            if key is None and self._may_refetch():
                key = _match(client.get_signing_keys(refresh=True), kid)
        except jwt.PyJWKClientConnectionError:
            raise OAuthError(TEMPORARILY_UNAVAILABLE, "The identity provider's keys could not be fetched.") from None
        except jwt.PyJWKClientError:
            key = None
        if key is None:
            raise _refuse("The ID token was signed with a key the identity provider does not publish (unknown kid).")
        return key.key

    def _may_refetch(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now - self._last_refetch < self._refetch_interval:
                return False
            self._last_refetch = now
            return True

    # Verification ------------------------------------------------------------------------------------

    def verify(
        self,
        token: str,
        *,
        audience: str,
        nonce: str | None = None,
        required: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """The verified claims of ``token`` for ``audience``, or an ``invalid_grant`` saying what was wrong."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise _refuse("The ID token is not a well-formed JWT.") from None
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise _refuse(f"ID tokens signed with {str(algorithm)[:16]!r} are not accepted; only RS256 is.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _refuse("The ID token has no key id (kid).")
        key = self.signing_key(kid)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": [*BASE_CLAIMS, *required]},
            )
        except jwt.ExpiredSignatureError:
            raise _refuse("The ID token has expired; sign in again.") from None
        except jwt.ImmatureSignatureError:
            raise _refuse("The ID token is not valid yet (iat or nbf is in the future).") from None
        except jwt.InvalidAudienceError:
            raise _refuse("The ID token was issued for another app (aud does not match client_id).") from None
        except jwt.InvalidIssuerError:
            raise _refuse("The ID token was not issued by the configured identity provider (iss).") from None
        except jwt.MissingRequiredClaimError as error:
            raise _refuse(f"The ID token lacks the required claim {error.claim!r}.") from None
        except jwt.InvalidSignatureError:
            raise _refuse("The ID token's signature does not verify (was it altered?).") from None
        except jwt.InvalidTokenError:
            raise _refuse("The ID token could not be verified.") from None
        if nonce is not None and not _same_text(claims.get("nonce"), nonce):
            raise _refuse("The ID token's nonce does not match the one this sign-in started with.")
        return claims

    # Authorization code + PKCE (the hub as broker) ----------------------------------------------------

    def redeem_code(self, *, code: str, code_verifier: str, redirect_uri: str, client_id: str) -> str:
        """Redeem an authorization code at the provider's token endpoint; return the (unverified) ID token."""
        endpoint = self.metadata().get("token_endpoint")
        if not endpoint:
            raise OAuthError(INVALID_GRANT, "This identity provider does not offer the authorization-code flow.")
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": code_verifier,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
        }
        try:
            response = self._http.post(endpoint, data=form, headers={"Accept": "application/json"})
            body = response.json()
        except (httpx.HTTPError, ValueError):
            raise OAuthError(TEMPORARILY_UNAVAILABLE, "The identity provider did not answer; try again.") from None
        if response.status_code >= 500:
            raise OAuthError(TEMPORARILY_UNAVAILABLE, "The identity provider failed; try again.")
        if response.status_code != 200 or not isinstance(body, dict) or not body.get("id_token"):
            reason = str(body.get("error_description") or body.get("error") or "") if isinstance(body, dict) else ""
            detail = "The identity provider refused the authorization code"
            raise OAuthError(INVALID_GRANT, f"{detail}: {reason[:200]}." if reason else f"{detail}.")
        return str(body["id_token"])


def _same_text(claimed: Any, expected: str) -> bool:
    """Constant-time equality of two texts as UTF-8 bytes (``compare_digest`` on ``str`` takes ASCII only, so
    a nonce like ``"né"`` raised ``TypeError``); a missing or non-string claim never matches."""
    if not isinstance(claimed, str):
        return False
    return hmac.compare_digest(claimed.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def _match(keys: list[jwt.PyJWK], kid: str) -> jwt.PyJWK | None:
    return next((key for key in keys if key.key_id == kid), None)
