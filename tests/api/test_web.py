"""Web pages: the home page; sign-in and sign-out (language, CSRF, throttling, cookies)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from api.web.i18n import MESSAGES
from catalog import datasets
from catalog.models import AuditEvent, Role
from catalog.principals import SCOPES
from tests.api.oauth_flow import csrf_of
from tests.conftest import SYSTEM

PASSWORD = "correct horse battery"


@pytest.fixture
def ana(make_org, make_user):
    make_org("mintrab-gt")
    return make_user("ana", password=PASSWORD, steward="mintrab-gt")[0]


def text(response):
    return response.get_data(as_text=True)


def login_form(client, **query):
    page = client.get("/login", query_string=query)
    assert page.status_code == 200
    return page, csrf_of(text(page))


def post_login(client, password=PASSWORD, **extra):
    _, csrf = login_form(client)
    data = {"username": "ana", "password": password, "csrf_token": csrf, **extra}
    return client.post("/login", data=data)


def signed_in(client):
    page = text(client.get("/login"))
    return "ana" in page and 'name="password"' not in page


# ---------------------------------------------------------------------------- language


def test_spanish_by_default(client):
    page = text(client.get("/login"))
    assert '<html lang="es">' in page
    assert "Iniciar sesión" in page
    assert 'hreflang="en"' in page


def test_language_from_query_then_cookie(client):
    page = client.get("/login?lang=en")
    assert '<html lang="en">' in text(page)
    assert "Sign in" in text(page)
    assert "simel_lang=en" in page.headers["Set-Cookie"]
    assert '<html lang="en">' in text(client.get("/login"))  # remembered
    assert '<html lang="es">' in text(client.get("/login?lang=es"))


def test_language_from_accept_language(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9,es;q=0.5"})
    assert '<html lang="en">' in text(page)
    assert "Accept-Language" in page.headers["Vary"]
    assert '<html lang="es">' in text(client.get("/login?lang=fr"))


def test_both_languages_have_every_message():
    assert set(MESSAGES["es"]) == set(MESSAGES["en"])
    for language in MESSAGES.values():
        assert {f"scope.{s}" for s in SCOPES} <= set(language)
        assert {f"role.{r.value}" for r in Role} <= set(language)


def test_pages_are_accessible_forms(client):
    page = text(client.get("/login"))
    assert '<label for="username">' in page
    assert 'autocomplete="current-password"' in page
    assert '<main id="main"' in page
    assert 'href="#main"' in page


# -------------------------------------------------------------------------- sign in/out


def test_sign_in_and_out(client, ana, session):
    assert 'id="signed-in"' not in text(client.get("/"))
    response = post_login(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"  # no next: the front page
    assert signed_in(client)
    # Every page's header says who is signed in and offers to sign out.
    for path in ("/", "/login", "/?lang=en", "/?lang=es"):
        page = text(client.get(path))
        assert ('<li id="signed-in">Sesión de ana</li>' in page) or (
            '<li id="signed-in">Signed in as ana</li>' in page
        ), path
        assert 'href="/logout"' in page
    page = client.get("/logout")
    assert page.status_code == 200
    out = client.post("/logout", data={"csrf_token": csrf_of(text(page))})
    assert out.status_code == 302
    assert "signed_out=1" in out.headers["Location"]
    assert "Ha cerrado la sesión" in text(client.get(out.headers["Location"]))
    assert not signed_in(client)
    actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert actions[-2:] == ["login.succeeded", "logout"]


def test_logout_ends_the_session_on_the_server(client, app, ana):
    post_login(client)
    stolen = client.get_cookie("simel_session").value
    page = client.get("/logout")
    client.post("/logout", data={"csrf_token": csrf_of(text(page))})
    thief = app.test_client()
    thief.set_cookie("simel_session", stolen)
    assert 'name="password"' in text(thief.get("/login"))


def test_wrong_password(client, ana, session):
    response = post_login(client, password="wrong password")
    assert response.status_code == 400
    assert "Usuario o contraseña incorrectos" in text(response)
    assert 'aria-invalid="true"' in text(response)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "login.failed")).one()


def test_missing_fields(client, ana):
    _, csrf = login_form(client)
    response = client.post("/login", data={"username": "ana", "csrf_token": csrf})
    assert response.status_code == 400


def test_throttling_after_repeated_failures(client, ana):
    for _ in range(4):
        assert post_login(client, password="wrong password").status_code == 400
    locked = post_login(client, password="wrong password")
    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == "900"
    assert "15 minuto" in text(locked)
    again = post_login(client)  # the right password, during the lock
    assert again.status_code == 429
    assert not signed_in(client)


@pytest.mark.parametrize("username", ["ana", "nadie"])
def test_throttling_reveals_no_account(client, ana, username):
    # An account that locks while other names never do tells which names are accounts.
    answers = [post_login(client, username=username, password="wrong") for _ in range(6)]
    assert [r.status_code for r in answers] == [400, 400, 400, 400, 429, 429]
    assert answers[4].headers["Retry-After"] == "900"
    assert "15 minuto" in text(answers[4])


def test_throttling_is_configurable(settings, ana):
    from api.app import create_app

    auth = settings.auth.model_copy(update={"login_max_failures": 2, "login_lockout_seconds": 60})
    app = create_app(settings=settings.model_copy(update={"auth": auth}))
    other = app.test_client()
    assert post_login(other, password="wrong password").status_code == 400
    locked = post_login(other, password="wrong password")
    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == "60"
    app.extensions["simel"].database.dispose()


# --------------------------------------------------------------------------------- CSRF


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_forms_need_the_csrf_token(client, ana, token):
    login_form(client)
    data = {"username": "ana", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/login", data=data)
    assert response.status_code == 400
    assert "caducó" in text(response)
    assert not signed_in(client)


def test_csrf_token_is_per_session(client, app, ana):
    _, csrf = login_form(client)
    stranger = app.test_client()
    login_form(stranger)
    response = stranger.post(
        "/login", data={"username": "ana", "password": PASSWORD, "csrf_token": csrf}
    )
    assert response.status_code == 400


def test_logout_needs_csrf(client, ana):
    post_login(client)
    assert client.post("/logout", data={}).status_code == 400
    assert signed_in(client)


def test_session_is_renewed_at_sign_in(client, ana):
    _, before = login_form(client)
    cookie_before = client.get_cookie("simel_session").value
    post_login(client)
    after = csrf_of(text(client.get("/logout")))
    assert after != before
    assert client.get_cookie("simel_session").value != cookie_before


# ------------------------------------------------------------------ cookies and headers


def test_cookie_flags(settings):
    from api.app import create_app

    secure = settings.model_copy(
        update={"security": settings.security.model_copy(update={"session_cookie_secure": True})}
    )
    app = create_app(settings=secure)
    cookie = app.test_client().get("/login").headers["Set-Cookie"]
    assert cookie.startswith("simel_session=")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    app.extensions["simel"].database.dispose()


def test_page_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "text/html"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_no_open_redirects(client, ana, target):
    response = post_login(client, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_local_next_is_followed(client, ana):
    response = post_login(client, next="/api/v1/me?x=1")
    assert response.headers["Location"] == "/api/v1/me?x=1"


def test_static_files(client):
    css = client.get("/static/web/simel.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"
    css.close()
    assert client.get("/static/web/../__init__.py").status_code == 404


# ---------------------------------------------------------------------------- home page


def figures(page):
    return {
        name: int(re.search(rf'id="{name}">(\d+)<', page).group(1))
        for name in ("published-datasets", "publishing-organizations", "publishing-countries")
    }


def test_the_home_page_counts_what_is_published_and_links_onwards(client, make_org, make_dataset):
    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")
    make_org("ine-bz", country="BLZ")  # publishes nothing
    make_dataset("enei-2024")
    make_dataset("enei-2023")
    make_dataset("enoe-2024", publisher="stps-mx")
    make_dataset("enei-borrador", publish=False)

    response = client.get("/")
    page = text(response)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert '<html lang="es">' in page
    assert "Conjuntos de datos publicados" in page
    assert figures(page) == {
        "published-datasets": 3,
        "publishing-organizations": 2,
        "publishing-countries": 2,
    }
    for link in ("/api/v1/datasets", "/api/v1/docs", "/catalog", "/api/v1/openapi.json", "/login"):
        assert f'href="{link}"' in page
        assert client.get(link).status_code == 200, link
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_home_page_speaks_english_and_withdrawn_datasets_leave_its_figures(
    client, session, make_org, make_dataset
):
    make_org("mintrab-gt")
    make_dataset("enei-2024")
    make_dataset("enei-2023")
    datasets.withdraw_dataset(session, actor=SYSTEM, name="enei-2023", reason="replaced")

    page = text(client.get("/?lang=en"))
    assert '<html lang="en">' in page
    assert "Published datasets" in page
    assert figures(page)["published-datasets"] == 1


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/a\rb", "/a\nb", "/a\x7fb"])
def test_a_next_address_with_control_characters_is_not_followed(client, ana, target):
    # A line break in a redirect's Location made the signed-in sign-in page a 500.
    _, csrf = login_form(client)
    data = {"username": "ana", "password": PASSWORD, "csrf_token": csrf, "next": target}
    signed = client.post("/login", data=data)
    assert signed.status_code in (200, 302)
    assert "\n" not in signed.headers.get("Location", "")
    again = client.get("/login", query_string={"next": target})
    assert again.status_code == 200
    assert signed_in(client)
