"""Where the hub may connect on a partner's behalf: its JWKS URL and its callback URL.

Both URLs are typed in by an agency developer, and the hub fetches them from inside its own network: without a
rule, a partner app could make the hub read its cloud metadata service (169.254.169.254), its Redis or
PostgreSQL, or an admin port on loopback, and learn from the answers (a JWKS error, a callback's status code).

Decision: in production the hub only connects to public addresses. A URL whose host is, or resolves to, a
loopback, private (RFC 1918, fc00::/7), link-local, shared (100.64/10), multicast, reserved or otherwise not
globally routable address is refused at registration and again right before every fetch or callback (a name
may be re-pointed after it was registered). Outside production (development, the sandbox, tests, staging with
its sandbox on loopback) every address is allowed, so local receivers work. Redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class PrivateAddress(ValueError):
    """The URL's host is, or resolves to, an address the hub does not connect to on a partner's behalf."""


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolved_addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` names (a literal address is itself); ``PrivateAddress`` when it names none."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise PrivateAddress(f"{host} does not resolve.") from None
    return sorted({info[4][0] for info in infos})


def ensure_public(url: str, *, unresolvable_ok: bool = False) -> None:
    """Refuse (``PrivateAddress``) a URL whose host is, or resolves to, a non-public address. With
    ``unresolvable_ok`` a name that does not resolve (yet) passes: registration takes it, and it is judged again
    when used."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    if not host or host == "localhost" or host.endswith(".localhost"):
        raise PrivateAddress(f"{host or 'no host'} is not a public address.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolved_addresses(host, port)
    except PrivateAddress:
        if not unresolvable_ok:
            raise
        return
    private = [address for address in addresses if not _is_public(address)]
    if private:
        raise PrivateAddress(f"{host} is not a public address ({private[0]}).")
