"""OAuth clients through the API and the command line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from api.cli import main
from tests.conftest import basic, bearer

REGISTRATION = {
    "organization": "igm-gt",
    "name": "Pipeline de datos IGM",
    "grant_types": ["client_credentials"],
    "scopes": ["catalog:read", "data:read", "requests:write"],
    "roles": ["requester"],
}


@pytest.fixture
def people(make_org, make_user):
    make_org("sisca", country="SLV", kind="regional-body")
    make_org("igm-gt", kind="migration-authority")
    return {
        "admin": make_user("root", admin="sisca")[1],
        "auditor": make_user("aud", auditor="sisca")[1],
        "steward": make_user("ana", steward="igm-gt")[1],
    }


def test_admin_registers_and_the_secret_works_once(client, people):
    response = client.post("/api/v1/clients", json=REGISTRATION, headers=bearer(people["admin"]))
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    created = response.json
    assert created["client_secret"].startswith("simel_cs_")
    assert created["organization"] == "igm-gt"
    assert created["public"] is False
    assert response.headers["Location"].endswith(f"/api/v1/clients/{created['client_id']}")
    shown = client.get(response.headers["Location"], headers=bearer(people["admin"])).json
    assert "client_secret" not in shown
    token = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers=basic(created["client_id"], created["client_secret"]),
    )
    assert token.status_code == 200


def test_public_client_has_a_null_secret(client, people):
    body = {
        **REGISTRATION,
        "grant_types": ["authorization_code", "refresh_token"],
        "roles": [],
        "redirect_uris": ["http://127.0.0.1:8765/callback"],
        "public": True,
    }
    created = client.post("/api/v1/clients", json=body, headers=bearer(people["admin"])).json
    assert created["client_secret"] is None
    assert created["token_endpoint_auth_method"] == "none"


def test_invalid_registrations(client, people):
    response = client.post(
        "/api/v1/clients",
        json={**REGISTRATION, "roles": ["admin"], "scopes": "admin", "color": "red"},
        headers=bearer(people["admin"]),
    )
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json["errors"]} == {"/scopes", "/color"}
    response = client.post(
        "/api/v1/clients",
        json={**REGISTRATION, "roles": ["admin"]},
        headers=bearer(people["admin"]),
    )
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json["errors"]} == {"/roles"}


def test_who_may_see_and_change_clients(client, people):
    created = client.post(
        "/api/v1/clients", json=REGISTRATION, headers=bearer(people["admin"])
    ).json
    path = f"/api/v1/clients/{created['client_id']}"
    assert client.get("/api/v1/clients").status_code == 401
    assert client.get("/api/v1/clients", headers=bearer(people["steward"])).status_code == 403
    listed = client.get("/api/v1/clients", headers=bearer(people["auditor"]))
    assert listed.status_code == 200
    assert [c["client_id"] for c in listed.json["items"]] == [created["client_id"]]
    assert client.get(path, headers=bearer(people["auditor"])).status_code == 200
    assert client.delete(path, headers=bearer(people["auditor"])).status_code == 403
    assert (
        client.post(
            "/api/v1/clients", json=REGISTRATION, headers=bearer(people["steward"])
        ).status_code
        == 403
    )
    assert client.delete(path, headers=bearer(people["admin"])).status_code == 204
    assert client.get(path, headers=bearer(people["admin"])).json["revoked_at"] is not None
    assert client.delete(path, headers=bearer(people["admin"])).status_code == 409
    assert client.get("/api/v1/clients/nobody", headers=bearer(people["admin"])).status_code == 404
    filtered = client.get("/api/v1/clients?organization=sisca", headers=bearer(people["admin"]))
    assert filtered.json["total"] == 0


# --------------------------------------------------------------------------------- CLI


@pytest.fixture
def run(database_url, tmp_path):
    runner = CliRunner()
    env = {"SIMEL_APP__INSTANCE_PATH": str(tmp_path / "instance"), "SIMEL_CONFIG": None}

    def invoke(*args):
        return runner.invoke(main, ["--database", database_url, *args], env=env)

    return invoke


def test_cli_create_list_revoke(run, people, client):
    created = run(
        "client", "create", "--organization", "igm-gt", "--name", "Pipeline",
        "--grant", "client_credentials", "--scope", "data:read", "--scope", "catalog:read",
        "--role", "requester",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    lines = dict(line.split(": ", 1) for line in created.output.splitlines() if ": " in line)
    client_id, secret = lines["client_id"], lines["client_secret"]
    assert secret.startswith("simel_cs_")
    token = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret)
    ).json["access_token"]
    listed = run("client", "list", "--organization", "igm-gt")
    assert client_id in listed.output
    assert secret not in listed.output
    assert run("client", "revoke", client_id).exit_code == 0
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    again = run("client", "revoke", client_id)
    assert again.exit_code == 1
    assert "already revoked" in again.output


def test_cli_public_client_and_errors(run, people):
    created = run(
        "client", "create", "--organization", "igm-gt", "--name", "App", "--public",
        "--grant", "authorization_code", "--scope", "catalog:read",
        "--redirect-uri", "http://127.0.0.1:8765/callback",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "public client, use PKCE" in created.output
    bad = run(
        "client", "create", "--organization", "igm-gt", "--name", "X",
        "--grant", "client_credentials", "--scope", "catalog:write", "--role", "requester",
    )  # fmt: skip
    assert bad.exit_code == 1
    assert "/scopes" in bad.output
    assert "Traceback" not in bad.output
