"""The harvester's one way out to the network, and to local files.

A harvest source is a URL given by an administrator, so fetching it is a server-side
request on someone's behalf. The rules (``[harvest]`` in config.toml):

* only ``http`` and ``https``; no ``file:``, ``ftp:`` or anything else;
* only hosts in ``allowed_hosts`` (``*.example.org`` allows subdomains);
* no loopback, private, link-local, multicast, reserved or other non-global
  addresses (such as the shared 100.64.0.0/10), IPv4-mapped IPv6 ones included, unless
  ``allow_private_addresses`` (checked on every address the name resolves to);
* no URL whose host requests would read differently from the host that is checked,
  and no credentials in URLs (they would be quoted in messages and the audit log);
* redirects are followed by hand, at most ``max_redirects``, each target checked again;
* at most ``max_bytes`` (refused early by ``Content-Length``, else cut while reading,
  after decompression), within ``timeout_seconds`` per connect/read and four times
  that for the whole response (headers and body: at that deadline the connection is
  shut down, however steadily the source trickles);
* no proxies or credentials from the environment (``trust_env`` off).

The address is checked where the connection is opened, and the socket connects to the
address that was checked: a name whose DNS answer changes between a check and the
connection (rebinding) cannot steer the request to a private address. The same check
also runs before each request, so a URL is refused before any session is opened.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from contextvars import ContextVar, Token
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from catalog.errors import Forbidden, NotFound, PayloadTooLarge, SourceUnavailable
from catalog.settings import HarvestSettings

ACCEPT: Final = (
    "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8, "
    "application/n-triples;q=0.7, application/trig;q=0.5, application/n-quads;q=0.5, "
    "*/*;q=0.1"
)
USER_AGENT: Final = "simel-catalog-harvester/0.1 (+https://w3id.org/simel)"


@dataclass(frozen=True)
class Fetched:
    """A fetched document."""

    data: bytes
    url: str
    media_type: str | None = None


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """Whether ``host`` is in the allowlist (exact names, or ``*.domain`` for subdomains)."""
    host = host.lower().rstrip(".")
    for entry in allowed:
        if entry.startswith("*."):
            if host.endswith(entry[1:]) and host != entry[2:]:
                return True
        elif host == entry:
            return True
    return False


def _public(address: str) -> bool:
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global also leaves out what is neither private nor public, such as the shared
    # address space 100.64.0.0/10 (carrier-grade NAT, and Alibaba Cloud's metadata
    # service at 100.100.100.200), which is_private does not cover.
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url: str, settings: HarvestSettings) -> None:
    """Refuse a URL the harvester may not fetch.

    Raises:
        Forbidden: not http(s), a host outside the allowlist, or a private address.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise Forbidden(f"only http and https sources can be harvested, not {parts.scheme!r}")
    host = parts.hostname or ""
    if (_transport_host(url) or "") != host:
        raise Forbidden(
            f"the host of {host!r} is ambiguous: the URL is read differently by the request "
            "that would fetch it"
        )
    if not host_allowed(host, settings.allowed_hosts):
        raise Forbidden(
            f"the host {host!r} is not in [harvest] allowed_hosts; an administrator must "
            "add it to the configuration first"
        )
    refuse_credentials(url)
    if settings.allow_private_addresses:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise SourceUnavailable(f"cannot resolve {host!r}: {exc}") from exc
    public_address(host, port)


def _transport_host(url: str) -> str | None:
    r"""The host that requests (urllib3) connects to for ``url``, as urlsplit spells it.

    The two parsers disagree on some URLs: a backslash ends the authority for urllib3
    but not for urlsplit, so ``http://evil.test\.data.example.org/`` would be checked as
    a subdomain of example.org and fetched from evil.test.
    """
    try:
        host = parse_url(url).host
    except LocationParseError:
        return None
    return host.strip("[]").lower() if host else None


# Query parameters that carry secrets by their usual names. Generic names (``token``,
# ``key``) are left out: portals page with continuation tokens.
_SECRET_PARAMETERS: Final = frozenset(
    {"api_key", "apikey", "api-key", "access_token", "auth_token", "client_secret"}
    | {"password", "passwd", "pwd", "secret", "sig", "signature"}
    | {"x-amz-signature", "x-amz-credential", "x-amz-security-token"}
)


def refuse_credentials(url: str) -> None:
    """Refuse a URL with a user name, password or secret query parameter in it.

    Sources are quoted in messages, in harvest records (shown with every harvested
    dataset) and in the append-only audit log, where a secret would stay for good.

    Raises:
        Forbidden: the URL carries credentials.
    """
    try:
        parts = urlsplit(url)
        credentials = parts.username is not None or parts.password is not None
        query = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        credentials, query = "@" in url, []
    if credentials:
        raise Forbidden("credentials in harvest URLs are not allowed")
    secret = sorted({name for name, _ in query if name.lower() in _SECRET_PARAMETERS})
    if secret:
        raise Forbidden(
            f"harvest URLs may not carry secrets ({', '.join(secret)}): a source is shown with"
            " every dataset harvested from it and kept in the audit log"
        )


def public_address(host: str, port: int) -> str:
    """The address to connect to for ``host``, if every address it resolves to is public.

    Raises:
        Forbidden: the name resolves to a private or local address.
        SourceUnavailable: the name does not resolve.
    """
    try:
        addresses = [str(info[4][0]) for info in socket.getaddrinfo(host, port)]
    except (OSError, UnicodeError) as exc:
        raise SourceUnavailable(f"cannot resolve {host!r}: {exc}") from exc
    private = sorted({a for a in addresses if not _public(a)})
    if private:
        raise Forbidden(
            f"{host!r} resolves to a private or local address ({', '.join(private)}); "
            "set [harvest] allow_private_addresses to harvest from such hosts"
        )
    if not addresses:
        raise SourceUnavailable(f"cannot resolve {host!r}: no address")
    return addresses[0]


class _Deadline:
    """The time by which one response must have arrived whole (headers and body).

    ``timeout_seconds`` bounds each read, so a source that sends a byte now and then,
    each within it, would never time out, in its headers or its body. At the deadline a
    timer shuts the sockets of the request down, which ends any read in progress.
    """

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self._expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._token: Token[_Deadline | None] | None = None

    def __enter__(self) -> _Deadline:
        self._token = _DEADLINE.set(self)
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        if self._token is not None:
            _DEADLINE.reset(self._token)

    @property
    def passed(self) -> bool:
        """Whether the deadline has passed (or the timer has already cut the response)."""
        return self._expired or time.monotonic() > self.at

    def watch(self, sock: socket.socket | None) -> None:
        """Shut ``sock`` down at the deadline (at once if it has passed)."""
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if self._expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    # OSError: already closed, or detached (a plain socket that TLS took over).
    with contextlib.suppress(OSError):
        # socket.socket's own shutdown: an SSLSocket's would also drop its TLS state
        # from under the thread that is reading.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


#: The deadline of the response being fetched in this thread (set by fetch_url).
_DEADLINE: ContextVar[_Deadline | None] = ContextVar("harvest_deadline", default=None)


def _watch(sock: socket.socket | None) -> None:
    deadline = _DEADLINE.get()
    if deadline is not None:
        deadline.watch(sock)


class _WatchedHTTPConnection(HTTPConnection):
    """Connections whose sockets the current :class:`_Deadline` can shut down."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)  # the TLS handshake, on a new connection
        return sock

    def getresponse(self) -> Any:
        """The response, read under the deadline (also on a reused connection)."""
        _watch(self.sock)
        return super().getresponse()


class _WatchedHTTPSConnection(_WatchedHTTPConnection, HTTPSConnection):
    pass


class _PublicHTTPConnection(_WatchedHTTPConnection):
    """Connections that resolve the host once, check it, and connect to that address.

    TLS still verifies the certificate against the host name (urllib3 uses ``host``
    for SNI and matching; only the socket's target is replaced).
    """

    def _new_conn(self) -> socket.socket:
        name = self._dns_host
        self._dns_host = public_address(name, self.port)
        try:
            return super()._new_conn()
        finally:
            self._dns_host = name


class _PublicHTTPSConnection(_PublicHTTPConnection, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class _HarvestAdapter(HTTPAdapter):
    """The harvester's transport: deadlines, and public addresses only unless allowed."""

    def __init__(self, *, public_only: bool) -> None:
        self._pools: dict[str, type[HTTPConnectionPool]] = (
            {"http": _PublicHTTPPool, "https": _PublicHTTPSPool}
            if public_only
            else {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
        )
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(self._pools)


def fetch_url(url: str, settings: HarvestSettings) -> Fetched:
    """GET ``url`` under the rules above.

    Raises:
        Forbidden: the URL, or a redirect target, is not allowed.
        PayloadTooLarge: the document is larger than ``max_bytes``.
        SourceUnavailable: the source could not be reached or did not answer 2xx.
    """
    session = requests.Session()
    session.trust_env = False
    adapter = _HarvestAdapter(public_only=not settings.allow_private_addresses)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    try:
        for _ in range(settings.max_redirects + 1):
            check_url(url, settings)
            with _Deadline(4 * settings.timeout_seconds) as deadline:
                try:
                    response = session.get(
                        url,
                        headers={"Accept": ACCEPT, "User-Agent": USER_AGENT},
                        timeout=(settings.timeout_seconds, settings.timeout_seconds),
                        allow_redirects=False,
                        stream=True,
                    )
                except requests.RequestException as exc:
                    if deadline.passed:
                        raise SourceUnavailable(f"{url} took too long to send") from exc
                    raise SourceUnavailable(f"cannot fetch {url}: {exc}") from exc
                with response:
                    if response.is_redirect:
                        location = response.headers.get("Location", "")
                        url = urljoin(url, location)
                        continue
                    if not 200 <= response.status_code < 300:
                        raise SourceUnavailable(f"{url} answered {response.status_code}")
                    data = _read(response, url, settings, deadline)
                    media_type = response.headers.get("Content-Type")
                    return Fetched(data=data, url=url, media_type=media_type)
        raise SourceUnavailable(f"more than {settings.max_redirects} redirects from the source")
    finally:
        session.close()


def _read(
    response: requests.Response, url: str, settings: HarvestSettings, deadline: _Deadline
) -> bytes:
    limit = settings.max_bytes
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"{url} is {declared} bytes; the limit is {limit}")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"{url} is larger than the limit of {limit} bytes")
            if deadline.passed:
                raise SourceUnavailable(f"{url} took too long to send")
            chunks.append(chunk)
    except requests.RequestException as exc:
        if deadline.passed:
            raise SourceUnavailable(f"{url} took too long to send") from exc
        raise SourceUnavailable(f"reading {url} failed: {exc}") from exc
    if deadline.passed:
        # Without a length, the end of a response is the end of the connection: one
        # the deadline shut down looks complete, but is not.
        raise SourceUnavailable(f"{url} took too long to send")
    return b"".join(chunks)


def read_file(path: Path, settings: HarvestSettings) -> Fetched:
    """Read a local source (command line only).

    Raises:
        NotFound: no such file.
        PayloadTooLarge: the file is larger than ``max_bytes``.
    """
    if not path.is_file():
        raise NotFound(f"there is no file {path}")
    if path.stat().st_size > settings.max_bytes:
        raise PayloadTooLarge(
            f"{path} is {path.stat().st_size} bytes; the limit is {settings.max_bytes}"
        )
    with path.open("rb") as handle:
        data = handle.read(settings.max_bytes + 1)
    if len(data) > settings.max_bytes:
        raise PayloadTooLarge(f"{path} is larger than the limit of {settings.max_bytes} bytes")
    return Fetched(data=data, url=path.resolve().as_uri())
