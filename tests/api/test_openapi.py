"""The OpenAPI document and the authorization table."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from api.auth import authorization_table


def test_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"] == "3.1.0"
    validate(document)


def _flask_to_openapi(path: str) -> str:
    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", path)


def test_every_api_route_is_documented_and_nothing_else(app, client):
    document = client.get("/api/v1/openapi.json").json
    documented = {
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    routed = {
        (_flask_to_openapi(row["path"]), method)
        for row in authorization_table(app)
        if row["path"].startswith("/api/v1") and not row["path"].startswith("/api/v1/docs")
        for method in row["methods"]
    }
    assert documented == routed


def test_every_route_declares_who_may_call_it(app):
    undeclared = [
        row["path"]
        for row in authorization_table(app)
        if row["rule"] is None and row["endpoint"] != "static"
    ]
    assert undeclared == []


def test_documented_access_matches_the_routes(client, app):
    document = client.get("/api/v1/openapi.json").json
    create = document["paths"]["/api/v1/datasets"]["post"]
    assert "catalog:write" in create["x-simel-access"]
    assert create["security"] == [{"bearer": []}, {"oauth2": ["catalog:write"]}]
    assert document["paths"]["/api/v1/datasets"]["get"]["x-simel-access"].startswith("public")


def test_docs_page_is_served_without_a_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"/api/v1/openapi.json" in page.data
    assert b"https://" not in page.data
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert asset.data.startswith(b"/*")
    asset.close()
    assert client.get("/api/v1/docs/assets/../../secret").status_code == 404
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404


def test_index_and_me(client, make_org, make_user):
    from tests.conftest import bearer

    assert "datasets" in client.get("/api/v1").json["links"]
    make_org("mintrab-gt")
    _, token = make_user("ana", steward="mintrab-gt", signatory="mintrab-gt")
    me = client.get("/api/v1/me", headers=bearer(token)).json
    assert me["name"] == "ana"
    assert me["roles"] == {"mintrab-gt": ["signatory", "steward"]}
    assert client.get("/api/v1/me").status_code == 401


def test_public_operations_document_the_401_of_a_wrong_token(client, app, make_org):
    # Public reads honour a token, so a wrong one is refused: the contract client
    # fails if the document does not list that answer.
    make_org("mintrab-gt")
    wrong = {"Authorization": "Bearer simel_pat_not-a-token"}
    for path in ("/api/v1/organizations", "/api/v1/organizations/mintrab-gt", "/api/v1/vocab"):
        assert client.get(path, headers=wrong).status_code == 401, path
    document = client.get("/api/v1/openapi.json").json
    public = [
        operation
        for item in document["paths"].values()
        for method, operation in item.items()
        if method != "parameters" and {} in operation.get("security", [])
    ]
    assert public
    assert all("401" in operation["responses"] for operation in public)


def test_paging_limits_are_documented_as_enforced(client, app):
    document = client.get("/api/v1/openapi.json").json
    listing = {
        p["name"]: p["schema"] for p in document["paths"]["/api/v1/datasets"]["get"]["parameters"]
    }
    largest = app.extensions["simel"].settings.api.max_page_size
    assert listing["page_size"]["maximum"] == largest
    assert client.get(f"/api/v1/datasets?page_size={largest}").status_code == 200
    assert client.get(f"/api/v1/datasets?page_size={largest + 1}").status_code == 400
    last = listing["page"]["maximum"]
    assert client.get(f"/api/v1/datasets?page={last}").status_code == 200
    assert client.get(f"/api/v1/datasets?page={last + 1}").status_code == 400
