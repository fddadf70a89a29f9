"""Browser tests: Debian's chromium, driven by Playwright, against the real server.

Each test gets the catalog served by waitress (as ``simel serve`` serves it) from a
thread of this process, on a free loopback port and on the test's own empty database
(SQLite, or PostgreSQL with ``SIMEL_TEST_DATABASE_URL``), so the usual factories
(``make_org``, ``make_user``, ``make_client``) fill it. One headless chromium serves
all these tests; each test has a fresh browser context (no cookies).

Chromium is never skipped for: without it these tests fail, saying how to install it
(``make test`` installs it when it is missing, see the Makefile). A failing test leaves
a screenshot of the page in a temporary folder, named in the failure's report.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from waitress import wasyncore
from waitress.server import create_server

from api.app import create_app
from catalog.settings import Settings

CHROMIUM = os.environ.get("SIMEL_TEST_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery"
# Playwright's own waits; the pages answer in milliseconds, so a long wait is a failure.
TIMEOUT_MS = 5_000


# ------------------------------------------------------------------------------ browser


# Package scope: one chromium for these tests, gone before the rest of the suite runs
# (the sync API keeps an event loop of its own while it lives).
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    """Debian's chromium, headless (Playwright adds --no-sandbox, which root needs)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"the browser tests need Debian's chromium at {CHROMIUM}, which is missing: "
            "`make test` installs it (as root), or run `apt-get install chromium`",
            pytrace=False,
        )
    browser = playwright.chromium.launch(executable_path=CHROMIUM)
    yield browser
    browser.close()


@pytest.fixture
def browser_context(chromium: Browser) -> Iterator[BrowserContext]:
    """A fresh context: no cookies; the browser asks for no language the catalog speaks."""
    context = chromium.new_context(locale="de-DE", viewport={"width": 1024, "height": 768})
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@dataclass
class Watched:
    """A page, and what its console said and which requests failed while the test ran."""

    page: Page
    console_errors: list[str] = field(default_factory=list)


@pytest.fixture
def watched(browser_context: BrowserContext) -> Watched:
    """A page whose console errors and script errors are collected (CSP refusals show there)."""
    page = browser_context.new_page()
    watched = Watched(page)
    page.on(
        "console",
        lambda message: (
            watched.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: watched.console_errors.append(str(error)))
    return watched


@pytest.fixture
def page(watched: Watched) -> Page:
    """The test's page."""
    return watched.page


_SCREENSHOTS: list[Path] = []


def _screenshot_folder() -> Path:
    if not _SCREENSHOTS:
        _SCREENSHOTS.append(Path(tempfile.mkdtemp(prefix="simel-browser-failures-")))
    return _SCREENSHOTS[0]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failure, save what the page showed, and name the file in the report."""
    outcome = yield
    report = outcome.get_result()
    shown = getattr(item, "funcargs", {}).get("watched")
    if report.when != "call" or not report.failed or not isinstance(shown, Watched):
        return
    name = re.sub(r"[^\w.-]+", "_", item.nodeid.split("::", 1)[-1])[:120]
    target = _screenshot_folder() / f"{name}.png"
    try:
        shown.page.screenshot(path=str(target), full_page=True)
    except Exception as error:  # the failure itself matters more than its picture
        report.sections.append(("screenshot", f"none taken: {error}"))
        return
    details = f"{target}\npage: {shown.page.url}\nconsole errors: {shown.console_errors}"
    report.sections.append(("screenshot", details))


# ------------------------------------------------------------------------------- server


@dataclass
class Live:
    """The catalog served over HTTP: its address and its settings."""

    url: str
    settings: Settings

    def at(self, path: str) -> str:
        """The absolute address of ``path``."""
        return self.url + path


def _loopback_socket() -> socket.socket:
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind(("127.0.0.1", 0))
    listening.listen(64)
    return listening


@pytest.fixture
def live(settings: Settings) -> Iterator[Live]:
    """The catalog on the test's database, served by waitress on a free loopback port.

    The app is built as ``simel serve`` builds it (not in Flask's testing mode, so an
    error is answered as in production); its base URI, and so the OAuth issuer, is the
    address it is served at.
    """
    listening = _loopback_socket()
    url = f"http://127.0.0.1:{listening.getsockname()[1]}"
    served = settings.model_copy(
        update={"catalog": settings.catalog.model_copy(update={"base_uri": url + "/"})}
    )
    app = create_app(settings=served)
    server = create_server(app, sockets=[listening], threads=4, ident="simel-catalog")
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield Live(url, served)
    finally:
        # Every channel (the listening socket, the browser's kept-alive connections,
        # the trigger) is closed by the loop's own thread, woken by the trigger: an
        # empty map ends waitress's loop at once.
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()
        app.extensions["simel"].database.dispose()


# ------------------------------------------------------------------ the client's side


class ClientSite:
    """A site on another port of this host: an OAuth client's redirect URI, other pages.

    It records each request's path (with its query) and answers with a page of its own,
    or with the HTML registered for that path (``serve``).
    """

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.pages: dict[str, str] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(self.path)
                path = self.path.split("?", 1)[0]
                body = site.pages.get(path, "<!doctype html><title>Client</title><p>Client")
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def serve(self, path: str, html: str) -> str:
        """Answer ``path`` with ``html``; returns its address."""
        self.pages[path] = html
        return self.url + path

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def client_site() -> Iterator[ClientSite]:
    """Another site on this host (see :class:`ClientSite`)."""
    site = ClientSite()
    yield site
    site.close()


# ---------------------------------------------------------------------------- actions


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Fill the sign-in form on the current page and submit it, as a person does."""
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def cookies_by_name(context: BrowserContext) -> dict[str, Any]:
    """The context's cookies, by name."""
    return {cookie["name"]: cookie for cookie in context.cookies()}


# The header's parts (name, account, languages) must keep apart, whatever the width:
# side by side or wrapped, at least this far (CSS pixels).
HEADER_SPACING = 8


def assert_fits(page: Page) -> None:
    """The page needs no sideways scrolling, and its header's parts do not run together."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{page.url} is {width}px wide on a {viewport}px screen"
    boxes = page.locator("header.site > *").evaluate_all(
        "parts => parts.map(p => { const b = p.getBoundingClientRect();"
        " return [b.left, b.top, b.right, b.bottom, p.textContent.trim().split(/\\s+/)[0]] })"
    )
    for index, (left, top, right, bottom, name) in enumerate(boxes):
        for left2, top2, right2, bottom2, name2 in boxes[index + 1 :]:
            apart = max(left2 - right, left - right2, top2 - bottom, top - bottom2)
            assert apart >= HEADER_SPACING, (
                f"{page.url}: the header's {name!r} and {name2!r} are {apart:.0f}px apart"
            )


@pytest.fixture
def ana(make_org: Callable[..., Any], make_user: Callable[..., Any]) -> Any:
    """A steward of Guatemala's labour ministry, with a web password."""
    make_org("mintrab-gt", title={"es": "Ministerio de Trabajo", "en": "Ministry of Labour"})
    return make_user("ana", password=PASSWORD, steward="mintrab-gt")[0]
