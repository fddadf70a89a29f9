"""Authorization code with PKCE for people, refresh rotation, and their failure modes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from sqlmodel import select

from catalog.models import AuditEvent, AuthorizationCode, Membership, OAuthToken
from tests.api.oauth_flow import (
    authorize_url,
    code_from,
    consent,
    csrf_of,
    log_in,
    pkce,
    redirect_error,
)
from tests.conftest import APP_REDIRECT, bearer

PASSWORD = "correct horse battery"


class Browser:
    """The Flask test client with a requests-like ``.text``."""

    def __init__(self, client):
        self.client = client

    def get(self, url, **kwargs):
        return _Text(self.client.get(url, **kwargs))

    def post(self, url, **kwargs):
        return _Text(self.client.post(url, **kwargs))


class _Text:
    def __init__(self, response):
        self._response = response

    def __getattr__(self, name):
        return getattr(self._response, name)

    @property
    def text(self):
        return self._response.get_data(as_text=True)


@pytest.fixture
def world(make_org, make_user, make_client):
    make_org("mintrab-gt")
    make_org("igm-gt", kind="migration-authority")
    make_org("sisca", kind="regional-body")
    make_user("ana", password=PASSWORD, steward="mintrab-gt")
    make_user("rosa", password=PASSWORD, requester="igm-gt", auditor="mintrab-gt")
    app_client, _ = make_client("sisca", app=True)
    return app_client.client_id


@pytest.fixture
def browser(client):
    return Browser(client)


def exchange(client, client_id, code, verifier, **extra):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": APP_REDIRECT,
        "client_id": client_id,
        "code_verifier": verifier,
        **extra,
    }
    return client.post("/oauth/token", data={k: v for k, v in data.items() if v is not None})


def get_code(browser, client_id, *, user="ana", verifier_challenge=None, **extra):
    verifier, challenge = verifier_challenge or pkce()
    log_in(browser, user, PASSWORD)
    return code_from(consent(browser, authorize_url(client_id, challenge, **extra))), verifier


def test_the_whole_flow(client, browser, world, session):
    verifier, challenge = pkce()
    url = authorize_url(world, challenge)
    # Not signed in: to the login page, and back.
    start = browser.get(url)
    assert start.status_code == 302
    assert start.headers["Location"].startswith("/login?next=")
    page = browser.get(start.headers["Location"])
    signed_in = browser.post(
        "/login",
        data={
            "username": "ana",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": url,
        },
    )
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == url
    consent_page = browser.get(url)
    assert consent_page.status_code == 200
    assert "catalog:write" in consent_page.text
    assert consent_page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in consent_page.headers["Content-Security-Policy"]
    code = code_from(
        browser.post(url, data={"csrf_token": csrf_of(consent_page.text), "decision": "allow"})
    )
    response = exchange(client, world, code, verifier)
    assert response.status_code == 200, response.json
    tokens = response.json
    assert tokens["scope"] == "catalog:read catalog:write"
    assert tokens["refresh_token"].startswith("simel_rt_")
    me = client.get("/api/v1/me", headers=bearer(tokens["access_token"])).json
    assert me["kind"] == "user"
    assert me["name"] == "ana"
    assert me["organization"] == "mintrab-gt"
    assert me["roles"] == {"mintrab-gt": ["steward"]}
    actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert {"login.succeeded", "oauth.authorize", "oauth_token.issue"} <= set(actions)
    assert session.exec(select(AuthorizationCode)).one().code_hash != code


def test_scope_is_narrowed_to_the_roles_and_organization_is_chosen(client, browser, world):
    verifier, challenge = pkce()
    log_in(browser, "rosa", PASSWORD)
    url = authorize_url(world, challenge, scope="catalog:read audit:read requests:write")
    page = browser.get(url)
    assert 'value="igm-gt"' in page.text
    assert 'value="mintrab-gt"' in page.text
    code = code_from(
        browser.post(
            url,
            data={
                "csrf_token": csrf_of(page.text),
                "decision": "allow",
                "organization": "mintrab-gt",
            },
        )
    )
    tokens = exchange(client, world, code, verifier).json
    assert tokens["scope"] == "audit:read catalog:read"  # auditor there: no requests:write
    me = client.get("/api/v1/me", headers=bearer(tokens["access_token"])).json
    assert me["roles"] == {"mintrab-gt": ["auditor"]}
    assert me["is_auditor"] is True


def test_no_usable_scope_means_no_consent(browser, world):
    log_in(browser, "ana", PASSWORD)
    page = browser.get(authorize_url(world, pkce()[1], scope="audit:read"))
    assert page.status_code == 403
    assert "ninguna función" in page.text


def test_deny_redirects_with_access_denied(browser, world):
    log_in(browser, "ana", PASSWORD)
    response = consent(browser, authorize_url(world, pkce()[1]), decision="deny")
    assert redirect_error(response) == "access_denied"


def test_consent_needs_csrf(browser, world):
    log_in(browser, "ana", PASSWORD)
    url = authorize_url(world, pkce()[1])
    assert browser.get(url).status_code == 200
    forged = browser.post(url, data={"decision": "allow", "csrf_token": "forged"})
    assert forged.status_code == 400
    assert "Location" not in forged.headers


# ------------------------------------------------------------- authorization request errors


def test_wrong_redirect_uri_is_never_followed(browser, world):
    log_in(browser, "ana", PASSWORD)
    page = browser.get(authorize_url(world, pkce()[1], redirect_uri="https://evil.example/cb"))
    assert page.status_code == 400
    assert "Location" not in page.headers
    assert "evil.example" in page.text  # the person is told why


def test_unknown_client_is_an_error_page(browser, world):
    log_in(browser, "ana", PASSWORD)
    assert browser.get(authorize_url("nobody", pkce()[1])).status_code == 400


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"scope": "catalog:read everything"}, "invalid_scope"),
        ({"scope": "admin"}, "invalid_scope"),  # not registered for this app
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
)
def test_authorization_request_errors_go_back_to_the_client(browser, world, extra, error):
    log_in(browser, "ana", PASSWORD)
    page = browser.get(authorize_url(world, pkce()[1], **extra))
    assert redirect_error(page) == error
    assert "state=st4te" in page.headers["Location"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("response_type", "café"),
        ("response_type", '"'),
        ("redirect_uri", "\U0001f600"),
        ("redirect_uri", "  \t"),
        ("state", "st4te\r\n"),
    ],
)
def test_parameters_with_characters_oauth_forbids_get_an_error_page(browser, world, name, value):
    # Authlib quoted such values into its error descriptions, which then failed: a 500.
    log_in(browser, "ana", PASSWORD)
    page = browser.get(authorize_url(world, pkce()[1], **{name: value}))
    assert page.status_code == 400
    assert page.mimetype == "text/html"
    assert f"the {name} parameter holds characters" in page.text
    assert "Location" not in page.headers


def test_a_client_id_may_hold_any_printable_ascii(browser, world):
    # RFC 6749 A.1: VSCHAR. Such an id is simply unknown here, and says so.
    log_in(browser, "ana", PASSWORD)
    page = browser.get(authorize_url('no"such\\client', pkce()[1]))
    assert page.status_code == 400
    assert "holds characters" not in page.text


# ------------------------------------------------------------------ token request errors


def assert_grant_error(response, error="invalid_grant"):
    assert response.status_code == 400, response.json
    assert response.json["error"] == error


def test_wrong_or_missing_verifier(client, browser, world):
    code, verifier = get_code(browser, world)
    assert_grant_error(exchange(client, world, code, pkce()[0]))  # another verifier
    code, _ = get_code(browser, world)
    assert_grant_error(exchange(client, world, code, None), "invalid_request")
    code, _ = get_code(browser, world)
    assert_grant_error(exchange(client, world, code, "bad"), "invalid_request")
    assert exchange(client, world, code, verifier).status_code == 400  # not this code's


def test_wrong_redirect_uri_at_the_token_endpoint(client, browser, world):
    code, verifier = get_code(browser, world)
    assert_grant_error(
        exchange(client, world, code, verifier, redirect_uri="http://127.0.0.1:8765/other")
    )


def test_code_is_bound_to_its_client(client, browser, world, make_client):
    other, _ = make_client("sisca", app=True)
    code, verifier = get_code(browser, world)
    assert_grant_error(exchange(client, other.client_id, code, verifier))


def test_reused_code_fails_and_revokes_what_it_gave(client, browser, world, session):
    code, verifier = get_code(browser, world)
    first = exchange(client, world, code, verifier).json
    assert client.get("/api/v1/me", headers=bearer(first["access_token"])).status_code == 200
    assert_grant_error(exchange(client, world, code, verifier))
    assert client.get("/api/v1/me", headers=bearer(first["access_token"])).status_code == 401
    refresh = client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": world,
        },
    )
    assert_grant_error(refresh)
    replay = session.exec(select(AuditEvent).where(AuditEvent.action == "oauth.code_replay")).one()
    assert replay.details["tokens_revoked"] == 1


def test_expired_code(client, browser, world, session):
    code, verifier = get_code(browser, world)
    session.execute(
        update(AuthorizationCode).values(
            expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        )
    )
    session.commit()
    assert_grant_error(exchange(client, world, code, verifier))


def test_code_of_a_user_who_lost_the_role(client, browser, world, session):
    code, verifier = get_code(browser, world)
    for membership in session.exec(select(Membership)).all():
        session.delete(membership)
    session.commit()
    assert_grant_error(exchange(client, world, code, verifier))


def test_confidential_code_client_must_authenticate(client, browser, world, make_client):
    from tests.conftest import basic

    web_app, secret = make_client(
        "sisca",
        name="portal",
        grant_types=["authorization_code"],
        scopes=["catalog:read"],
        roles=[],
        redirect_uris=[APP_REDIRECT],
    )
    verifier, challenge = pkce()
    log_in(browser, "ana", PASSWORD)
    code = code_from(consent(browser, authorize_url(web_app.client_id, challenge, scope=None)))
    no_secret = exchange(client, web_app.client_id, code, verifier)
    assert no_secret.status_code == 401
    assert no_secret.json["error"] == "invalid_client"
    good = client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": APP_REDIRECT,
            "code_verifier": verifier,
        },
        headers=basic(web_app.client_id, secret),
    )
    assert good.status_code == 200, good.json
    assert "refresh_token" not in good.json  # not registered for refresh_token


# ------------------------------------------------------------------------------ refresh


def refresh(client, client_id, token, **extra):
    return client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": token,
            "client_id": client_id,
            **extra,
        },
    )


def first_tokens(client, browser, world):
    code, verifier = get_code(browser, world)
    return exchange(client, world, code, verifier).json


def test_refresh_rotates(client, browser, world):
    first = first_tokens(client, browser, world)
    second = refresh(client, world, first["refresh_token"])
    assert second.status_code == 200, second.json
    second = second.json
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["scope"] == first["scope"]
    # The old pair is retired at once.
    assert client.get("/api/v1/me", headers=bearer(first["access_token"])).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(second["access_token"])).status_code == 200


def test_refresh_can_narrow_but_not_widen(client, browser, world):
    first = first_tokens(client, browser, world)
    assert_grant_error(
        refresh(client, world, first["refresh_token"], scope="catalog:read audit:read"),
        "invalid_scope",
    )
    narrower = refresh(client, world, first["refresh_token"], scope="catalog:read").json
    assert narrower["scope"] == "catalog:read"


def test_replayed_refresh_token_revokes_the_family(client, browser, world, session):
    first = first_tokens(client, browser, world)
    second = refresh(client, world, first["refresh_token"]).json
    assert_grant_error(refresh(client, world, first["refresh_token"]))  # a thief's replay
    assert client.get("/api/v1/me", headers=bearer(second["access_token"])).status_code == 401
    assert_grant_error(refresh(client, world, second["refresh_token"]))
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "oauth.refresh_replay")).one()


def test_refresh_is_bound_to_the_client(client, browser, world, make_client):
    other, _ = make_client("sisca", app=True)
    first = first_tokens(client, browser, world)
    assert_grant_error(refresh(client, other.client_id, first["refresh_token"]))
    assert refresh(client, world, first["refresh_token"]).status_code == 200


def test_refresh_after_losing_the_role(client, browser, world, session):
    first = first_tokens(client, browser, world)
    for membership in session.exec(select(Membership)).all():
        session.delete(membership)
    session.commit()
    assert_grant_error(refresh(client, world, first["refresh_token"]))


def test_expired_refresh_token(client, browser, world, session):
    first = first_tokens(client, browser, world)
    session.execute(
        update(OAuthToken).values(
            refresh_expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        )
    )
    session.commit()
    assert_grant_error(refresh(client, world, first["refresh_token"]))


def test_revoking_a_refresh_token_revokes_its_access_token(client, browser, world):
    first = first_tokens(client, browser, world)
    revoked = client.post(
        "/oauth/revoke",
        data={
            "token": first["refresh_token"],
            "token_type_hint": "refresh_token",
            "client_id": world,
        },
    )
    assert revoked.status_code == 200
    assert client.get("/api/v1/me", headers=bearer(first["access_token"])).status_code == 401
    assert_grant_error(refresh(client, world, first["refresh_token"]))


def test_user_tokens_introspect_with_the_username(client, browser, world, make_client):
    from tests.conftest import basic

    first = first_tokens(client, browser, world)
    gateway, secret = make_client("igm-gt", can_introspect=True)
    body = client.post(
        "/oauth/introspect",
        data={"token": first["access_token"]},
        headers=basic(gateway.client_id, secret),
    ).json
    assert body["active"] is True
    assert body["username"] == "ana"
    assert body["organization"] == "mintrab-gt"
    refresh_body = client.post(
        "/oauth/introspect",
        data={"token": first["refresh_token"]},
        headers=basic(gateway.client_id, secret),
    ).json
    assert refresh_body["active"] is True
    assert refresh_body["token_type"] == "refresh_token"
