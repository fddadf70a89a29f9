"""POST /api/v1/harvest/dcat: administrators only, a URL or an RDF document."""

from __future__ import annotations

import pytest

from api.app import create_app
from catalog.settings import HarvestSettings
from tests.catalog.test_harvest import FOREIGN, _page, _Server
from tests.conftest import bearer
from tests.openapi_contract import ContractClient


@pytest.fixture
def tokens(make_org, make_user):
    make_org("mintrab-gt", homepage="https://mintrab.example")
    _, admin = make_user("root", admin="mintrab-gt")
    _, steward = make_user("ana", steward="mintrab-gt")
    return {"admin": admin, "steward": steward}


def test_an_rdf_document_as_the_body(client, tokens):
    response = client.post(
        "/api/v1/harvest/dcat?source=https://source.example/catalog",
        data=FOREIGN.encode(),
        content_type="text/turtle",
        headers=bearer(tokens["admin"]),
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["created"] == ["empleo-2024"]
    assert body["skipped"][0]["iri"] == "https://source.example/dataset/sin-editor"
    assert body["skipped"][0]["errors"][0]["pointer"] == "/publisher"
    dataset = client.get("/api/v1/datasets/empleo-2024").json
    assert dataset["harvest"]["original_iri"] == "https://source.example/dataset/empleo-2024"
    assert dataset["harvest"]["source_catalog"] == "https://source.example/catalog"
    listed = client.get("/api/v1/datasets").json["items"]
    assert listed[0]["harvest"]["source"] == "https://source.example/catalog"
    strict = client.post(
        "/api/v1/harvest/dcat?strict=true",
        data=FOREIGN.encode(),
        content_type="text/turtle",
        headers=bearer(tokens["admin"]),
    )
    assert strict.status_code == 422
    assert strict.json["errors"][0]["iri"] == "https://source.example/dataset/sin-editor"
    mapped = client.post(
        "/api/v1/harvest/dcat?publisher=https://unknown.example/org=mintrab-gt",
        data=FOREIGN.encode(),
        content_type="text/turtle",
        headers=bearer(tokens["admin"]),
    )
    assert mapped.json["created"] == ["sin-editor"]
    assert mapped.json["unchanged"] == ["empleo-2024"]


def test_only_administrators_may_harvest(client, tokens):
    for headers, status in (({}, 401), (bearer(tokens["steward"]), 403)):
        response = client.post(
            "/api/v1/harvest/dcat", json={"source": "https://x.example/"}, headers=headers
        )
        assert response.status_code == status
        assert response.mimetype == "application/problem+json"


def test_bad_requests(client, tokens):
    admin = bearer(tokens["admin"])
    assert client.post("/api/v1/harvest/dcat", json={"nope": 1}, headers=admin).status_code == 400
    wrong = client.post("/api/v1/harvest/dcat", data=b"x", content_type="image/png", headers=admin)
    assert wrong.status_code == 415
    refused = client.post(
        "/api/v1/harvest/dcat", json={"source": "https://not-allowed.example/c"}, headers=admin
    )
    assert refused.status_code == 403
    assert "allowed_hosts" in refused.json["detail"]
    local = client.post("/api/v1/harvest/dcat", json={"source": "/etc/passwd"}, headers=admin)
    assert local.status_code == 400
    broken = client.post(
        "/api/v1/harvest/dcat", data=b"<<<", content_type="text/turtle", headers=admin
    )
    assert broken.status_code == 400


def test_a_source_url(settings, tokens):
    server = _Server()
    try:
        server.routes["/catalog"] = (
            200,
            {"Content-Type": "text/turtle"},
            _page(server, 1, 1, ["x"]),
        )
        allowed = settings.model_copy(
            update={
                "harvest": HarvestSettings(
                    allowed_hosts=("127.0.0.1",), allow_private_addresses=True
                )
            }
        )
        app = create_app(settings=allowed)
        app.testing = True
        app.test_client_class = ContractClient
        client = app.test_client()
        response = client.post(
            "/api/v1/harvest/dcat",
            json={"source": f"{server.base}/catalog", "status": "draft"},
            headers=bearer(tokens["admin"]),
        )
        assert response.status_code == 200, response.json
        assert response.json["created"] == ["x"]
        assert response.json["pages"] == 1
        draft = client.get("/api/v1/datasets/x", headers=bearer(tokens["steward"])).json
        assert draft["status"] == "draft"
        server.routes["/down"] = (500, {}, b"")
        failed = client.post(
            "/api/v1/harvest/dcat",
            json={"source": f"{server.base}/down"},
            headers=bearer(tokens["admin"]),
        )
        assert failed.status_code == 502
        app.extensions["simel"].database.dispose()
    finally:
        server.close()
