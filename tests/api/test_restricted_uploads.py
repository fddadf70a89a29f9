"""A restricted distribution awaiting its file: created restricted, then uploaded into.

The only other way to put a restricted extract in the catalog through the API was to
create it unrestricted, upload its file and then make it restricted: between the upload
and that change, a published dataset's personal-data file was a public download.
"""

from __future__ import annotations

import hashlib

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT
from sqlmodel import col, select

from catalog import distributions
from catalog.models import AuditEvent
from tests.conftest import BASE_URI, SYSTEM, bearer
from tests.sharing_support import DATASET, make_world, request_document

PROBLEM = "application/problem+json"
EXTRACT = b"id_seudonimo,sexo,fecha_retorno\nSV00001,F,2025-01-02\nSV00002,M,2025-01-03\n"
AWAITING = {
    "title": {"es": "Extracto nominal", "en": "Named extract"},
    "format": "CSV",
    "media_type": "text/csv",
    "restricted": True,
}
DISTRIBUTIONS = f"/api/v1/datasets/{DATASET}/distributions"
LINK = {"title": {"es": "Cuadros"}, "download_url": "https://example.org/cuadros.csv"}


@pytest.fixture
def world(session, make_org, make_user, make_dataset, settings):
    return make_world(session, make_org, make_user, make_dataset, settings.storage_path)


def activate_agreement(client, tokens):
    """Guatemala asks, El Salvador approves, both sign: an agreement in force."""
    submitted = client.post(
        "/api/v1/access-requests", json=request_document(), headers=bearer(tokens["gt.requester"])
    )
    assert submitted.status_code == 201, submitted.json
    request_path = f"/api/v1/access-requests/{submitted.json['id']}"
    steward = bearer(tokens["sv.steward"])
    assert client.post(request_path + "/review", headers=steward).status_code == 200
    approved = client.post(request_path + "/approve", json={"reason": "Conforme."}, headers=steward)
    assert approved.status_code == 200, approved.json
    agreement = "/api/v1/" + approved.json["links"]["agreement"].split("/api/v1/", 1)[1]
    assert client.post(agreement + "/send-for-signature", headers=steward).status_code == 200
    for signatory in ("sv.signatory", "gt.signatory"):
        signed = client.post(agreement + "/sign", headers=bearer(tokens[signatory]))
        assert signed.status_code == 200, signed.json
    assert signed.json["status"] == "active"


def test_a_restricted_distribution_awaits_its_file_and_is_never_public(client, world, settings):
    activate_agreement(client, world.tokens)
    steward = bearer(world.tokens["sv.steward"])
    requester = bearer(world.tokens["gt.requester"])

    # 1. Created restricted, without a file.
    created = client.post(DISTRIBUTIONS, json=AWAITING, headers=steward)
    assert created.status_code == 201, created.json
    distribution_id = created.json["id"]
    data_url = f"{DISTRIBUTIONS}/{distribution_id}/data"
    assert created.json["restricted"] is True
    assert created.json["data_url"].endswith(data_url)
    assert created.json["access_url"] == created.json["data_url"]
    for member in ("download_url", "storage_key", "checksum", "byte_size"):
        assert member not in created.json, member

    # Nothing to fetch yet, for anyone, said plainly.
    for headers in ({}, requester):
        waiting = client.get(data_url, headers=headers)
        assert waiting.status_code == 404
        assert waiting.mimetype == PROBLEM
        assert "no file has been uploaded yet" in waiting.json["detail"]

    # Every reader copes: the dataset's JSON (and it goes back as read), its DCAT
    # (an access URL at the gateway, no download URL, and still valid), its quality.
    read = client.get(f"/api/v1/datasets/{DATASET}", headers=steward)
    awaiting = next(d for d in read.json["distributions"] if d["id"] == distribution_id)
    assert awaiting["access_url"] == awaiting["data_url"]
    assert "download_url" not in awaiting
    sent_back = client.put(
        f"/api/v1/datasets/{DATASET}",
        json=read.json,
        headers={**steward, "If-Match": read.headers["ETag"]},
    )
    assert sent_back.status_code == 200, sent_back.json
    graph = Graph().parse(data=client.get(f"/dataset/{DATASET}.ttl").data, format="turtle")
    node = URIRef(f"{BASE_URI}dataset/{DATASET}#distribution-{distribution_id}")
    assert str(graph.value(node, DCAT.accessURL)).endswith(data_url)
    assert graph.value(node, DCAT.downloadURL) is None
    validation = client.get(f"/api/v1/datasets/{DATASET}/validation")
    assert validation.json["violations"] == 0, validation.json["results"]
    assert client.get(f"/api/v1/datasets/{DATASET}/governance").status_code == 200
    assert client.get("/api/v1/quality").status_code == 200

    # 2. The steward uploads into it: the file is restricted from its first moment.
    uploaded = client.put(data_url, data=EXTRACT, content_type="text/csv", headers=steward)
    assert uploaded.status_code == 200, uploaded.json
    assert uploaded.json["restricted"] is True
    assert uploaded.json["checksum"] == hashlib.sha256(EXTRACT).hexdigest()
    assert uploaded.json["storage_key"] == f"dgme-sv/{DATASET}/{distribution_id}.csv"
    assert "download_url" not in uploaded.json

    # 3. Refused to anyone without an agreement in force; served under one.
    anonymous = client.get(data_url)
    assert anonymous.status_code == 401
    assert anonymous.mimetype == PROBLEM
    outsider = client.get(data_url, headers=bearer(world.tokens["hn.requester"]))
    assert outsider.status_code == 403
    assert outsider.json["check"] == "agreement"
    with client.get(data_url, headers=requester) as granted:
        assert granted.status_code == 200, granted.json
        assert granted.data == EXTRACT
        assert "no-store" in granted.headers["Cache-Control"]
    public = client.get(f"/api/v1/datasets/{DATASET}").json
    shown = next(d for d in public["distributions"] if d["id"] == distribution_id)
    assert "download_url" not in shown
    assert "storage_key" not in shown


def test_an_awaiting_restricted_distribution_declares_no_file_facts(client, world):
    steward = bearer(world.tokens["sv.steward"])
    for member, value in (("byte_size", 10), ("checksum", "a" * 64)):
        refused = client.post(DISTRIBUTIONS, json={**AWAITING, member: value}, headers=steward)
        assert refused.status_code == 422
        (error,) = refused.json["errors"]
        assert error["pointer"] == f"/{member}"
        assert "uploaded" in error["detail"]
    # Without restricted, a distribution still needs a link or a file.
    unrestricted = {**AWAITING, "restricted": False}
    assert client.post(DISTRIBUTIONS, json=unrestricted, headers=steward).status_code == 422


def test_a_file_made_public_or_placed_says_so_in_the_audit_log(client, world, session):
    """Lifting a restriction is the steward's call, and the tamper-evident log says it."""
    steward = bearer(world.tokens["sv.steward"])
    created = client.post(DISTRIBUTIONS, json=AWAITING, headers=steward)
    distribution = f"{DISTRIBUTIONS}/{created.json['id']}"
    uploaded = client.put(
        distribution + "/data", data=EXTRACT, content_type="text/csv", headers=steward
    )
    assert uploaded.status_code == 200
    lifted = client.patch(distribution, json={"restricted": False}, headers=steward)
    assert lifted.status_code == 200, lifted.json
    with client.get(distribution + "/data") as public:
        assert public.status_code == 200  # public now, as the steward decided
    events = session.exec(
        select(AuditEvent)
        .where(col(AuditEvent.action).startswith("dataset.distribution."))
        .order_by(col(AuditEvent.seq))
    ).all()
    details = {event.action: event.details for event in events}
    assert details["dataset.distribution.create"]["restricted"] is True
    assert details["dataset.distribution.upload"]["restricted"] is True
    update = details["dataset.distribution.update"]
    assert update["restricted"] is False
    assert update["changed"] == [f"/distributions/{created.json['id']}/restricted"]


def test_a_restricted_file_is_not_served_publicly_by_another_distribution(client, world, session):
    """A file is one distribution's: another, unrestricted, would make it public."""
    steward = bearer(world.tokens["sv.steward"])
    restricted = client.get(f"{DISTRIBUTIONS}/{world.distribution.id}", headers=steward).json
    key = restricted["storage_key"]
    spellings = (key, f"./{key}", key.replace("/", "//", 1), key.replace("/", "/./", 1))
    for spelling in spellings:
        refused = client.post(
            DISTRIBUTIONS,
            json={"title": {"es": "Copia"}, "storage_key": spelling, "restricted": False},
            headers=steward,
        )
        assert refused.status_code == 422, spelling
        (error,) = refused.json["errors"]
        assert error["pointer"] == "/storage_key"
        assert str(world.distribution.id) in error["detail"]
    # Nor by changing where a public distribution's file is.
    public = client.post(DISTRIBUTIONS, json=LINK, headers=steward).json
    moved = client.patch(
        f"{DISTRIBUTIONS}/{public['id']}",
        json={"storage_key": key, "download_url": None},
        headers=steward,
    )
    assert moved.status_code == 422
    assert moved.json["errors"][0]["pointer"] == "/storage_key"
    assert client.get(f"{DISTRIBUTIONS}/{public['id']}/data").status_code == 404
    # The distribution that holds it keeps it through its own changes.
    retitled = client.patch(
        f"{DISTRIBUTIONS}/{world.distribution.id}",
        json={"title": {"es": "Extracto"}, "storage_key": f"./{key}"},
        headers=steward,
    )
    assert retitled.status_code == 200, retitled.json


TABLES = b"departamento,retornados\nSan Salvador,120\n"


def public_tables(client, settings, steward):
    """A public distribution of aggregate tables, its file in the publisher's folder."""
    (settings.storage_path / "dgme-sv" / "public").mkdir(parents=True)
    (settings.storage_path / "dgme-sv" / "public" / "cuadros.csv").write_bytes(TABLES)
    public = client.post(
        DISTRIBUTIONS,
        json={"title": {"es": "Cuadros"}, "storage_key": "dgme-sv/public/cuadros.csv"},
        headers=steward,
    )
    assert public.status_code == 201, public.json
    return public.json


def test_a_files_restricted_flag_follows_its_content(client, world, settings):
    """A copy of a restricted file is restricted; a restricted file is not public elsewhere."""
    steward = bearer(world.tokens["sv.steward"])
    public = public_tables(client, settings, steward)
    public_data = f"{DISTRIBUTIONS}/{public['id']}/data"

    # The restricted extract's bytes uploaded into the public distribution: refused,
    # and the public file it had stays in place.
    copied = client.put(public_data, data=world.content, content_type="text/csv", headers=steward)
    assert copied.status_code == 422
    (error,) = copied.json["errors"]
    assert error["pointer"] == "/restricted"
    assert f"restricted file of distribution {world.distribution.id}" in error["detail"]
    with client.get(public_data) as served:
        assert served.data == TABLES

    # The public tables uploaded into a restricted distribution: refused, naming them.
    awaiting = client.post(DISTRIBUTIONS, json=AWAITING, headers=steward).json
    awaiting_data = f"{DISTRIBUTIONS}/{awaiting['id']}/data"
    restricted = client.put(awaiting_data, data=TABLES, content_type="text/csv", headers=steward)
    assert restricted.status_code == 422
    (error,) = restricted.json["errors"]
    assert error["pointer"] == "/restricted"
    assert error["detail"] == (
        f"the same file is served publicly by distribution {public['id']} of "
        f"'{DATASET}': restrict or remove that one first"
    )
    assert client.get(awaiting_data, headers=steward).status_code == 404  # still awaiting

    # Lifting the restriction of a copy of a restricted file is refused the same way.
    uploaded = client.put(awaiting_data, data=EXTRACT, content_type="text/csv", headers=steward)
    assert uploaded.status_code == 200, uploaded.json
    twin = settings.storage_path / "dgme-sv" / "restricted" / "gemelo.csv"
    twin.write_bytes(EXTRACT)
    second = client.post(
        DISTRIBUTIONS,
        json={"title": {"es": "Gemelo"}, "storage_key": "dgme-sv/restricted/gemelo.csv"},
        headers=steward,
    )
    assert second.status_code == 422
    assert second.json["errors"][0]["pointer"] == "/restricted"


def test_another_organization_restricting_a_public_files_bytes_leaves_it_public(
    client, world, settings, session, make_dataset
):
    steward = bearer(world.tokens["sv.steward"])
    public = public_tables(client, settings, steward)
    public_data = f"{DISTRIBUTIONS}/{public['id']}/data"
    # Later, Honduras's migration institute keeps the same bytes as a restricted file.
    make_dataset("retornados-hn", "inm-hn")
    (settings.storage_path / "inm-hn").mkdir()
    (settings.storage_path / "inm-hn" / "copia.csv").write_bytes(TABLES)
    distributions.add_distribution(
        session,
        actor=SYSTEM,
        name="retornados-hn",
        document={"title": {"es": "Copia"}, "storage_key": "inm-hn/copia.csv", "restricted": True},
        storage_root=settings.storage_path,
    )
    session.commit()
    # Not theirs to restrict: El Salvador's file stays a public download, and its
    # distribution is edited as before.
    with client.get(public_data) as served:
        assert served.status_code == 200
        assert served.data == TABLES
    retitled = client.patch(
        f"{DISTRIBUTIONS}/{public['id']}",
        json={"title": {"es": "Cuadros por departamento"}},
        headers=steward,
    )
    assert retitled.status_code == 200, retitled.json
    # A copy made after theirs is restricted, though: unflagged, it is refused.
    (settings.storage_path / "dgme-sv" / "public" / "otra.csv").write_bytes(TABLES)
    later = client.post(
        DISTRIBUTIONS,
        json={"title": {"es": "Otra"}, "storage_key": "dgme-sv/public/otra.csv"},
        headers=steward,
    )
    assert later.status_code == 422
    assert later.json["errors"][0]["detail"].startswith(
        "the file is a copy of the restricted file of a distribution of another organization"
    )
