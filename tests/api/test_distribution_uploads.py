"""Uploading a distribution's file: PUT .../distributions/ID/data, the body being the file."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
from sqlmodel import select

from api.app import create_app
from catalog.models import AuditEvent, Distribution
from tests.conftest import bearer
from tests.openapi_contract import ContractClient

PROBLEM = "application/problem+json"
CSV = b"sexo,total\nF,10\nM,12\n"
LINK = {
    "title": {"es": "Cuadros", "en": "Tables"},
    "download_url": "https://example.org/enei.csv",
    "format": "CSV",
    "media_type": "text/csv",
}


def add(client, token, document=LINK):
    response = client.post(
        "/api/v1/datasets/enei-2024/distributions", json=document, headers=bearer(token)
    )
    assert response.status_code == 201, response.json
    return response


def upload(client, token, distribution_id, data=CSV, content_type="text/csv", **headers):
    return client.put(
        f"/api/v1/datasets/enei-2024/distributions/{distribution_id}/data",
        data=data,
        content_type=content_type,
        headers={**bearer(token), **headers},
    )


def files_in(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_a_steward_uploads_the_file_and_the_catalog_serves_it(client, steward, settings, session):
    added = add(client, steward)
    distribution_id = added.json["id"]
    response = upload(client, steward, distribution_id, **{"If-Match": added.headers["ETag"]})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["byte_size"] == len(CSV)
    assert body["checksum"] == hashlib.sha256(CSV).hexdigest()
    assert body["media_type"] == "text/csv"
    # A distribution without a file gets one in its publisher's folder.
    assert body["storage_key"] == f"mintrab-gt/enei-2024/{distribution_id}.csv"
    assert body["download_url"] == body["data_url"]
    assert response.headers["ETag"] == '"3"'
    assert (settings.storage_path / body["storage_key"]).read_bytes() == CSV
    assert files_in(settings.storage_path) == [f"{distribution_id}.csv"]
    with client.get(body["data_url"]) as downloaded:
        assert downloaded.status_code == 200
        assert downloaded.data == CSV
    history = client.get("/api/v1/datasets/enei-2024/revisions").json["items"]
    assert history[0]["action"] == "distribution.upload"
    assert {c["path"].rsplit("/", 1)[-1] for c in history[0]["changes"]} == {
        "byte_size",
        "checksum",
        "storage_key",
    }
    # Audited with the file's facts, never its content.
    (event,) = session.exec(
        select(AuditEvent).where(AuditEvent.action == "dataset.distribution.upload")
    ).all()
    assert event.actor_name == "ana"
    assert event.details["checksum"] == body["checksum"]
    assert event.details["byte_size"] == len(CSV)
    assert event.details["distribution"] == distribution_id
    assert "sexo" not in str(event.details)


def test_an_upload_replaces_the_file_under_its_key(client, steward, settings, session):
    folder = settings.storage_path / "mintrab-gt" / "restricted" / "enei-2024"
    folder.mkdir(parents=True)
    (folder / "extract.csv").write_bytes(b"id,sexo\nA1,F\n")
    key = "mintrab-gt/restricted/enei-2024/extract.csv"
    added = add(client, steward, {"title": {"es": "Extracto"}, "storage_key": key})
    distribution_id = added.json["id"]
    replaced_at = session.get(Distribution, uuid.UUID(distribution_id)).file_replaced_at
    session.rollback()  # ends the transaction, which holds the writers' lock
    response = upload(client, steward, distribution_id)
    assert response.status_code == 200, response.json
    assert response.json["storage_key"] == key
    assert response.json["checksum"] == hashlib.sha256(CSV).hexdigest()
    # It had no media type: the upload's is recorded.
    assert response.json["media_type"] == "text/csv"
    assert (folder / "extract.csv").read_bytes() == CSV
    assert files_in(settings.storage_path) == ["extract.csv"]
    # Other content: a file made now (consents lapsed before it do not hold it back).
    assert session.get(Distribution, uuid.UUID(distribution_id)).file_replaced_at > replaced_at
    session.rollback()
    # The same content again changes nothing: no revision, no event.
    again = upload(client, steward, distribution_id)
    assert again.status_code == 200
    assert again.headers["ETag"] == response.headers["ETag"]
    events = session.exec(
        select(AuditEvent).where(AuditEvent.action == "dataset.distribution.upload")
    ).all()
    assert len(events) == 1


def test_a_content_type_other_than_the_media_type_is_415(client, steward, settings):
    distribution_id = add(client, steward).json["id"]
    for content_type, named in (
        ("application/json", "'application/json'"),
        (None, "'nothing'"),
        ("application/x-www-form-urlencoded", "not a form"),
    ):
        response = upload(client, steward, distribution_id, content_type=content_type)
        assert response.status_code == 415, content_type
        assert response.mimetype == PROBLEM
        assert "text/csv" in response.json["detail"]
        assert named in response.json["detail"]
    # Parameters and case do not matter.
    response = upload(client, steward, distribution_id, content_type="Text/CSV; charset=utf-8")
    assert response.status_code == 200
    assert not list((settings.storage_path / "mintrab-gt").rglob(".*"))


def test_who_may_upload(client, steward, make_user):
    distribution_id = add(client, steward).json["id"]
    _, other = make_user("luis", steward="stps-mx")
    _, requester = make_user("rosa", requester="mintrab-gt")
    _, admin = make_user("root", admin="stps-mx")
    assert upload(client, other, distribution_id).status_code == 403
    assert upload(client, requester, distribution_id).status_code == 403
    anonymous = client.put(
        f"/api/v1/datasets/enei-2024/distributions/{distribution_id}/data",
        data=CSV,
        content_type="text/csv",
    )
    assert anonymous.status_code == 401
    assert upload(client, admin, distribution_id).status_code == 200


def test_a_stale_if_match_is_412_and_keeps_the_old_file(client, steward, settings):
    distribution_id = add(client, steward).json["id"]
    first = upload(client, steward, distribution_id)
    path = settings.storage_path / first.json["storage_key"]
    response = upload(client, steward, distribution_id, data=b"otro\n", **{"If-Match": '"2"'})
    assert response.status_code == 412
    assert path.read_bytes() == CSV
    assert files_in(settings.storage_path) == [path.name]


def test_a_withdrawn_dataset_takes_no_upload(client, steward, settings):
    distribution_id = add(client, steward).json["id"]
    client.post(
        "/api/v1/datasets/enei-2024/withdraw", json={"reason": "Revisión"}, headers=bearer(steward)
    )
    response = upload(client, steward, distribution_id)
    assert response.status_code == 409
    assert response.mimetype == PROBLEM
    assert "withdrawn" in response.json["detail"]
    assert files_in(settings.storage_path) == []


def test_an_empty_body_or_unknown_distribution_is_refused(client, steward, settings):
    distribution_id = add(client, steward).json["id"]
    response = upload(client, steward, distribution_id, data=b"")
    assert response.status_code == 400
    assert "empty" in response.json["detail"]
    unknown = upload(client, steward, "00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 404
    assert files_in(settings.storage_path) == []


def client_with(settings, **sections):
    """A client of an app whose settings ``sections`` replace those of ``settings``."""
    application = create_app(settings=settings.model_copy(update=sections))
    application.testing = True
    application.test_client_class = ContractClient
    yield application.test_client()
    application.extensions["simel"].database.dispose()


def streamed_upload(client, token, distribution_id, data):
    """An upload sent without a length (chunked)."""
    return client.put(
        f"/api/v1/datasets/enei-2024/distributions/{distribution_id}/data",
        input_stream=io.BytesIO(data),
        content_type="text/csv",
        headers={**bearer(token), "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


@pytest.fixture
def small_limits(settings):
    """An app whose JSON requests may have 1 KiB, and uploaded files 4 KiB."""
    yield from client_with(
        settings,
        storage=settings.storage.model_copy(update={"max_upload_bytes": 4096}),
        api=settings.api.model_copy(update={"max_request_bytes": 1024}),
    )


def test_files_over_the_upload_limit_are_413_naming_it(small_limits, steward, settings):
    client = small_limits
    distribution_id = add(client, steward).json["id"]
    # The upload limit, not the JSON API's request limit, holds.
    assert upload(client, steward, distribution_id, data=b"x" * 4096).status_code == 200
    path = next((settings.storage_path / "mintrab-gt").rglob("*.csv"))
    declared = upload(client, steward, distribution_id, data=b"y" * 4097)
    assert declared.status_code == 413
    assert declared.mimetype == PROBLEM
    assert "4,096 bytes" in declared.json["detail"]
    assert "max_upload_bytes" in declared.json["detail"]
    # Streamed without a length (chunked), it is cut off at the limit.
    streamed = streamed_upload(client, steward, distribution_id, b"z" * 9000)
    assert streamed.status_code == 413
    assert "4,096 bytes" in streamed.json["detail"]
    assert path.read_bytes() == b"x" * 4096
    assert files_in(settings.storage_path) == [path.name]
    # A file sent as a form (curl's --data-binary without -H) is refused as one, not
    # read as a form first and refused at the JSON API's request limit.
    form = upload(
        client,
        steward,
        distribution_id,
        data=b"x" * 2048,
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 415
    assert "not a form" in form.json["detail"]


@pytest.fixture
def quota(settings):
    """An app whose organizations may hold 6 KiB of files each."""
    yield from client_with(
        settings, storage=settings.storage.model_copy(update={"organization_quota_bytes": 6144})
    )


def test_an_organizations_files_keep_within_its_quota(quota, steward, settings):
    client = quota
    first = add(client, steward).json["id"]
    second = add(client, steward).json["id"]
    assert upload(client, steward, first, data=b"x" * 4096).status_code == 200
    # 2 KiB are left: a declared 3 KiB is refused before it is read, naming the quota.
    declared = upload(client, steward, second, data=b"y" * 3072)
    assert declared.status_code == 413
    assert declared.mimetype == PROBLEM
    assert "quota of 6,144 bytes" in declared.json["detail"]
    assert "2,048 bytes are left" in declared.json["detail"]
    # Streamed without a length, it is cut off where the quota ends.
    streamed = streamed_upload(client, steward, second, b"z" * 3072)
    assert streamed.status_code == 413
    assert "organization_quota_bytes" in streamed.json["detail"]
    assert upload(client, steward, second, data=b"y" * 2048).status_code == 200
    # A file's own previous size is not counted against its replacement.
    assert upload(client, steward, first, data=b"w" * 4096).status_code == 200
    assert len(files_in(settings.storage_path)) == 2
