"""Organizations."""

from __future__ import annotations

import pytest

from catalog import datasets
from tests.conftest import SYSTEM, bearer

NEW = {
    "name": "sib-bz",
    "acronym": "SIB",
    "country": "BLZ",
    "kind": "statistics-office",
    "title": {"es": "Instituto de Estadística de Belice", "en": "Statistical Institute of Belize"},
}


@pytest.fixture
def admin(make_org, make_user):
    make_org("sisca", country="SLV", kind="regional-body")
    _, token = make_user("root", admin="sisca")
    return token


def test_list_and_show(client, session, make_org, make_dataset):
    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")
    make_dataset("a", "mintrab-gt")
    make_dataset("b", "mintrab-gt", publish=False)
    listed = client.get("/api/v1/organizations").json
    counts = {o["name"]: o["dataset_count"] for o in listed["items"]}
    assert counts == {"mintrab-gt": 1, "stps-mx": 0}
    assert [o["name"] for o in client.get("/api/v1/organizations?country=MEX").json["items"]] == [
        "stps-mx"
    ]
    make_dataset("c", "stps-mx")
    make_dataset("d", "stps-mx")
    datasets.withdraw_dataset(session, actor=SYSTEM, name="d", reason="Sustituida por c")
    datasets.publish_dataset(session, actor=SYSTEM, name="b")
    listed = client.get("/api/v1/organizations").json
    counts = {o["name"]: o["dataset_count"] for o in listed["items"]}
    assert counts == {"mintrab-gt": 2, "stps-mx": 1}, "drafts and withdrawn datasets not counted"
    shown = client.get("/api/v1/organizations/mintrab-gt")
    assert shown.json["title"]["es"] == "Institución mintrab-gt"
    assert client.get("/api/v1/organizations/nadie").status_code == 404


def test_admin_creates(client, admin):
    response = client.post("/api/v1/organizations", json=NEW, headers=bearer(admin))
    assert response.status_code == 201
    assert response.headers["Location"].endswith("/organizations/sib-bz")
    again = client.post("/api/v1/organizations", json=NEW, headers=bearer(admin))
    assert again.status_code == 409


def test_invalid_organization(client, admin):
    response = client.post(
        "/api/v1/organizations",
        json={**NEW, "country": "Belize", "kind": "club", "x": 1},
        headers=bearer(admin),
    )
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json["errors"]} == {"/country", "/kind", "/x"}


def test_only_admins_create(client, make_user, admin):
    _, steward = make_user("ana", steward="sisca")
    assert client.post("/api/v1/organizations", json=NEW).status_code == 401
    assert (
        client.post("/api/v1/organizations", json=NEW, headers=bearer(steward)).status_code == 403
    )


@pytest.mark.parametrize("body", [[], [NEW], "x", 3])
def test_non_object_bodies_are_422(client, admin, body):
    response = client.post("/api/v1/organizations", json=body, headers=bearer(admin))
    assert response.status_code == 422
    assert response.json["errors"][0]["pointer"] == ""
