"""Distributions: create, read, update, delete, and files the catalog holds."""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import bearer


@pytest.fixture
def stored_file(settings):
    folder = settings.storage_path / "mintrab-gt" / "restricted" / "enei-2024"
    folder.mkdir(parents=True)
    content = b"id,sexo\nA1,F\nA2,M\n"
    (folder / "extract.csv").write_bytes(content)
    return "mintrab-gt/restricted/enei-2024/extract.csv", content


LINK = {
    "title": {"es": "Cuadros", "en": "Tables"},
    "download_url": "https://example.org/enei.csv",
    "format": "CSV",
    "media_type": "text/csv",
}


def test_create_list_get_update_delete(client, steward):
    created = client.post(
        "/api/v1/datasets/enei-2024/distributions", json=LINK, headers=bearer(steward)
    )
    assert created.status_code == 201
    distribution_id = created.json["id"]
    assert created.headers["Location"].endswith(distribution_id)
    assert created.headers["ETag"] == '"2"'  # the dataset's revision moved on
    listed = client.get("/api/v1/datasets/enei-2024/distributions").json["items"]
    assert [d["id"] for d in listed] == [distribution_id]
    dataset = client.get("/api/v1/datasets/enei-2024").json
    assert dataset["distributions"][0]["title"]["es"] == "Cuadros"

    path = f"/api/v1/datasets/enei-2024/distributions/{distribution_id}"
    patched = client.patch(path, json={"format": "JSON"}, headers=bearer(steward))
    assert patched.status_code == 200
    assert patched.json["format"] == "JSON"
    replaced = client.put(path, json={**LINK, "title": {"es": "Tablas"}}, headers=bearer(steward))
    assert replaced.json["title"] == {"es": "Tablas"}
    history = client.get("/api/v1/datasets/enei-2024/revisions").json["items"]
    assert [r["action"] for r in history][:3] == [
        "distribution.update",
        "distribution.update",
        "distribution.create",
    ]
    assert client.delete(path, headers=bearer(steward)).status_code == 204
    assert client.get(path).status_code == 404


def test_invalid_distribution_is_422_with_pointers(client, steward):
    response = client.post(
        "/api/v1/datasets/enei-2024/distributions",
        json={"title": {"es": "x"}, "byte_size": -1, "download_url": "ftp://x"},
        headers=bearer(steward),
    )
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json["errors"]} == {"/byte_size", "/download_url"}


def test_a_distribution_needs_somewhere_to_get_the_data(client, steward):
    response = client.post(
        "/api/v1/datasets/enei-2024/distributions",
        json={"title": {"es": "x"}},
        headers=bearer(steward),
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["pointer"] == ""
    assert "access_url" in response.json["errors"][0]["detail"]


def test_stored_file_facts_come_from_the_file(client, steward, stored_file):
    key, content = stored_file
    response = client.post(
        "/api/v1/datasets/enei-2024/distributions",
        json={"title": {"es": "Extracto"}, "storage_key": key, "restricted": True, "byte_size": 1},
        headers=bearer(steward),
    )
    assert response.status_code == 201, response.json
    assert response.json["byte_size"] == len(content)
    assert response.json["checksum"] == hashlib.sha256(content).hexdigest()
    assert response.json["access_url"].endswith(f"/distributions/{response.json['id']}/data")
    # The storage path is internal: shown to the publisher's stewards only.
    assert response.json["storage_key"] == key
    public = client.get(f"/api/v1/datasets/enei-2024/distributions/{response.json['id']}")
    assert "storage_key" not in public.json


@pytest.mark.parametrize(
    "key", ["../outside.csv", "/etc/passwd", "restricted/../../x", "missing.csv"]
)
def test_storage_keys_cannot_escape_or_dangle(client, steward, key):
    response = client.post(
        "/api/v1/datasets/enei-2024/distributions",
        json={"title": {"es": "x"}, "storage_key": key, "restricted": True},
        headers=bearer(steward),
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["pointer"] == "/storage_key"


def _refused_storage_key(client, steward, key: str) -> str:
    """Post an unrestricted distribution naming ``key``; assert the 422, return its detail."""
    response = client.post(
        "/api/v1/datasets/enei-2024/distributions",
        json={"title": {"es": "x"}, "storage_key": key, "restricted": False},
        headers=bearer(steward),
    )
    assert response.status_code == 422, key
    assert response.json["errors"][0]["pointer"] == "/storage_key"
    return str(response.json["errors"][0]["detail"])


def test_a_dataset_serves_only_files_of_its_publisher(
    client, steward, settings, make_org, make_dataset, stored_file
):
    # inm-hn's restricted extract, in its folder of the shared storage...
    make_org("inm-hn", country="HND", kind="migration-authority")
    folder = settings.storage_path / "inm-hn" / "restricted" / "enei-2024"
    folder.mkdir(parents=True)
    (folder / "1.csv").write_bytes(b"id,sexo\nR1,F\n")
    # ...cannot be published by a steward of another organization, even from a folder
    # named after their own dataset, and whatever names datasets are given.
    make_dataset("restricted", "mintrab-gt", publish=False)
    for key in ("inm-hn/restricted/enei-2024/1.csv", "restricted/inm-hn/1.csv"):
        assert "'mintrab-gt'" in _refused_storage_key(client, steward, key)
    # Its own files, in any folder of its publisher's, are fine.
    own, _ = stored_file
    response = client.post(
        "/api/v1/datasets/enei-2024/distributions",
        json={"title": {"es": "x"}, "storage_key": own, "restricted": True},
        headers=bearer(steward),
    )
    assert response.status_code == 201


def test_a_link_in_the_publishers_folder_does_not_lead_to_anothers_files(
    client, steward, settings, make_org
):
    make_org("inm-hn", country="HND", kind="migration-authority")
    theirs = settings.storage_path / "inm-hn" / "restricted" / "1.csv"
    theirs.parent.mkdir(parents=True)
    theirs.write_bytes(b"id,sexo\nR1,F\n")
    ours = settings.storage_path / "mintrab-gt" / "enlaces"
    ours.mkdir(parents=True)
    (ours / "1.csv").symlink_to(theirs)
    (ours / "carpeta").symlink_to(theirs.parent, target_is_directory=True)
    for key in ("mintrab-gt/enlaces/1.csv", "mintrab-gt/enlaces/carpeta/1.csv"):
        assert "'mintrab-gt'" in _refused_storage_key(client, steward, key)


def test_a_file_whose_folder_became_a_link_to_anothers_is_not_served(
    client, steward, settings, make_org, stored_file, caplog
):
    # Registered while inside its publisher's folder; the folder is later replaced on
    # the server by a link into another organization's, which holds a file of that name.
    make_org("inm-hn", country="HND", kind="migration-authority")
    key, content = stored_file
    created = client.post(
        "/api/v1/datasets/enei-2024/distributions",
        json={"title": {"es": "Extracto"}, "storage_key": key},
        headers=bearer(steward),
    )
    assert created.status_code == 201
    data_url = f"/api/v1/datasets/enei-2024/distributions/{created.json['id']}/data"
    with client.get(data_url) as served:
        assert served.data == content
    theirs = settings.storage_path / "inm-hn" / "restricted"
    theirs.mkdir(parents=True)
    (theirs / "extract.csv").write_bytes(b"id,sexo\nR1,F\n")
    ours = settings.storage_path / "mintrab-gt" / "restricted" / "enei-2024"
    (ours / "extract.csv").unlink()
    ours.rmdir()
    ours.symlink_to(theirs, target_is_directory=True)

    response = client.get(data_url)
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert "no longer inside its publisher's storage folder" in response.json["detail"]
    assert b"R1" not in response.data
    assert "leads out of its publisher's folder" in caplog.text


def test_values_longer_than_their_columns_are_refused(client, steward):
    # SQLite would keep them; PostgreSQL's VARCHAR(200) and (100) refused them (a 500).
    for member, value in (("media_type", "text/" + "x" * 200), ("format", "X" * 101)):
        response = client.post(
            "/api/v1/datasets/enei-2024/distributions",
            json={**LINK, member: value},
            headers=bearer(steward),
        )
        assert response.status_code == 422, member
        assert response.json["errors"][0]["pointer"] == f"/{member}"


def test_whole_numbers_are_written_without_a_fraction(client, steward):
    # JSON Schema would take 256.0 as an integer; stored, it was exported as
    # "256.0"^^xsd:nonNegativeInteger and failed the dataset's SHACL validation.
    for size in (256.0, 1e3):
        response = client.post(
            "/api/v1/datasets/enei-2024/distributions",
            json={**LINK, "byte_size": size},
            headers=bearer(steward),
        )
        assert response.status_code == 422, size
        assert response.json["errors"][0]["pointer"] == "/byte_size"
    response = client.post(
        "/api/v1/datasets/enei-2024/distributions",
        json={**LINK, "byte_size": 256},
        headers=bearer(steward),
    )
    assert response.status_code == 201


def test_restricted_without_a_stored_file_awaits_it(client, steward):
    response = client.post(
        "/api/v1/datasets/enei-2024/distributions",
        json={"title": {"es": "x"}, "restricted": True, "access_url": "https://example.org/"},
        headers=bearer(steward),
    )
    assert response.status_code == 201
    # Its access is the gateway's, which has no file to serve until one is uploaded.
    assert response.json["access_url"] == response.json["data_url"]
    waiting = client.get(response.json["data_url"])
    assert waiting.status_code == 404
    assert "no file has been uploaded yet" in waiting.json["detail"]


def test_other_organizations_cannot_touch_distributions(client, steward, make_user):
    _, other = make_user("luis", steward="stps-mx")
    response = client.post(
        "/api/v1/datasets/enei-2024/distributions", json=LINK, headers=bearer(other)
    )
    assert response.status_code == 403
    assert client.post("/api/v1/datasets/enei-2024/distributions", json=LINK).status_code == 401


def test_unknown_distribution_is_404(client, steward):
    path = "/api/v1/datasets/enei-2024/distributions/00000000-0000-0000-0000-000000000000"
    assert client.get(path).status_code == 404
    assert client.delete(path, headers=bearer(steward)).status_code == 404
    assert client.get("/api/v1/datasets/enei-2024/distributions/not-a-uuid").status_code == 404


def test_stale_if_match_on_distribution_is_412(client, steward):
    response = client.post(
        "/api/v1/datasets/enei-2024/distributions",
        json=LINK,
        headers={**bearer(steward), "If-Match": '"7"'},
    )
    assert response.status_code == 412


def test_byte_size_beyond_64_bits_is_422(client, steward):
    response = client.post(
        "/api/v1/datasets/enei-2024/distributions",
        json={**LINK, "byte_size": 2**64},
        headers=bearer(steward),
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["pointer"] == "/byte_size"


def test_a_withdrawn_datasets_files_are_no_longer_served(client, steward, settings):
    # Withdrawing is how a steward takes back a dataset published by mistake: its
    # tombstone (JSON, RDF) stays on record, but the catalog stops handing out its files.
    folder = settings.storage_path / "mintrab-gt" / "public" / "enei-2024"
    folder.mkdir(parents=True)
    (folder / "cuadros.csv").write_bytes(b"sexo,total\nF,10\n")
    created = client.post(
        "/api/v1/datasets/enei-2024/distributions",
        json={"title": {"es": "Cuadros"}, "storage_key": "mintrab-gt/public/enei-2024/cuadros.csv"},
        headers=bearer(steward),
    )
    data = created.json["data_url"]
    assert downloaded(client, data) == 200
    withdrawn = client.post(
        "/api/v1/datasets/enei-2024/withdraw",
        json={"reason": "Publicado por error"},
        headers=bearer(steward),
    )
    assert withdrawn.status_code == 200
    response = client.get(data)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "withdrawn (Publicado por error)" in response.json["detail"]
    # Nor does the tombstone link to them any more.
    (listed,) = client.get("/api/v1/datasets/enei-2024").json["distributions"]
    assert listed["title"] == {"es": "Cuadros"}
    assert not {"data_url", "download_url", "access_url"} & set(listed)
    client.post("/api/v1/datasets/enei-2024/publish", headers=bearer(steward))
    assert downloaded(client, data) == 200
    (listed,) = client.get("/api/v1/datasets/enei-2024").json["distributions"]
    assert listed["data_url"] == listed["download_url"] == data


def downloaded(client, url):
    with client.get(url) as response:
        return response.status_code
