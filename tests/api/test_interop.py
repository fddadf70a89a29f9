"""Interoperability with real clients, over real HTTP on 127.0.0.1.

The app runs in a background thread (werkzeug's ``make_server``, ephemeral port). Authlib's
own OAuth 2 client obtains tokens from it (client credentials; authorization code with
PKCE, the sign-in and consent forms driven with ``requests``; refresh; revocation) and the
API accepts them. Then every curl recipe of ``docs/oauth.md`` is run with bash exactly as
written there. No network beyond localhost.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from werkzeug.serving import make_server

from api.app import create_app
from tests.api.oauth_flow import csrf_of
from tests.conftest import APP_REDIRECT

DOC = Path(__file__).resolve().parents[2] / "docs" / "oauth.md"
PASSWORD = "correct horse battery"


@pytest.fixture
def live(settings) -> Iterator[str]:
    """The catalog served on 127.0.0.1 with its base URI (issuer, audience) set to match."""
    holder: dict[str, Any] = {}
    server = make_server(
        "127.0.0.1", 0, lambda env, start: holder["app"](env, start), threaded=True
    )
    base = f"http://127.0.0.1:{server.server_port}"
    catalog = settings.catalog.model_copy(update={"base_uri": base + "/"})
    holder["app"] = create_app(settings=settings.model_copy(update={"catalog": catalog}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()
    thread.join(5)
    holder["app"].extensions["simel"].database.dispose()


@pytest.fixture
def parties(make_org, make_user, make_client) -> dict[str, Any]:
    make_org("sisca", country="SLV", kind="regional-body")
    make_org("mintrab-gt")
    make_org("igm-gt", kind="migration-authority")
    make_user("ana", password=PASSWORD, steward="mintrab-gt")
    machine, secret = make_client("igm-gt")
    app, _ = make_client("sisca", app=True)
    return {"client_id": machine.client_id, "secret": secret, "app_id": app.client_id}


def browse_to_callback(base: str, authorize_url: str) -> str:
    """Sign in as ana and authorize, like a browser; return the callback URL reached."""
    with requests.Session() as browser:
        response = browser.get(authorize_url, allow_redirects=False)
        assert response.status_code == 302
        login_url = urljoin(base, response.headers["Location"])
        page = browser.get(login_url)
        next_path = parse_qs(urlsplit(login_url).query)["next"][0]
        response = browser.post(
            urljoin(base, "/login"),
            data={
                "username": "ana",
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
                "next": next_path,
            },
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text
        consent_url = urljoin(base, response.headers["Location"])
        page = browser.get(consent_url)
        assert page.status_code == 200, page.text
        response = browser.post(
            consent_url,
            data={"csrf_token": csrf_of(page.text), "decision": "allow"},
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text
        callback: str = response.headers["Location"]
    assert callback.startswith(APP_REDIRECT + "?")
    return callback


# ---------------------------------------------------------------------- Authlib's client


def test_authlib_client_credentials(live, parties):
    with OAuth2Session(
        parties["client_id"], parties["secret"], scope="catalog:read data:read"
    ) as machine:
        token = machine.fetch_token(f"{live}/oauth/token", grant_type="client_credentials")
        assert token["token_type"] == "Bearer"
        assert token["scope"] == "catalog:read data:read"
        me = machine.get(f"{live}/api/v1/me")
        assert me.status_code == 200
        assert me.json()["kind"] == "client"
        assert me.json()["organization"] == "igm-gt"
        # A scope the client was not given is refused (RFC 6749 5.2), not narrowed.
        denied = machine.post(
            f"{live}/oauth/token",
            data={"grant_type": "client_credentials", "scope": "admin"},
            auth=(parties["client_id"], parties["secret"]),
            withhold_token=True,
        )
        assert denied.status_code == 400
        assert denied.json()["error"] == "invalid_scope"
        revoked = machine.revoke_token(f"{live}/oauth/revoke", token=token["access_token"])
        assert revoked.status_code == 200
        assert machine.get(f"{live}/api/v1/me").status_code == 401


def test_authlib_authorization_code_with_pkce(live, parties):
    verifier = generate_token(48)
    with OAuth2Session(
        parties["app_id"],
        redirect_uri=APP_REDIRECT,
        scope="catalog:read catalog:write",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    ) as app:
        url, state = app.create_authorization_url(f"{live}/oauth/authorize", code_verifier=verifier)
        callback = browse_to_callback(live, url)
        token = app.fetch_token(
            f"{live}/oauth/token",
            authorization_response=callback,
            code_verifier=verifier,
            state=state,
        )
        assert token["scope"] == "catalog:read catalog:write"
        me = app.get(f"{live}/api/v1/me").json()
        assert (me["kind"], me["name"], me["organization"]) == ("user", "ana", "mintrab-gt")

        first_access = token["access_token"]
        refreshed = app.refresh_token(f"{live}/oauth/token")
        assert refreshed["access_token"] != first_access
        assert app.get(f"{live}/api/v1/me").status_code == 200
        assert (
            requests.get(
                f"{live}/api/v1/me",
                headers={"Authorization": f"Bearer {first_access}"},
                timeout=10,
            ).status_code
            == 401
        )
        app.revoke_token(
            f"{live}/oauth/revoke",
            token=refreshed["refresh_token"],
            token_type_hint="refresh_token",
        )
        assert app.get(f"{live}/api/v1/me").status_code == 401


def test_authlib_reads_the_metadata(live):
    metadata = requests.get(f"{live}/.well-known/oauth-authorization-server", timeout=10).json()
    assert metadata["issuer"] == live
    assert metadata["token_endpoint"] == f"{live}/oauth/token"


# ------------------------------------------------------------ the recipes of docs/oauth.md


def recipe(name: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"<!-- recipe: {re.escape(name)} -->\s*```sh\n(.*?)```", text, re.DOTALL)
    assert match, f"docs/oauth.md has no recipe '{name}'"
    return match.group(1)


def bash(script: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", **env},
    )


needs_tools = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("bash", "curl", "jq", "openssl")),
    reason="the recipes need bash, curl, jq and openssl",
)


@pytest.fixture
def shell_env(live, parties) -> dict[str, str]:
    return {
        "CATALOG": live,
        "CLIENT_ID": parties["client_id"],
        "CLIENT_SECRET": parties["secret"],
        "APP_ID": parties["app_id"],
    }


def json_documents(output: str) -> list[Any]:
    """The JSON objects in ``output`` (curl prints bodies without separating newlines)."""
    decoder = json.JSONDecoder()
    found, position = [], output.find("{")
    while position != -1:
        document, end = decoder.raw_decode(output, position)
        found.append(document)
        position = output.find("{", end)
    return found


@needs_tools
def test_recipes_for_machines(shell_env, live):
    script = "\n".join(
        recipe(name) for name in ("client-credentials", "introspection", "revocation", "metadata")
    )
    process = bash(script, shell_env)
    output, errors = process.communicate(timeout=60)
    assert process.returncode == 0, errors
    me, introspected, revoked = json_documents(output)
    assert me["kind"] == "client"
    assert me["scopes"] == ["catalog:read", "data:read"]
    assert introspected["active"] is True
    assert introspected["organization"] == "igm-gt"
    assert revoked == {}
    lines = output.strip().splitlines()
    assert lines[-2] == "401"  # the revoked token, on the very next request
    assert lines[-1] == f"{live}/oauth/token"


@needs_tools
def test_recipes_for_people(shell_env, live):
    process = bash(recipe("authorization-code") + "\n" + recipe("refresh"), shell_env)
    assert process.stdout is not None
    assert process.stdin is not None
    url = process.stdout.readline().strip()
    assert url.startswith(f"{live}/oauth/authorize?"), url + (
        process.stderr.read() if process.stderr else ""
    )
    callback = browse_to_callback(live, url)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    output, errors = process.communicate(code + "\n", timeout=60)
    assert process.returncode == 0, errors
    first, after_refresh = json_documents(output)
    assert first["name"] == after_refresh["name"] == "ana"
    assert first["organization"] == "mintrab-gt"
    assert first["scopes"] == ["catalog:read", "catalog:write"]
