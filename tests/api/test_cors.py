"""Browser apps on other origins (CORS): only listed origins, only machine-facing paths."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.app import create_app
from catalog.errors import ConfigurationError
from catalog.settings import Settings, load_settings
from tests.conftest import bearer

OBSERVATORY = "https://observatorio.simel.example"
ELSEWHERE = "https://elsewhere.example"


@pytest.fixture
def cors_client(settings: Settings) -> Iterator[Callable[..., FlaskClient]]:
    apps: list[Flask] = []

    def make(*origins: str) -> FlaskClient:
        api = settings.api.model_copy(update={"cors_origins": origins})
        app = create_app(settings=settings.model_copy(update={"api": api}))
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        app.extensions["simel"].database.dispose()


@pytest.fixture
def dataset(make_org, make_dataset):
    make_org("mintrab-gt")
    make_dataset("enei-2024")


def preflight(client: FlaskClient, path: str, method: str, headers: str, origin: str = OBSERVATORY):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


def names(header_list: str) -> set[str]:
    return {name.strip().lower() for name in header_list.split(",")}


def test_no_origin_is_allowed_by_default(client, dataset):
    response = client.get("/api/v1/datasets", headers={"Origin": OBSERVATORY})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    answer = preflight(client, "/api/v1/datasets/enei-2024", "PATCH", "authorization")
    assert not any(name.startswith("Access-Control-") for name, _ in answer.headers)


def test_a_listed_origin_reads_the_api_and_sees_its_headers(cors_client, dataset):
    client = cors_client(OBSERVATORY)
    response = client.get("/api/v1/datasets/enei-2024", headers={"Origin": OBSERVATORY})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == OBSERVATORY
    exposed = names(response.headers["Access-Control-Expose-Headers"])
    assert {"etag", "link", "location", "x-request-id", "www-authenticate"} <= exposed
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" in response.vary


def test_an_unlisted_origin_gets_no_permission(cors_client, dataset):
    client = cors_client(OBSERVATORY)
    response = client.get("/api/v1/datasets/enei-2024", headers={"Origin": ELSEWHERE})
    assert response.status_code == 200  # the server answers; the browser withholds it
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.vary  # a cache must not hand this answer to the observatory
    answer = preflight(client, "/api/v1/datasets", "POST", "authorization", origin=ELSEWHERE)
    assert "Access-Control-Allow-Methods" not in answer.headers


def test_preflight_for_a_conditional_write_with_a_token(cors_client, dataset):
    client = cors_client(OBSERVATORY)
    answer = preflight(
        client, "/api/v1/datasets/enei-2024", "PATCH", "Authorization, If-Match, Content-Type"
    )
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == OBSERVATORY
    assert "PATCH" in answer.headers["Access-Control-Allow-Methods"]
    allowed = names(answer.headers["Access-Control-Allow-Headers"])
    assert allowed == {"authorization", "if-match", "content-type"}
    assert answer.headers["Access-Control-Max-Age"] == "3600"
    # A header the API does not read is not granted.
    odd = preflight(client, "/api/v1/datasets/enei-2024", "PATCH", "X-Forwarded-Host")
    assert "Access-Control-Allow-Headers" not in odd.headers


def test_problems_reach_the_script_that_caused_them(cors_client, dataset):
    client = cors_client(OBSERVATORY)
    refused = client.post("/api/v1/datasets", json={}, headers={"Origin": OBSERVATORY})
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["Access-Control-Allow-Origin"] == OBSERVATORY
    wrong = client.post(
        "/api/v1/datasets", json={}, headers={"Origin": OBSERVATORY, **bearer("simel_pat_nope")}
    )
    assert wrong.status_code == 401
    assert wrong.headers["Access-Control-Allow-Origin"] == OBSERVATORY


def test_any_origin(cors_client, dataset):
    client = cors_client("*")
    response = client.get("/api/v1/datasets", headers={"Origin": ELSEWHERE})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    rdf = client.get("/catalog.ttl", headers={"Origin": ELSEWHERE})
    assert rdf.status_code == 200
    assert rdf.headers["Access-Control-Allow-Origin"] == "*"
    answer = preflight(client, "/oauth/token", "POST", "content-type", origin=ELSEWHERE)
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    metadata = client.get("/.well-known/oauth-authorization-server", headers={"Origin": ELSEWHERE})
    assert metadata.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/login"), ("POST", "/login"), ("GET", "/oauth/authorize"), ("POST", "/logout")],
)
def test_cookie_pages_never_answer_other_origins(cors_client, method, path):
    client = cors_client("*")
    response = client.open(path, method=method, headers={"Origin": ELSEWHERE})
    assert "Access-Control-Allow-Origin" not in response.headers
    answer = preflight(client, path, method, "content-type", origin=ELSEWHERE)
    assert "Access-Control-Allow-Origin" not in answer.headers


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        (["https://Observatorio.SIMEL.example/"], ("https://observatorio.simel.example",)),
        (
            ["https://a.example:443", "http://a.example:80"],
            ("https://a.example", "http://a.example"),
        ),
        (["http://localhost:8080", "http://localhost:8080"], ("http://localhost:8080",)),
        (["http://[::1]:3000"], ("http://[::1]:3000",)),
        (["*"], ("*",)),
        ([], ()),
    ],
)
def test_origins_are_written_as_browsers_send_them(configured, expected):
    settings = load_settings({"api": {"cors_origins": configured}}, environ={})
    assert settings.api.cors_origins == expected


@pytest.mark.parametrize(
    "configured",
    [
        ["*", OBSERVATORY],
        ["null"],
        ["observatorio.simel.example"],
        ["ftp://observatorio.simel.example"],
        ["https://observatorio.simel.example/app"],
        ["https://observatorio.simel.example?x=1"],
        ["https://user@observatorio.simel.example"],
        ["https://observatorio.simel.example:99999"],
    ],
)
def test_a_malformed_origin_is_a_configuration_error(configured):
    with pytest.raises(ConfigurationError, match="cors_origins"):
        load_settings({"api": {"cors_origins": configured}}, environ={})


def test_origins_from_the_environment():
    environ = {"SIMEL_API__CORS_ORIGINS": '["https://observatorio.simel.example"]'}
    assert load_settings(environ=environ).api.cors_origins == (OBSERVATORY,)
