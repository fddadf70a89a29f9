"""Behind reverse proxies: X-Forwarded-* headers are believed only from trusted hops."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from api.app import create_app
from catalog.settings import Settings

FORWARDED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "catalogo.simel.example",
    "X-Forwarded-Prefix": "/simel",
    "X-Forwarded-For": "203.0.113.9",
}


def _app(settings: Settings, trusted_proxies: int) -> Flask:
    app_settings = settings.app.model_copy(update={"trusted_proxies": trusted_proxies})
    return create_app(settings=settings.model_copy(update={"app": app_settings}))


@pytest.fixture
def behind_one_proxy(settings: Settings) -> Iterator[Flask]:
    app = _app(settings, 1)
    yield app
    app.extensions["simel"].database.dispose()


@pytest.fixture
def dataset(make_org, make_dataset):
    make_org("mintrab-gt")
    make_dataset("enei-2024")


def test_forwarded_headers_are_ignored_by_default(client, dataset):
    listing = client.get("/api/v1/datasets", headers=FORWARDED).json
    assert listing["links"]["self"].startswith("http://localhost/api/v1/datasets?")
    assert listing["items"][0]["links"]["self"] == "http://localhost/api/v1/datasets/enei-2024"


def test_a_trusted_proxy_sets_scheme_host_and_prefix(behind_one_proxy, dataset):
    client = behind_one_proxy.test_client()
    listing = client.get("/api/v1/datasets", headers=FORWARDED).json
    public = "https://catalogo.simel.example/simel/api/v1/datasets"
    assert listing["links"]["self"].startswith(public + "?")
    assert listing["items"][0]["links"]["self"] == public + "/enei-2024"
    servers = client.get("/api/v1/openapi.json", headers=FORWARDED).json["servers"]
    assert servers[0]["url"].startswith("https://catalogo.simel.example")


def test_only_the_trusted_number_of_hops_is_believed(behind_one_proxy):
    seen = {}

    @behind_one_proxy.get("/__remote")
    def remote() -> str:
        from flask import request

        seen["address"] = request.remote_addr
        return ""

    behind_one_proxy.test_client().get(
        "/__remote", headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    )
    # The client may write anything left of what our one proxy appended.
    assert seen["address"] == "203.0.113.9"
