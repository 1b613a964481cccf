"""Who may read /metrics: a scraper on an allowed address, or one with the bearer token.

The metrics name no person, but they tell how busy the instance is and how its jobs and
audit trail stand, so they are not for anyone on the network. This is a question about the
network, not about a user: no account reads /metrics, so it is not in core/permissions.py.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    # Only for annotations: settings.py reads parse_networks before Django is set up.
    from django.http import HttpRequest

# A request that came through a proxy carries one of these; its REMOTE_ADDR is the proxy's,
# which on the same machine is 127.0.0.1 for every client on the internet.
_PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(
    values: list[str], *, variable: str = "CREDFILE_METRICS_ALLOWED"
) -> list[Network]:
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{variable} takes addresses or networks such as 10.0.0.0/8, got {value!r}"
            ) from None
    return networks


def _bearer(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _address_allowed(request: HttpRequest) -> bool:
    if any(header in request.META for header in _PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    networks: list[Network] = settings.CREDFILE_METRICS_ALLOWED
    return any(address.version == net.version and address in net for net in networks)


def metrics_allowed(request: HttpRequest) -> bool:
    """The token when it is set and sent (compared in constant time), else the address."""
    expected: str = settings.CREDFILE_METRICS_TOKEN
    sent = _bearer(request)
    if expected and sent:
        return hmac.compare_digest(sent.encode(), expected.encode())
    return _address_allowed(request)
