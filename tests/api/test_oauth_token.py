"""The token endpoint (client credentials), introspection, revocation and metadata."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from sqlalchemy import update
from sqlmodel import select

from catalog.models import AuditEvent, OAuthToken, secret_digest
from tests.conftest import basic, bearer


@pytest.fixture
def machine(make_org, make_client):
    make_org("igm-gt", kind="migration-authority")
    client, secret = make_client("igm-gt")
    return client.client_id, secret


def token_for(client, client_id, secret, **data):
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", **data},
        headers=basic(client_id, secret),
    )
    assert response.status_code == 200, response.json
    return response.json


def assert_oauth_error(response, status, error):
    assert response.status_code == status, response.json
    assert response.mimetype == "application/json"  # RFC 6749 5.2, not a problem document
    assert response.json["error"] == error
    assert response.headers["Cache-Control"] == "no-store"


def test_client_credentials(client, machine, session):
    client_id = machine[0]
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(*machine)
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["token_type"] == "Bearer"
    assert body["access_token"].startswith("simel_at_")
    assert body["expires_in"] == 600
    assert body["scope"] == "catalog:read data:read requests:write"
    assert "refresh_token" not in body
    me = client.get("/api/v1/me", headers=bearer(body["access_token"])).json
    assert me["kind"] == "client"
    assert me["name"] == client_id
    assert me["organization"] == "igm-gt"
    assert me["roles"] == {"igm-gt": ["requester"]}
    assert me["scopes"] == ["catalog:read", "data:read", "requests:write"]
    row = session.exec(select(OAuthToken)).one()
    assert row.access_token_hash == secret_digest(body["access_token"])
    issued = session.exec(select(AuditEvent).where(AuditEvent.action == "oauth_token.issue")).one()
    assert issued.actor_name == client_id
    assert issued.details["grant_type"] == "client_credentials"


def test_client_secret_post_and_narrower_scope(client, machine):
    client_id, secret = machine
    response = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": "data:read",
        },
    )
    assert response.status_code == 200
    assert response.json["scope"] == "data:read"


def test_lifetime_is_configurable(machine, settings):
    from api.app import create_app

    auth = settings.auth.model_copy(update={"access_token_lifetime": 45})
    app = create_app(settings=settings.model_copy(update={"auth": auth}))
    body = token_for(app.test_client(), *machine)
    assert body["expires_in"] == 45
    app.extensions["simel"].database.dispose()


@pytest.mark.parametrize(
    ("headers", "data", "status", "error"),
    [
        ("wrong-secret", {}, 401, "invalid_client"),
        ("unknown-client", {}, 401, "invalid_client"),
        ("none", {}, 401, "invalid_client"),
        # Decoded Basic credentials that are not UTF-8, or hold NUL (PostgreSQL: a 500).
        ("not-utf-8", {}, 401, "invalid_client"),
        ("nul", {}, 401, "invalid_client"),
        ("good", {"scope": "admin"}, 400, "invalid_scope"),
        ("good", {"scope": "catalog:write"}, 400, "invalid_scope"),
        ("good", {"scope": "nonsense"}, 400, "invalid_scope"),
        ("good", {"grant_type": "password", "username": "a", "password": "b"}, 400,
         "unsupported_grant_type"),
        ("good", {"grant_type": "authorization_code", "code": "x"}, 400, "unauthorized_client"),
    ],
)  # fmt: skip
def test_client_credentials_failures(client, machine, headers, data, status, error):
    client_id, secret = machine
    auth = {
        "wrong-secret": basic(client_id, secret + "x"),
        "unknown-client": basic("nobody", secret),
        "none": {},
        "not-utf-8": {"Authorization": "Basic " + base64.b64encode(b"\xed\xa0:\xff").decode()},
        "nul": basic(client_id + "\x00", secret),
        "good": basic(client_id, secret),
    }[headers]
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials", **data}, headers=auth
    )
    assert_oauth_error(response, status, error)
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Basic ")


def test_public_clients_cannot_use_client_credentials(client, make_org, make_client):
    make_org("sisca", kind="regional-body")
    app_client, _ = make_client("sisca", app=True)
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": app_client.client_id}
    )
    assert_oauth_error(response, 401, "invalid_client")


def test_token_endpoint_wants_post(client):
    response = client.get("/oauth/token")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"


def test_revoked_client_gets_no_tokens_and_its_tokens_die(client, machine, session):
    from catalog import oauth
    from tests.conftest import SYSTEM

    token = token_for(client, *machine)["access_token"]
    oauth.revoke_client(session, actor=SYSTEM, client_id=machine[0])
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(*machine)
    )
    assert_oauth_error(response, 401, "invalid_client")


# ------------------------------------------------------------------- bearer tokens at the API


def test_insufficient_scope_is_403_not_401(client, machine):
    token = token_for(client, *machine, scope="data:read")["access_token"]
    response = client.get("/api/v1/audit/events", headers=bearer(token))
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    challenge = response.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="audit:read"' in challenge
    assert response.json["required_scopes"] == ["audit:read"]
    assert "www_authenticate" not in response.json


def test_expired_token_is_401(client, machine, session):
    token = token_for(client, *machine)["access_token"]
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    session.execute(
        update(OAuthToken).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    )
    session.commit()
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize("token", ["simel_at_nonsense", "simel_at_", "plainly-wrong"])
def test_unknown_tokens_are_401(client, token):
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert "invalid_" in response.headers["WWW-Authenticate"]


def test_token_for_another_audience_is_401(client, machine, session):
    token = token_for(client, *machine)["access_token"]
    session.execute(update(OAuthToken).values(audience="https://other.example/"))
    session.commit()
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert "another audience" in response.headers["WWW-Authenticate"]


# ----------------------------------------------------------------------- introspection


def introspect(client, auth, token, **extra):
    return client.post("/oauth/introspect", data={"token": token, **extra}, headers=auth)


def test_introspection_of_own_token(client, machine):
    token = token_for(client, *machine)["access_token"]
    response = introspect(client, basic(*machine), token)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["active"] is True
    assert body["client_id"] == machine[0]
    assert body["sub"] == machine[0]
    assert body["organization"] == "igm-gt"
    assert body["scope"] == "catalog:read data:read requests:write"
    assert body["token_type"] == "Bearer"
    assert body["aud"] == "http://catalog.test/"
    assert body["exp"] - body["iat"] == 600
    assert "username" not in body


def test_introspection_reflects_revocation_at_once(client, machine):
    token = token_for(client, *machine)["access_token"]
    assert introspect(client, basic(*machine), token).json["active"] is True
    assert (
        client.post("/oauth/revoke", data={"token": token}, headers=basic(*machine)).status_code
        == 200
    )
    assert introspect(client, basic(*machine), token).json == {"active": False}
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_introspection_is_limited_to_own_tokens_unless_resource_server(
    client, machine, make_org, make_client
):
    make_org("stps-mx", country="MEX")
    other, other_secret = make_client("stps-mx")
    other_id = other.client_id
    theirs = token_for(client, other_id, other_secret)["access_token"]
    assert introspect(client, basic(*machine), theirs).json == {"active": False}
    gateway, gateway_secret = make_client(
        "igm-gt", name="gateway", scopes=["catalog:read"], roles=["requester"], can_introspect=True
    )
    seen = introspect(client, basic(gateway.client_id, gateway_secret), theirs).json
    assert seen["active"] is True
    assert seen["client_id"] == other_id
    assert seen["organization"] == "stps-mx"


def test_introspection_needs_client_authentication(client, machine, make_org, make_client):
    token = token_for(client, *machine)["access_token"]
    response = introspect(client, {}, token)
    assert response.status_code in (400, 401)
    assert response.json["error"] == "invalid_client"
    make_org("sisca", kind="regional-body")
    app_client, _ = make_client("sisca", app=True)
    response = introspect(client, {}, token, client_id=app_client.client_id)
    assert response.json["error"] == "invalid_client"  # public clients may not introspect
    assert introspect(client, basic(machine[0], "wrong"), token).status_code == 401


def test_introspection_of_unknown_or_garbage(client, machine):
    assert introspect(client, basic(*machine), "simel_at_x").json == {"active": False}
    assert introspect(client, basic(*machine), "").json == {"active": False}
    # A hint is only a hint (RFC 7662 2.1): one the catalog does not know is ignored.
    unknown_hint = introspect(client, basic(*machine), "x", token_type_hint="id_token")
    assert (unknown_hint.status_code, unknown_hint.json) == (200, {"active": False})
    token = token_for(client, *machine)["access_token"]
    for hint in ("id_token", "refresh_token", "access_token"):
        described = introspect(client, basic(*machine), token, token_type_hint=hint)
        assert described.json["active"] is True, hint
    missing = client.post("/oauth/introspect", data={}, headers=basic(*machine))
    assert missing.json["error"] == "invalid_request"


# -------------------------------------------------------------------------- revocation


def test_revocation_is_idempotent_and_answers_200_for_unknown_tokens(client, machine):
    token = token_for(client, *machine)["access_token"]
    for _ in range(2):
        response = client.post("/oauth/revoke", data={"token": token}, headers=basic(*machine))
        assert response.status_code == 200
    assert (
        client.post(
            "/oauth/revoke", data={"token": "simel_at_unknown"}, headers=basic(*machine)
        ).status_code
        == 200
    )


def test_revocation_ignores_a_hint_it_does_not_know(client, machine):
    token = token_for(client, *machine)["access_token"]
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    response = client.post(
        "/oauth/revoke",
        data={"token": token, "token_type_hint": "id_token"},
        headers=basic(*machine),
    )
    assert response.status_code == 200
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    missing = client.post("/oauth/revoke", data={}, headers=basic(*machine))
    assert_oauth_error(missing, 400, "invalid_request")


def test_a_client_cannot_revoke_another_clients_token(client, machine, make_org, make_client):
    make_org("stps-mx", country="MEX")
    other, other_secret = make_client("stps-mx")
    theirs = token_for(client, other.client_id, other_secret)["access_token"]
    response = client.post("/oauth/revoke", data={"token": theirs}, headers=basic(*machine))
    assert_oauth_error(response, 400, "invalid_grant")
    assert client.get("/api/v1/me", headers=bearer(theirs)).status_code == 200


def test_revocation_is_audited(client, machine, session):
    token = token_for(client, *machine)["access_token"]
    client.post("/oauth/revoke", data={"token": token}, headers=basic(*machine))
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "oauth_token.revoke")).one()
    assert event.details["kind"] == "access_token"
    assert event.actor_name == machine[0]


# ---------------------------------------------------------------------------- metadata


def test_server_metadata(client, monkeypatch):
    response = client.get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    body = response.json
    assert body["issuer"] == "http://catalog.test"
    assert body["token_endpoint"] == "http://catalog.test/oauth/token"
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert "password" not in body["grant_types_supported"]
    assert "implicit" not in body["grant_types_supported"]
    assert "admin" in body["scopes_supported"]
    # The test issuer is plain HTTP; Authlib's validator insists on HTTPS otherwise.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    AuthorizationServerMetadata(body).validate()


def test_issuer_can_be_configured(settings):
    from api.app import create_app

    custom = settings.model_copy(
        update={"auth": settings.auth.model_copy(update={"issuer": "https://auth.simel.example"})}
    )
    app = create_app(settings=custom)
    body = app.test_client().get("/.well-known/oauth-authorization-server").json
    assert body["issuer"] == "https://auth.simel.example"
    assert body["revocation_endpoint"] == "https://auth.simel.example/oauth/revoke"
    app.extensions["simel"].database.dispose()


def test_plain_http_off_loopback_is_refused(client, machine):
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers=basic(*machine),
        base_url="http://catalog.example.org",
    )
    assert_oauth_error(response, 400, "insecure_transport")
