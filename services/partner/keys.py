"""Partner apps' public keys: a JWKS given inline or at a URL, checked when registered and cached when fetched.

Only public RSA and P-256 EC keys are taken (a JWKS holding a private member is refused at registration: the
hub must never hold a partner's private key), and only RS256 and ES256 verify assertions. A JWKS at a URL is
fetched on first use and cached for ``jwks_cache_seconds`` per process; a ``kid`` the cached set does not
know refetches it, at most once per ``REFETCH_INTERVAL_SECONDS`` per app, so a partner's key rotation is seen
at once while made-up ``kid`` values cannot make the hub hammer their server.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import jwt

ALGORITHMS = {"RSA": "RS256", "EC": "ES256"}
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k")
MAX_KEYS = 10
REFETCH_INTERVAL_SECONDS = 10.0
HTTP_TIMEOUT_SECONDS = 5.0


class JwksInvalid(ValueError):
    """A JWKS the hub will not register or use; the message says why."""


class JwksUnavailable(Exception):
    """The app's JWKS URL did not answer with a usable key set."""


def check_jwks(document: Any) -> dict[str, Any]:
    """``document`` as a JWKS of public RS256/ES256 keys, or ``JwksInvalid``."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list) or not document["keys"]:
        raise JwksInvalid('A JWKS is an object with a non-empty "keys" list.')
    if len(document["keys"]) > MAX_KEYS:
        raise JwksInvalid(f"At most {MAX_KEYS} keys.")
    keys = []
    for index, key in enumerate(document["keys"]):
        if not isinstance(key, dict):
            raise JwksInvalid(f"keys[{index}] is not an object.")
        if any(member in key for member in PRIVATE_MEMBERS):
            raise JwksInvalid(f"keys[{index}] holds private key material; register the public key only.")
        kty = key.get("kty")
        if kty not in ALGORITHMS or (kty == "EC" and key.get("crv") != "P-256"):
            raise JwksInvalid(f"keys[{index}] must be an RSA key or an EC P-256 key.")
        if key.get("alg") not in (None, ALGORITHMS[kty]):
            raise JwksInvalid(f"keys[{index}] has alg {key.get('alg')!r}; only RS256 (RSA) or ES256 (EC).")
        try:
            jwt.PyJWK(key, ALGORITHMS[kty])
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            raise JwksInvalid(f"keys[{index}] is not a usable public key.") from None
        keys.append(key)
    return {"keys": keys}


def find_key(jwks: dict[str, Any], kid: str | None, alg: str) -> jwt.PyJWK | None:
    """The key of ``jwks`` that may verify an ``alg`` signature by ``kid`` (any key of the type without a kid)."""
    candidates = [key for key in jwks.get("keys", ()) if ALGORITHMS.get(key.get("kty")) == alg]
    if kid is not None:
        candidates = [key for key in candidates if key.get("kid") == kid]
    elif len(candidates) != 1:
        return None
    if not candidates:
        return None
    return jwt.PyJWK(candidates[0], alg)


class PartnerKeySets:
    """Per process: JWKS documents fetched from partners' URLs, cached by URL."""

    def __init__(self, *, cache_seconds: int = 300, http: httpx.Client | None = None) -> None:
        self._cache_seconds = cache_seconds
        self._http = http or httpx.Client(timeout=HTTP_TIMEOUT_SECONDS, follow_redirects=False)
        self._lock = threading.Lock()
        self._cached: dict[str, tuple[float, dict[str, Any]]] = {}
        self._last_refetch: dict[str, float] = {}

    def key_for(self, url: str, kid: str | None, alg: str) -> jwt.PyJWK | None:
        now = time.monotonic()
        with self._lock:
            cached = self._cached.get(url)
        if cached is None or now - cached[0] >= self._cache_seconds:
            cached = (now, self._fetch(url))
        key = find_key(cached[1], kid, alg)
        if key is None and now - self._last_refetch.get(url, float("-inf")) >= REFETCH_INTERVAL_SECONDS:
            with self._lock:
                self._last_refetch[url] = now
            cached = (now, self._fetch(url))
            key = find_key(cached[1], kid, alg)
        return key

    def _fetch(self, url: str) -> dict[str, Any]:
        try:
            response = self._http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = check_jwks(response.json())
        except (httpx.HTTPError, ValueError) as error:
            raise JwksUnavailable(type(error).__name__) from None
        with self._lock:
            self._cached[url] = (time.monotonic(), document)
        return document

    def forget(self, url: str | None = None) -> None:
        with self._lock:
            if url is None:
                self._cached.clear()
            else:
                self._cached.pop(url, None)
