"""The client's address, by one rule for the login lockout, the audit trail and the logs.

Behind `CREDFILE_PROXY_COUNT` trusted reverse proxies, each of which appends the address it
received the request from to `CREDFILE_CLIENT_IP_HEADER` (nginx:
`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`), the client is the entry that
many places from the right of that header. Everything left of it was written by the client
and is ignored, so a forged header changes nothing. With no proxy (count 0) the header is not
read at all and the address is the connection's own (REMOTE_ADDR).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    candidate = value.strip()
    # "[2001:db8::1]:443" and "192.0.2.1:443" from proxies that add the port.
    if candidate.startswith("[") and "]" in candidate:
        candidate = candidate[1 : candidate.index("]")]
    elif candidate.count(":") == 1:
        candidate = candidate.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address under the configured proxy rule (also django-axes' callable)."""
    return client_ip_of(request.META)


def client_ip_of(meta: Mapping[str, Any]) -> str | None:
    """The same for a WSGI environ (the access log of `credfile serve`)."""
    remote = meta.get("REMOTE_ADDR") or None
    count = int(settings.CREDFILE_PROXY_COUNT)
    if count == 0:
        return remote
    header = str(meta.get(settings.CREDFILE_CLIENT_IP_META, ""))
    entries = [entry for entry in header.split(",") if entry.strip()]
    if len(entries) < count:
        # The request did not pass through every trusted proxy: nothing in the header can be
        # trusted, the connection's address can.
        return remote
    return _address(entries[-count]) or remote
