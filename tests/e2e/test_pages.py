"""A person in chromium: the language switch, signing in and out, CSRF, cookies, layout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import (
    ClientSite,
    Live,
    Watched,
    assert_fits,
    cookies_by_name,
    sign_in,
)

pytestmark = pytest.mark.browser


# ---------------------------------------------------------------------------- language


def test_spanish_by_default_english_on_choice_and_remembered(
    live: Live, page: Page, browser_context: BrowserContext
) -> None:
    # The browser asks for German (de-DE), which the catalog does not speak.
    page.goto(live.at("/"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_title("Inicio · Catálogo SIMEL")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catálogo SIMEL")
    languages = page.get_by_role("navigation", name="Idioma")
    expect(languages.locator("[aria-current=true]")).to_have_text("Español")

    languages.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == live.at("/?lang=en")
    expect(page.get_by_text("Published datasets")).to_be_visible()
    cookie = cookies_by_name(browser_context)["simel_lang"]
    assert cookie["value"] == "en"
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["expires"] > 0  # kept across browser restarts, not a session cookie

    # Remembered: a plain link, a new tab, a typed address.
    page.get_by_role("link", name="Sign in").click()
    assert page.url == live.at("/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    other = browser_context.new_page()
    other.goto(live.at("/"))
    expect(other.locator("html")).to_have_attribute("lang", "en")
    expect(other.get_by_role("heading", level=1)).to_have_text("SIMEL Catalog")

    other.get_by_role("navigation", name="Language").get_by_role("link", name="Español").click()
    expect(other.locator("html")).to_have_attribute("lang", "es")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión")


def test_an_english_browser_gets_english_until_the_person_chooses(
    live: Live, chromium: Browser
) -> None:
    context = chromium.new_context(locale="en-GB")
    try:
        page = context.new_page()
        page.goto(live.at("/login"))
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.get_by_role("link", name="Español").click()
        page.goto(live.at("/login"))
        expect(page.locator("html")).to_have_attribute("lang", "es")  # the choice wins
        expect(page.get_by_label("Contraseña")).to_be_visible()
    finally:
        context.close()


# ---------------------------------------------------------------------------- sign in


@pytest.mark.usefixtures("ana")
def test_a_wrong_password_says_so_in_spanish(live: Live, page: Page) -> None:
    page.goto(live.at("/login"))
    page.get_by_label("Usuario").fill("ana")
    page.get_by_label("Contraseña").fill("not the password")
    with page.expect_response(live.at("/login")) as answer:
        page.get_by_role("button", name="Ingresar").click()
    assert answer.value.status == 400
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("Usuario o contraseña incorrectos.")
    expect(alert).to_be_visible()
    expect(page.get_by_label("Usuario")).to_have_value("ana")  # kept, to correct
    expect(page.get_by_label("Contraseña")).to_have_value("")  # never sent back
    expect(page.get_by_label("Contraseña")).to_have_attribute("aria-invalid", "true")
    assert "Sesión de" not in page.locator("header").inner_text()


@pytest.mark.usefixtures("ana")
def test_a_wrong_password_says_so_in_english(live: Live, page: Page) -> None:
    page.goto(live.at("/login"))
    page.get_by_role("link", name="English").click()
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.usefixtures("ana")
def test_repeated_failures_lock_the_account_and_say_for_how_long(live: Live, page: Page) -> None:
    page.goto(live.at("/login"))
    for _ in range(live.settings.auth.login_max_failures - 1):
        sign_in(page, "ana", "not the password")
        expect(page.get_by_role("alert")).to_have_text("Usuario o contraseña incorrectos.")
    with page.expect_response(live.at("/login")) as answer:
        sign_in(page, "ana", "not the password")
    assert answer.value.status == 429
    minutes = live.settings.auth.login_lockout_seconds // 60
    expect(page.get_by_role("alert")).to_contain_text("Demasiados intentos fallidos")
    expect(page.get_by_role("alert")).to_contain_text(f"{minutes} minuto(s)")
    sign_in(page, "ana")  # the right password, while locked
    expect(page.get_by_role("alert")).to_contain_text("Demasiados intentos fallidos")
    expect(page.locator("#signed-in")).to_have_count(0)


@pytest.mark.usefixtures("ana")
def test_sign_in_and_out(live: Live, page: Page, browser_context: BrowserContext) -> None:
    page.goto(live.at("/"))
    page.get_by_role("link", name="Iniciar sesión").click()
    sign_in(page, "ana")
    assert page.url == live.at("/")
    expect(page.locator("#signed-in")).to_have_text("Sesión de ana")

    session = cookies_by_name(browser_context)["simel_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"
    assert session["secure"] is live.settings.security.session_cookie_secure
    assert session["expires"] > 0  # lasts [auth] session_lifetime, not the browser's life
    # HttpOnly indeed: the page's scripts cannot read the session.
    assert page.evaluate("document.cookie") == ""

    page.get_by_role("link", name="Cerrar sesión").click()
    expect(page.get_by_text("¿Desea cerrar la sesión de ana?")).to_be_visible()
    page.get_by_role("button", name="Cerrar sesión").click()
    assert page.url == live.at("/login?signed_out=1")
    expect(page.get_by_role("status")).to_have_text("Ha cerrado la sesión.")
    expect(page.locator("#signed-in")).to_have_count(0)
    expect(page.get_by_label("Contraseña")).to_be_visible()
    page.goto(live.at("/logout"))  # nothing left to sign out of: to the sign-in page
    assert page.url == live.at("/login")


@pytest.mark.usefixtures("ana")
def test_sign_in_returns_to_the_page_that_asked(live: Live, page: Page) -> None:
    page.goto(live.at("/login?next=/logout"))
    sign_in(page, "ana")
    assert page.url == live.at("/logout")
    expect(page.get_by_text("¿Desea cerrar la sesión de ana?")).to_be_visible()


# --------------------------------------------------------------------------------- CSRF


@pytest.mark.usefixtures("ana")
def test_a_form_without_its_csrf_token_is_refused(live: Live, page: Page) -> None:
    page.goto(live.at("/login"))
    page.locator("input[name=csrf_token]").evaluate("field => field.remove()")
    page.get_by_label("Usuario").fill("ana")
    page.get_by_label("Contraseña").fill("correct horse battery")
    with page.expect_response(live.at("/login")) as answer:
        page.get_by_role("button", name="Ingresar").click()
    assert answer.value.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("El formulario caducó")
    expect(page.get_by_role("alert")).to_contain_text("No pudimos verificar el formulario")
    expect(page.locator("#signed-in")).to_have_count(0)


@pytest.mark.usefixtures("ana")
def test_another_site_cannot_sign_the_person_out(
    live: Live, page: Page, client_site: ClientSite
) -> None:
    # A page on this host's other port is the same site, so the browser does send the
    # SameSite=Lax session cookie with its form: only the CSRF token stops it.
    page.goto(live.at("/login"))
    sign_in(page, "ana")
    attack = client_site.serve(
        "/attack",
        f'<!doctype html><form method="post" action="{live.at("/logout")}">'
        '<button id="go">go</button></form>',
    )
    page.goto(attack)
    with page.expect_response(live.at("/logout")) as answer:
        page.locator("#go").click()
    assert answer.value.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("El formulario caducó")
    expect(page.locator("#signed-in")).to_have_text("Sesión de ana")  # still signed in
    page.goto(live.at("/"))
    expect(page.locator("#signed-in")).to_have_text("Sesión de ana")


# ------------------------------------------------------------------------------ layout


@pytest.mark.parametrize("path", ["/", "/login", "/login?lang=en"])
def test_pages_load_their_style_sheet_and_nothing_is_refused(
    live: Live, watched: Watched, path: str
) -> None:
    page = watched.page
    response = page.goto(live.at(path))
    assert response is not None
    assert response.status == 200
    assert "style-src 'self'" in response.headers["content-security-policy"]
    # The style sheet applied (the page's own CSP lets it in): the header is a flex row.
    header = page.locator("header.site")
    assert header.evaluate("e => getComputedStyle(e).display") == "flex"
    assert page.locator("main").evaluate("e => getComputedStyle(e).maxWidth") != "none"
    # The page names its icon, so the browser does not ask for /favicon.ico: that 404
    # was a console error here and a warning in the server's log on every page view.
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon is not None
    fetched = page.request.get(live.at(icon))
    assert fetched.status == 200
    assert fetched.headers["content-type"] == "image/svg+xml; charset=utf-8"
    assert watched.console_errors == []


@pytest.mark.usefixtures("ana")
@pytest.mark.parametrize("path", ["/", "/login", "/logout"])
def test_pages_fit_a_phone_screen(
    live: Live, page: Page, browser_context: BrowserContext, path: str
) -> None:
    if path == "/logout":
        page.goto(live.at("/login"))
        sign_in(page, "ana")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live.at(path))
    assert_fits(page)


def test_the_skip_link_leads_to_the_content(live: Live, page: Page) -> None:
    page.goto(live.at("/login"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Saltar al contenido")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    # The fragment is set when the browser has followed the link: wait for it, as for
    # the focus, rather than read the URL at once (a race that failed one CI run).
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main")).to_be_focused()
