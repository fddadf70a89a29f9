"""The authorization table: every route declares who may call it, and calls agree.

For each route and method the declared rule is tried for real: anonymous callers of a
protected route get 401 with a Bearer challenge; a valid token without a declared scope
gets 403 ``insufficient_scope`` (never 401); a token with every scope but none of the
declared roles gets 403; a platform administrator's full token passes the gate (what
the service then says about the made-up object is not this test's business). Public
routes never challenge for a bearer token.
"""

from __future__ import annotations

import uuid

import pytest
from flask import url_for
from werkzeug.routing import AnyConverter

from api.auth import authorization_table
from catalog.principals import SCOPES
from tests.conftest import bearer

_VALUES = {
    "UUIDConverter": str(uuid.uuid4()),
    "IntegerConverter": 1,
    "PathConverter": "simel.css",
    "UnicodeConverter": "x",
}


def _value(converter):
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return _VALUES[type(converter).__name__]


def calls(app):
    """(method, url, rule) for every route of the app."""
    found = []
    with app.test_request_context():
        for row in authorization_table(app):
            if row["endpoint"] == "static":
                continue
            url_rule = next(r for r in app.url_map.iter_rules() if r.endpoint == row["endpoint"])
            values = {arg: _value(url_rule._converters[arg]) for arg in url_rule.arguments}
            url = url_for(row["endpoint"], **values)
            found.extend((method, url, row["rule"]) for method in row["methods"])
    return found


@pytest.fixture
def tokens(make_org, make_user, user_token):
    make_org("sisca", country="SLV", kind="regional-body")
    root, _ = make_user(
        "root",
        admin="sisca",
        steward="sisca",
        requester="sisca",
        signatory="sisca",
        auditor="sisca",
    )
    nobody, _ = make_user("nobody")
    everything = " ".join(SCOPES)

    def without(scopes):
        kept = [s for s in SCOPES if s not in scopes]
        return user_token(root, "sisca", " ".join(kept))["access_token"]

    return {
        "admin": user_token(root, "sisca", everything)["access_token"],
        "roleless": user_token(nobody, "sisca", everything)["access_token"],
        "without": without,
    }


def test_every_route_declares_a_rule(app):
    rows = [row for row in authorization_table(app) if row["endpoint"] != "static"]
    assert rows
    assert [row["path"] for row in rows if row["rule"] is None] == []
    paths = {row["path"] for row in rows}
    assert {"/oauth/token", "/oauth/authorize", "/login", "/api/v1/clients"} <= paths


def test_oauth_and_page_routes_are_public_and_say_how_they_authenticate(app):
    for row in authorization_table(app):
        if row["path"].startswith(("/oauth/", "/login", "/logout")):
            assert row["rule"].public
            assert not row["rule"].bearer
            assert row["rule"].note


def test_the_table_holds_for_real_calls(client, app, tokens):
    checked = 0
    for method, url, rule in calls(app):
        open_call = client.open(url, method=method)
        open_call.close()  # static files are streamed
        if rule.public:
            challenge = open_call.headers.get("WWW-Authenticate", "")
            assert not challenge.startswith("Bearer"), (method, url, open_call.status_code)
            assert open_call.status_code not in (401, 403) or not rule.bearer, (method, url)
            continue
        checked += 1
        assert open_call.status_code == 401, (method, url)
        assert open_call.mimetype == "application/problem+json"
        assert open_call.headers["WWW-Authenticate"].startswith('Bearer realm="simel"')

        if rule.scopes:
            scant = client.open(url, method=method, headers=bearer(tokens["without"](rule.scopes)))
            assert scant.status_code == 403, (method, url, scant.status_code)
            challenge = scant.headers["WWW-Authenticate"]
            assert 'error="insufficient_scope"' in challenge, (method, url)
            assert f'scope="{" ".join(rule.scopes)}"' in challenge

        if rule.roles:
            roleless = client.open(url, method=method, headers=bearer(tokens["roleless"]))
            assert roleless.status_code == 403, (method, url, roleless.status_code)
            assert "insufficient_scope" not in roleless.headers.get("WWW-Authenticate", "")

        admitted = client.open(url, method=method, headers=bearer(tokens["admin"]))
        assert admitted.status_code not in (401, 403), (method, url, admitted.json)
    assert checked >= 10
