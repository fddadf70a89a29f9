"""The harvester's outbound requests, as an attacker would try them (catalog.harvest.fetch)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from sqlmodel import select

from catalog.errors import Forbidden, SourceUnavailable
from catalog.harvest import dcat as harvester
from catalog.harvest.fetch import check_url, fetch_url
from catalog.models import AuditEvent, HarvestRecord
from catalog.settings import HarvestSettings
from tests.catalog.test_harvest import FOREIGN, _settings
from tests.conftest import SYSTEM

PUBLIC = "93.184.215.14"


def _resolving_to(monkeypatch, answers: dict[str, str]) -> list[str]:
    """Make the names in ``answers`` resolve to those addresses; return the names asked."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        asked.append(host)
        if host in answers:
            address = answers[host]
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.mark.parametrize(
    "address",
    [
        "100.100.100.200",  # Alibaba Cloud's metadata service
        "100.64.0.1",  # shared address space (RFC 6598, carrier-grade NAT)
        "::ffff:100.100.100.200",
        "::ffff:169.254.169.254",
        "fd00:ec2::254",  # AWS's IPv6 metadata service
    ],
)
def test_names_resolving_to_non_public_addresses_are_refused(monkeypatch, address):
    _resolving_to(monkeypatch, {"data.example.org": address})
    rules = HarvestSettings(allowed_hosts=("data.example.org",))
    with pytest.raises(Forbidden, match="private or local"):
        check_url("http://data.example.org/catalog", rules)


@pytest.mark.parametrize(
    "host",
    ["2130706433", "0x7f000001", "017700000001", "127.1", "0177.0.0.1", "[::ffff:127.0.0.1]"],
)
def test_other_spellings_of_loopback_are_refused(host):
    rules = HarvestSettings(allowed_hosts=(host.strip("[]"),))
    with pytest.raises(Forbidden, match="private or local"):
        check_url(f"http://{host}/catalog", rules)


@pytest.mark.parametrize(
    "url",
    [
        # urlsplit reads the host "evil.test\.data.example.org"; requests sends the
        # request to evil.test (a backslash ends the authority for urllib3).
        "http://evil.test\\.data.example.org/catalog",
        "https://evil.test\\.data.example.org:443/catalog",
    ],
)
def test_a_host_the_transport_reads_differently_is_refused(monkeypatch, url):
    _resolving_to(monkeypatch, {"evil.test": PUBLIC, "evil.test\\.data.example.org": PUBLIC})

    def send(self, request, **kwargs):
        raise AssertionError(f"a request was sent to {request.url}")

    monkeypatch.setattr(requests.Session, "send", send)
    rules = HarvestSettings(allowed_hosts=("*.example.org",))
    with pytest.raises(Forbidden):
        check_url(url, rules)
    with pytest.raises(Forbidden):
        fetch_url(url, rules)
    permissive = HarvestSettings(allowed_hosts=("*.example.org",), allow_private_addresses=True)
    with pytest.raises(Forbidden):
        fetch_url(url, permissive)


def test_credentials_in_the_label_of_an_uploaded_document_are_refused(session, settings, make_org):
    """The label goes into the append-only audit log: a password there stays forever."""
    make_org("mintrab-gt", homepage="https://www.mintrab.example/")
    with pytest.raises(Forbidden, match="credentials"):
        harvester.harvest_dcat(
            session,
            actor=SYSTEM,
            settings=_settings(settings),
            data=FOREIGN.encode(),
            media_type="text/turtle",
            source="https://harvester:s3cret@source.example/catalog",
        )
    session.rollback()
    details = [str(d) for d in session.exec(select(AuditEvent.details)).all()]
    assert not any("s3cret" in d for d in details)
    assert session.exec(select(HarvestRecord)).all() == []


def test_a_secret_query_parameter_in_a_label_is_refused_but_paging_tokens_pass(
    session, settings, make_org
):
    """Harvest records show their source with every harvested dataset, publicly."""
    make_org("mintrab-gt", homepage="https://www.mintrab.example/")

    def harvest(source: str):
        return harvester.harvest_dcat(
            session,
            actor=SYSTEM,
            settings=_settings(settings),
            data=FOREIGN.encode(),
            media_type="text/turtle",
            source=source,
        )

    with pytest.raises(Forbidden, match="api_key"):
        harvest("https://source.example/catalog?api_key=s3cret")
    session.rollback()
    assert not any("s3cret" in str(d) for d in session.exec(select(AuditEvent.details)).all())
    assert harvest("https://source.example/catalog?page_token=abc&key=value").created


# ---------------------------------------------------------------- slow sources


class _Dripper:
    """A server that sends its answer a few bytes at a time, each within the read timeout."""

    def __init__(self, head: bytes, drip: bytes, times: int, pause: float) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=self._serve, args=(head, drip, times, pause), daemon=True
        )
        self.thread.start()

    def _serve(self, head: bytes, drip: bytes, times: int, pause: float) -> None:
        connection, _ = self.listener.accept()
        with connection:
            connection.recv(65536)
            try:
                connection.sendall(head)
                for _ in range(times):
                    if self.stop.wait(pause):
                        return
                    connection.sendall(drip)
                connection.sendall(b"Content-Length: 0\r\n\r\n" if b"\r\n\r\n" not in head else b"")
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        self.thread.join()


@pytest.fixture
def drip() -> Iterator[list[_Dripper]]:
    servers: list[_Dripper] = []
    yield servers
    for server in servers:
        server.close()


@pytest.mark.parametrize(
    ("head", "piece"),
    [
        # the body, a byte at a time (with and without a length)
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/turtle\r\nContent-Length: 40\r\n\r\n", b"#"),
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/turtle\r\nConnection: close\r\n\r\n", b"#"),
        # the headers, a line at a time
        (b"HTTP/1.1 200 OK\r\n", b"X-Slow: 1\r\n"),
    ],
)
def test_a_source_that_drips_is_cut_off_at_the_time_limit(drip, head, piece):
    """timeout_seconds bounds each read, and four times it the whole response."""
    server = _Dripper(head, piece, times=40, pause=0.1)  # 4 s in all, 0.1 s per piece
    drip.append(server)
    rules = HarvestSettings(
        allowed_hosts=("127.0.0.1",), allow_private_addresses=True, timeout_seconds=0.25
    )
    started = time.monotonic()
    with pytest.raises(SourceUnavailable, match="too long"):
        fetch_url(f"http://127.0.0.1:{server.port}/catalog", rules)
    assert time.monotonic() - started < 2.5
