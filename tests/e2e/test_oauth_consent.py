"""The authorization-code flow with PKCE, as a person meets it in chromium.

An app of a regional body, registered as a public client, sends the person to the
consent page; the person signs in, reads what the app asks for, and allows or denies.
The browser then really goes to the app's redirect URI (a small site on another port
of this host), and the test, as the app's back end, exchanges the code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.api.oauth_flow import pkce
from tests.e2e.conftest import PASSWORD, ClientSite, Live, Watched, assert_fits, sign_in

pytestmark = pytest.mark.browser

STATE = "xyz-42"


class App:
    """The registered app: where it asks the person to go, and its back end's calls."""

    def __init__(self, live: Live, site: ClientSite, client_id: str) -> None:
        self.live = live
        self.site = site
        self.client_id = client_id
        self.redirect_uri = site.url + "/callback"
        self.verifier, self.challenge = pkce()

    def authorize_url(self, scope: str = "catalog:read catalog:write") -> str:
        """The authorization request the app sends the person's browser to."""
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": scope,
            "state": STATE,
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
        }
        return self.live.at("/oauth/authorize?" + urlencode(query))

    def answer(self, page: Page) -> dict[str, list[str]]:
        """The query the browser brought to the redirect URI (waits for it)."""
        page.wait_for_url(self.redirect_uri + "?**")
        assert len(self.callbacks()) == 1
        return parse_qs(urlsplit(page.url).query)

    def callbacks(self) -> list[str]:
        """The requests that reached the redirect URI (the browser may ask for a favicon)."""
        return [path for path in self.site.requests if path.startswith("/callback")]

    def exchange(self, code: str) -> requests.Response:
        """The app's back end trades the code and its PKCE verifier for tokens."""
        return requests.post(
            self.live.at("/oauth/token"),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "client_id": self.client_id,
                "code_verifier": self.verifier,
            },
            timeout=10,
        )

    def me(self, access_token: str) -> dict[str, Any]:
        """Who the token speaks for."""
        answer = requests.get(
            self.live.at("/api/v1/me"),
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body


@pytest.fixture
def oauth_app(
    live: Live,
    client_site: ClientSite,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    make_client: Callable[..., Any],
) -> App:
    make_org("mintrab-gt", title={"es": "Ministerio de Trabajo", "en": "Ministry of Labour"})
    make_org(
        "igm-gt",
        kind="migration-authority",
        title={"es": "Instituto Guatemalteco de Migración", "en": "Guatemalan Migration Institute"},
    )
    make_org(
        "sisca",
        kind="regional-body",
        title={"es": "Secretaría de Integración Social", "en": "Social Integration Secretariat"},
    )
    make_user("ana", password=PASSWORD, steward="mintrab-gt")
    make_user("rosa", password=PASSWORD, requester="igm-gt", steward="mintrab-gt")
    registered, _ = make_client(
        "sisca", app=True, name="Observatorio", redirect_uris=[client_site.url + "/callback"]
    )
    return App(live, client_site, registered.client_id)


def test_allow_sends_a_code_that_the_app_exchanges(oauth_app: App, page: Page) -> None:
    authorize = oauth_app.authorize_url()
    page.goto(authorize)
    # Not signed in: the sign-in page, which comes back to the request afterwards.
    login = urlsplit(page.url)
    assert login.path == "/login"
    assert parse_qs(login.query)["next"] == [authorize.removeprefix(oauth_app.live.url)]
    sign_in(page, "ana")
    assert page.url == authorize

    expect(page.get_by_role("heading", level=1)).to_have_text("Autorizar una aplicación")
    expect(
        page.get_by_text("La aplicación «Observatorio», de Secretaría de Integración Social,")
    ).to_be_visible()
    expect(page.get_by_text("Usted ha iniciado sesión como ana.")).to_be_visible()
    organization = page.get_by_role("radio", name="Ministerio de Trabajo (responsable de datos)")
    expect(organization).to_be_checked()
    granted = page.locator("#org-mintrab-gt-scopes li")
    expect(granted).to_have_text(
        [
            "catalog:read: Ver el catálogo, incluidos los borradores de su institución",
            "catalog:write: Crear y modificar los metadatos de su institución",
        ]
    )

    page.get_by_role("button", name="Autorizar").click()
    answer = oauth_app.answer(page)
    assert answer["state"] == [STATE]
    assert "error" not in answer
    code = answer["code"][0]

    tokens = oauth_app.exchange(code)
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "catalog:read catalog:write"
    assert body["refresh_token"].startswith("simel_rt_")
    me = oauth_app.me(body["access_token"])
    assert (me["kind"], me["name"], me["organization"]) == ("user", "ana", "mintrab-gt")

    replayed = oauth_app.exchange(code)
    assert replayed.status_code == 400
    assert replayed.json()["error"] == "invalid_grant"


def test_in_english_the_person_chooses_the_organization(oauth_app: App, page: Page) -> None:
    page.goto(oauth_app.live.at("/login"))
    sign_in(page, "rosa")
    page.goto(oauth_app.authorize_url("catalog:read catalog:write agreements:sign"))
    page.get_by_role("navigation", name="Idioma").get_by_role("link", name="English").click()
    # The same request, now in English.
    query = parse_qs(urlsplit(page.url).query)
    assert query["lang"] == ["en"]
    assert query["client_id"] == [oauth_app.client_id]
    expect(page.get_by_role("heading", level=1)).to_have_text("Authorize an application")
    expect(page.locator("#org-igm-gt-scopes")).to_contain_text(
        "catalog:read: See the catalog, including your institution's drafts"
    )
    expect(page.locator("#org-igm-gt-scopes .refused li")).to_have_text(
        [
            "catalog:write: Create and change your institution's metadata",
            "agreements:sign: Sign data-sharing agreements",
        ]
    )
    expect(page.get_by_text("Requested but not granted").first).to_be_visible()

    page.get_by_role("radio", name="Guatemalan Migration Institute (requester)").check()
    page.get_by_role("radio", name="Ministry of Labour (data steward)").check()
    page.get_by_role("button", name="Authorize").click()
    answer = oauth_app.answer(page)
    tokens = oauth_app.exchange(answer["code"][0]).json()
    assert tokens["scope"] == "catalog:read catalog:write"  # what a steward may do
    assert oauth_app.me(tokens["access_token"])["organization"] == "mintrab-gt"


def test_deny_tells_the_app_access_denied(oauth_app: App, page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(oauth_app.live.at("/login"))
    sign_in(page, "ana")
    page.goto(oauth_app.authorize_url())
    assert_fits(page)  # apps open it on phones
    page.get_by_role("button", name="Rechazar").click()
    answer = oauth_app.answer(page)
    assert answer["error"] == ["access_denied"]
    assert answer["state"] == [STATE]
    assert "code" not in answer


def test_consent_without_its_csrf_token_is_refused(oauth_app: App, page: Page) -> None:
    page.goto(oauth_app.live.at("/login"))
    sign_in(page, "ana")
    page.goto(oauth_app.authorize_url())
    page.locator("input[name=csrf_token]").evaluate("field => field.remove()")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Autorizar").click()
    assert answer.value.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("El formulario caducó")
    assert oauth_app.callbacks() == []  # no code went anywhere


def test_the_consent_page_cannot_be_framed(oauth_app: App, watched: Watched) -> None:
    # Clickjacking: another site frames the consent page under a decoy button.
    page = watched.page
    page.goto(oauth_app.live.at("/login"))
    sign_in(page, "ana")
    decoy = oauth_app.site.serve(
        "/decoy", f'<!doctype html><iframe src="{oauth_app.authorize_url()}"></iframe>'
    )
    page.goto(decoy)
    frame = page.frames[-1]
    frame.wait_for_load_state()
    assert frame.url != oauth_app.authorize_url()  # chromium replaced it with its error page
    assert "Autorizar" not in frame.content()
    assert any("frame-ancestors" in error for error in watched.console_errors), (
        watched.console_errors
    )
