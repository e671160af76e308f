"""Fetch a copy of a published page or file, carefully.

The server fetches addresses that people type, so it must not become a way into the
private network behind it: the host is resolved once, every address it resolves to must
be public, and the connection goes to that checked address (a second DNS answer cannot
swap in 127.0.0.1). Redirects are followed by hand and checked the same way. Bodies are
capped in size and time.

``REPORTS_ARCHIVE_ALLOW_PRIVATE`` (a setting, off by default) lets a test or an intranet
deployment fetch from private addresses.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

MAX_BYTES = 25 * 1024 * 1024
TIMEOUT = 20
MAX_REDIRECTS = 4
USER_AGENT = "Hromada-archiver/1 (+situation reports; a copy for the record)"


class FetchError(Exception):
    """The copy could not be made; the message says why, for the analyst."""


@dataclass
class Fetched:
    content: bytes
    content_type: str
    final_url: str


def _allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if getattr(settings, "REPORTS_ARCHIVE_ALLOW_PRIVATE", False):
        return True
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchError(_("Cannot find the host %(host)s.") % {"host": host}) from error
    addresses = [str(info[4][0]) for info in infos]
    if not addresses or not all(_allowed(a) for a in addresses):
        raise FetchError(_("%(host)s is not a public address.") % {"host": host})
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, *, port: int, timeout: float) -> None:
        super().__init__(host, port=port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, address: str, *, port: int, timeout: float) -> None:
        super().__init__(host, port=port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch(url: str) -> Fetched:
    """GET ``url`` (http or https, public hosts only), following a few redirects."""
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(_("Only http and https links can be archived."))
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _resolve(parts.hostname, port)
        cls: type[_PinnedHTTPConnection] | type[_PinnedHTTPSConnection] = (
            _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        )
        connection = cls(parts.hostname, address, port=port, timeout=TIMEOUT)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError(_("The server redirected without saying where."))
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(_("The server answered %(status)s.") % {"status": response.status})
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > MAX_BYTES:
                raise FetchError(_("The file is larger than 25 MB."))
            body = response.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise FetchError(_("The file is larger than 25 MB."))
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
            return Fetched(body, content_type[:100], url)
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(str(error)[:200] or type(error).__name__) from error
        finally:
            connection.close()
    raise FetchError(_("Too many redirects."))
