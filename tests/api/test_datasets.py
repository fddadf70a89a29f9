"""The dataset endpoints: happy paths, validation, auth, 404, preconditions."""

from __future__ import annotations

import pytest

from tests.conftest import bearer, dataset_document

PROBLEM = "application/problem+json"


@pytest.fixture
def steward(make_org, make_user):
    make_org("mintrab-gt", country="GTM")
    make_org("stps-mx", country="MEX")
    _, token = make_user("ana", steward="mintrab-gt")
    return token


@pytest.fixture
def other_steward(make_user, steward):
    _, token = make_user("luis", steward="stps-mx")
    return token


def create(client, token, **overrides):
    name = overrides.pop("name", "enei-2024")
    publisher = overrides.pop("publisher", "mintrab-gt")
    query = overrides.pop("query", "")
    return client.post(
        f"/api/v1/datasets{query}",
        json=dataset_document(name, publisher, **overrides),
        headers=bearer(token),
    )


def test_create_returns_the_dataset_with_etag_and_location(client, steward):
    response = create(client, steward)
    assert response.status_code == 201
    body = response.json
    assert body["name"] == "enei-2024"
    assert body["status"] == "draft"
    assert body["revision"] == 1
    assert body["iri"] == "http://catalog.test/dataset/enei-2024"
    assert body["profile"] == "urn:simel:schema:dataset:1.0"
    assert body["organization"]["country"] == "GTM"
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith("/api/v1/datasets/enei-2024")


def test_create_published_at_once(client, steward):
    response = create(client, steward, query="?status=published")
    assert response.json["status"] == "published"
    assert response.json["issued"] is not None


def test_create_rejects_unknown_status(client, steward):
    response = create(client, steward, query="?status=gone")
    assert response.status_code == 400
    assert response.mimetype == PROBLEM


def test_validation_errors_name_each_field_by_pointer(client, steward):
    document = dataset_document()
    del document["title"]
    document["access_rights"] = "OPEN"
    document["spatial"] = ["Guatemala"]
    document["surprise"] = 1
    document["contact_point"] = {"name": "x"}
    response = client.post("/api/v1/datasets", json=document, headers=bearer(steward))
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.json["type"].endswith("/invalid-metadata")
    pointers = {error["pointer"] for error in response.json["errors"]}
    assert pointers == {"/title", "/access_rights", "/spatial/0", "/surprise", "/contact_point"}


def test_unknown_publisher_is_a_field_error(client, steward):
    response = create(client, steward, publisher="nadie")
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"pointer": "/publisher", "detail": "no organization is named 'nadie'"}
    ]


def test_body_must_be_json(client, steward):
    response = client.post(
        "/api/v1/datasets",
        data="name=x",
        headers=bearer(steward),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response.mimetype == PROBLEM


def test_malformed_json_is_400(client, steward):
    response = client.post(
        "/api/v1/datasets",
        data="{not json",
        headers=bearer(steward),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json["detail"]


def test_a_json_array_body_is_422_not_500(client, steward):
    response = client.post("/api/v1/datasets", json=[1, 2], headers=bearer(steward))
    assert response.status_code == 422
    assert response.json["errors"][0]["pointer"] == ""


def test_oversized_body_is_413(client, steward, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/api/v1/datasets",
        data=b"[" + b"1," * (limit // 2) + b"1]",
        headers=bearer(steward),
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.mimetype == PROBLEM
    assert response.json["detail"] == (
        f"the request body is larger than this server's limit of {limit:,} bytes"
    )


def test_duplicate_name_is_409(client, steward):
    create(client, steward)
    response = create(client, steward)
    assert response.status_code == 409
    assert response.mimetype == PROBLEM


def test_anonymous_write_is_401_with_challenge(client, steward):
    response = client.post("/api/v1/datasets", json=dataset_document())
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.mimetype == PROBLEM


def test_wrong_token_is_401(client, steward):
    response = create(client, "simel_pat_not-a-real-token")
    assert response.status_code == 401
    response = client.get("/api/v1/datasets", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401


def test_revoked_token_stops_working_at_once(client, session, make_user, steward):
    from catalog import accounts
    from tests.conftest import SYSTEM

    user, token = make_user("temp", steward="mintrab-gt")
    assert create(client, token).status_code == 201
    (row,) = accounts.list_api_tokens(session, user)
    accounts.revoke_api_token(session, actor=SYSTEM, token_id=row.id)
    assert create(client, token, name="otro").status_code == 401


def test_steward_of_another_organization_is_403(client, other_steward):
    response = create(client, other_steward)
    assert response.status_code == 403
    assert response.mimetype == PROBLEM


def test_requester_cannot_write(client, make_user, steward):
    _, token = make_user("req", requester="mintrab-gt")
    response = create(client, token)
    assert response.status_code == 403


def test_admin_may_write_for_any_publisher(client, make_org, make_user, steward):
    make_org("sisca", country="SLV", kind="regional-body")
    _, token = make_user("root", admin="sisca")
    assert create(client, token).status_code == 201


def test_get_unknown_dataset_is_404(client):
    response = client.get("/api/v1/datasets/nada")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM


def test_drafts_are_hidden_from_other_organizations(client, steward, other_steward):
    create(client, steward)
    assert client.get("/api/v1/datasets/enei-2024").status_code == 404
    assert (
        client.get("/api/v1/datasets/enei-2024", headers=bearer(other_steward)).status_code == 404
    )
    assert client.get("/api/v1/datasets/enei-2024", headers=bearer(steward)).status_code == 200
    assert client.get("/api/v1/datasets").json["total"] == 0
    assert client.get("/api/v1/datasets", headers=bearer(steward)).json["total"] == 1


def test_auditor_sees_drafts(client, make_org, make_user, steward):
    make_org("sisca", country="SLV", kind="regional-body")
    _, auditor = make_user("aud", auditor="sisca")
    create(client, steward)
    assert client.get("/api/v1/datasets/enei-2024", headers=bearer(auditor)).status_code == 200


def test_update_needs_if_match(client, steward):
    create(client, steward)
    document = dataset_document(version="2")
    response = client.put("/api/v1/datasets/enei-2024", json=document, headers=bearer(steward))
    assert response.status_code == 428
    assert response.mimetype == PROBLEM


def test_update_with_current_etag(client, steward):
    created = create(client, steward)
    document = {**created.json, "version": "2024.2"}  # echoing server members back is fine
    response = client.put(
        "/api/v1/datasets/enei-2024",
        json=document,
        headers={**bearer(steward), "If-Match": created.headers["ETag"]},
    )
    assert response.status_code == 200
    assert response.json["version"] == "2024.2"
    assert response.json["revision"] == 2
    assert response.headers["ETag"] == '"2"'


def test_stale_if_match_is_412(client, steward):
    create(client, steward)
    headers = {**bearer(steward), "If-Match": '"1"'}
    assert (
        client.put(
            "/api/v1/datasets/enei-2024", json=dataset_document(version="a"), headers=headers
        ).status_code
        == 200
    )
    response = client.put(
        "/api/v1/datasets/enei-2024", json=dataset_document(version="b"), headers=headers
    )
    assert response.status_code == 412
    assert response.json["current_revision"] == 2


def test_weak_or_foreign_etag_never_matches(client, steward):
    create(client, steward)
    # Digits other than ASCII, or more than a revision can have, name no revision.
    for value in ('W/"1"', "1", '"abc"', '"\u0661"', '"' + "9" * 5000 + '"', '"01"'):
        response = client.put(
            "/api/v1/datasets/enei-2024",
            json=dataset_document(version="x"),
            headers={**bearer(steward), "If-Match": value},
        )
        assert response.status_code == 412, value


def test_a_412_says_why_the_etag_did_not_match(client, steward):
    create(client, steward)

    def put(if_match):
        return client.put(
            "/api/v1/datasets/enei-2024",
            json=dataset_document(version="x"),
            headers={**bearer(steward), "If-Match": if_match},
        )

    weak = put('W/"1"')
    assert weak.status_code == 412
    assert (
        'If-Match holds no ETag of this dataset: send the ETag it was returned with, now "1"'
        in (weak.json["detail"])
    )
    assert "revision -1" not in weak.json["detail"]
    future = put('"5"')
    assert future.json["detail"] == "the dataset has no revision 5: it is at revision 1"
    assert put('"1"').status_code == 200
    stale = put('"1"')
    assert stale.json["detail"].startswith("the dataset was changed since revision 1")


def test_integers_have_no_fraction_anywhere_in_the_document(client, steward):
    # JSON Schema counts 7.0 as an integer; stored, it became "7.0"^^xsd:nonNegativeInteger.
    profile = {**dataset_document()["labour_migration"], "num_series": 7.0}
    response = create(client, steward, labour_migration=profile)
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"pointer": "/labour_migration/num_series", "detail": "7.0 is not of type 'integer'"}
    ]
    assert create(client, steward, labour_migration={**profile, "num_series": 7}).status_code == 201


def test_periods_may_not_end_before_they_start(client, steward):
    profile = {
        **dataset_document()["labour_migration"],
        "reference_period": {"start": "2025-01-01", "end": "2020-01-01"},
    }
    temporal = [
        {"start": "2024-01-01", "end": "2024-12-31"},
        {"start": "2030-01-01", "end": "1999-01-01"},
        {"start": "2024-05-01", "end": "2024-05-01"},
        {"end": "2020-01-01"},
    ]
    response = create(client, steward, temporal=temporal, labour_migration=profile)
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"pointer": "/temporal/1/end", "detail": "must not be before the start (2030-01-01)"},
        {
            "pointer": "/labour_migration/reference_period/end",
            "detail": "must not be before the start (2025-01-01)",
        },
    ]
    profile["reference_period"] = {"start": "2020-01-01", "end": "2025-01-01"}
    assert create(
        client, steward, temporal=temporal[::2], labour_migration=profile
    ).status_code == (201)


def test_if_match_star_accepts_the_current_revision(client, steward):
    create(client, steward)
    response = client.put(
        "/api/v1/datasets/enei-2024",
        json=dataset_document(version="x"),
        headers={**bearer(steward), "If-Match": "*"},
    )
    assert response.status_code == 200


def test_merge_patch_changes_one_member(client, steward):
    create(client, steward)
    response = client.patch(
        "/api/v1/datasets/enei-2024",
        data='{"title": {"en": "ENEI 2024"}, "keywords": null}',
        content_type="application/merge-patch+json",
        headers={**bearer(steward), "If-Match": '"1"'},
    )
    assert response.status_code == 200
    assert response.json["title"] == {
        "es": "Encuesta Nacional de Empleo e Ingresos 2024",
        "en": "ENEI 2024",
    }
    assert "keywords" not in response.json


def test_patch_that_breaks_the_schema_is_422_and_changes_nothing(client, steward):
    create(client, steward)
    response = client.patch(
        "/api/v1/datasets/enei-2024",
        json={"access_rights": "MAYBE"},
        headers={**bearer(steward), "If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["pointer"] == "/access_rights"
    assert client.get("/api/v1/datasets/enei-2024", headers=bearer(steward)).json["revision"] == 1


def test_name_and_publisher_cannot_change(client, steward):
    create(client, steward)
    response = client.put(
        "/api/v1/datasets/enei-2024",
        json=dataset_document("otro-nombre", "stps-mx"),
        headers={**bearer(steward), "If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json["errors"]} == {"/name", "/publisher"}


def test_update_by_another_organization_is_403(client, steward, other_steward):
    create(client, steward, query="?status=published")
    response = client.put(
        "/api/v1/datasets/enei-2024",
        json=dataset_document(version="x"),
        headers={**bearer(other_steward), "If-Match": '"1"'},
    )
    assert response.status_code == 403


def test_unchanged_put_makes_no_revision(client, steward):
    create(client, steward)
    response = client.put(
        "/api/v1/datasets/enei-2024",
        json=dataset_document(),
        headers={**bearer(steward), "If-Match": '"1"'},
    )
    assert response.json["revision"] == 1


def test_if_none_match_gives_304(client, steward):
    create(client, steward, query="?status=published")
    response = client.get("/api/v1/datasets/enei-2024", headers={"If-None-Match": '"1"'})
    assert response.status_code == 304
    assert response.headers["ETag"] == '"1"'


def test_publish_then_withdraw_keeps_the_record(client, steward):
    create(client, steward)
    published = client.post("/api/v1/datasets/enei-2024/publish", headers=bearer(steward))
    assert published.status_code == 200
    assert published.json["status"] == "published"
    assert (
        client.post("/api/v1/datasets/enei-2024/publish", headers=bearer(steward)).status_code
        == 409
    )
    missing_reason = client.post(
        "/api/v1/datasets/enei-2024/withdraw", json={}, headers=bearer(steward)
    )
    assert missing_reason.status_code == 422
    too_long = client.post(  # longer than its column: refused on SQLite as on PostgreSQL
        "/api/v1/datasets/enei-2024/withdraw", json={"reason": "x" * 2001}, headers=bearer(steward)
    )
    assert too_long.status_code == 422
    assert too_long.json["errors"][0]["pointer"] == "/reason"
    withdrawn = client.post(
        "/api/v1/datasets/enei-2024/withdraw",
        json={"reason": "Serie revisada"},
        headers=bearer(steward),
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json["withdrawn"]["reason"] == "Serie revisada"
    # Still reachable by name; unlisted unless asked for.
    assert client.get("/api/v1/datasets/enei-2024").json["status"] == "withdrawn"
    assert client.get("/api/v1/datasets").json["total"] == 0
    assert client.get("/api/v1/datasets?status=withdrawn").json["total"] == 1
    # Never deleted.
    deleted = client.delete("/api/v1/datasets/enei-2024", headers=bearer(steward))
    assert deleted.status_code == 409


def test_withdrawing_a_draft_is_409(client, steward):
    create(client, steward)
    response = client.post(
        "/api/v1/datasets/enei-2024/withdraw", json={"reason": "x"}, headers=bearer(steward)
    )
    assert response.status_code == 409


def test_draft_can_be_deleted(client, steward):
    create(client, steward)
    deleted = client.delete("/api/v1/datasets/enei-2024", headers=bearer(steward))
    assert deleted.status_code == 204
    assert "Content-Type" not in deleted.headers  # no body, so no media type
    assert deleted.data == b""
    assert client.get("/api/v1/datasets/enei-2024", headers=bearer(steward)).status_code == 404


def test_options_lists_the_methods_without_a_body(client):
    response = client.options("/api/v1/datasets")
    assert response.status_code == 200
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert "Content-Type" not in response.headers


def test_revisions_record_who_changed_what(client, steward):
    create(client, steward)
    client.patch(
        "/api/v1/datasets/enei-2024",
        json={"version": "2024.2"},
        headers={**bearer(steward), "If-Match": '"1"'},
    )
    client.post("/api/v1/datasets/enei-2024/publish", headers=bearer(steward))
    history = client.get("/api/v1/datasets/enei-2024/revisions", headers=bearer(steward)).json[
        "items"
    ]
    assert [(r["revision"], r["action"], r["actor"]) for r in history] == [
        (3, "publish", "ana"),
        (2, "update", "ana"),
        (1, "create", "ana"),
    ]
    assert history[1]["changes"] == [{"path": "/version", "old": None, "new": "2024.2"}]
    assert history[0]["changes"] == [{"path": "/status", "old": "draft", "new": "published"}]
    one = client.get("/api/v1/datasets/enei-2024/revisions/2", headers=bearer(steward))
    assert one.json["document"]["version"] == "2024.2"
    # A long history is read a page at a time.
    second = client.get(
        "/api/v1/datasets/enei-2024/revisions?page=2&page_size=2", headers=bearer(steward)
    ).json
    assert (second["total"], second["page"], second["page_size"]) == (3, 2, 2)
    assert [r["revision"] for r in second["items"]] == [1]
    assert second["links"]["prev"].endswith(
        "/api/v1/datasets/enei-2024/revisions?page=1&page_size=2"
    )
    for number in ("9", "0", "-1", "2147483648", "24646613213484417024"):
        missing = client.get(f"/api/v1/datasets/enei-2024/revisions/{number}")
        assert missing.status_code == 404, number
        assert missing.mimetype == PROBLEM


def test_method_not_allowed_is_a_problem(client):
    response = client.delete("/api/v1/datasets")
    assert response.status_code == 405
    assert response.mimetype == PROBLEM
    assert "GET" in response.headers["Allow"]


def test_unknown_route_is_a_problem(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM


def test_distributions_sent_with_a_new_dataset_are_refused_not_dropped(client, steward):
    # They used to vanish: 201 with no distributions, and the steward none the wiser.
    csv = {"title": {"es": "CSV"}, "download_url": "https://mintrab.gob.gt/permisos.csv"}
    response = create(client, steward, distributions=[csv])
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    [error] = response.json["errors"]
    assert error["pointer"] == "/distributions"
    assert "distributions" in error["detail"]
    assert client.get("/api/v1/datasets/enei-2024", headers=bearer(steward)).status_code == 404
    # An empty list, as a GET of a dataset without distributions shows it, is fine.
    assert create(client, steward, distributions=[]).status_code == 201


CSV = {"title": {"es": "CSV"}, "download_url": "https://mintrab.gob.gt/permisos.csv"}


def _edit(client, steward, method, body, etag):
    return getattr(client, method)(
        "/api/v1/datasets/enei-2024", json=body, headers={**bearer(steward), "If-Match": etag}
    )


def test_changed_distributions_in_an_update_are_refused_not_ignored(client, steward):
    # A PUT or PATCH whose distributions differ from the dataset's used to answer 200
    # and drop them: distributions change through their own endpoints.
    create(client, steward)
    added = client.post(
        "/api/v1/datasets/enei-2024/distributions", json=CSV, headers=bearer(steward)
    )
    assert added.status_code == 201
    read = client.get("/api/v1/datasets/enei-2024", headers=bearer(steward)).json
    (listed,) = read["distributions"]
    other = {**CSV, "title": {"es": "Otro"}}
    for method, distributions in (
        ("put", [{**listed, "title": {"es": "Permisos"}}]),
        ("put", [listed, other]),
        ("put", []),
        ("put", [{**listed, "id": "00000000-0000-0000-0000-000000000000"}]),
        ("put", {"a": listed}),
        ("patch", [other]),
        ("patch", [{**listed, "format": "CSV"}]),
    ):
        body = {**(read if method == "put" else {}), "distributions": distributions}
        response = _edit(client, steward, method, body, '"2"')
        assert response.status_code == 422, (method, distributions)
        assert response.mimetype == PROBLEM
        [error] = response.json["errors"]
        assert error["pointer"] == "/distributions"
        assert "/datasets/enei-2024/distributions" in error["detail"]
    assert "differs in format" in error["detail"]
    after = client.get("/api/v1/datasets/enei-2024", headers=bearer(steward)).json
    assert after["revision"] == 2
    assert after["distributions"] == [listed]


def test_a_dataset_read_back_can_be_sent_again_with_its_distributions(
    client, steward, settings, make_user
):
    # Read, modify, write: the distributions come back as read, server members and the
    # links to files the catalog holds included, and pass unnoticed.
    create(client, steward, query="?status=published")
    folder = settings.storage_path / "mintrab-gt" / "enei-2024"
    folder.mkdir(parents=True)
    (folder / "cuadros.csv").write_bytes(b"sexo,total\nF,10\n")
    for document in (
        CSV,
        {"title": {"es": "Cuadros"}, "storage_key": "mintrab-gt/enei-2024/cuadros.csv"},
    ):
        added = client.post(
            "/api/v1/datasets/enei-2024/distributions", json=document, headers=bearer(steward)
        )
        assert added.status_code == 201
    read = client.get("/api/v1/datasets/enei-2024", headers=bearer(steward)).json
    assert "data_url" in read["distributions"][1]
    response = _edit(client, steward, "put", {**read, "version": "2024.2"}, '"3"')
    assert response.status_code == 200, response.json
    assert response.json["version"] == "2024.2"
    patch = {"version": "2024.3", "distributions": read["distributions"]}
    assert _edit(client, steward, "patch", patch, '"4"').status_code == 200
    # A copy read by someone who is not the publisher's steward lacks the storage key.
    public = client.get("/api/v1/datasets/enei-2024").json
    assert "storage_key" not in public["distributions"][1]
    assert _edit(client, steward, "put", {**public, "version": "x"}, '"5"').status_code == 200
    # A withdrawn dataset's JSON no longer links to its files.
    client.post(
        "/api/v1/datasets/enei-2024/withdraw", json={"reason": "Revisión"}, headers=bearer(steward)
    )
    tombstone = client.get("/api/v1/datasets/enei-2024", headers=bearer(steward)).json
    assert "access_url" not in tombstone["distributions"][1]
    response = _edit(client, steward, "put", {**tombstone, "version": "y"}, '"7"')
    assert response.status_code == 200, response.json


def test_a_status_sent_with_a_new_dataset_must_be_the_one_it_gets(client, steward):
    # "status": "published" in the body used to be ignored: the steward got a draft.
    response = create(client, steward, status="published")
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    [error] = response.json["errors"]
    assert error["pointer"] == "/status"
    assert "POST /datasets/enei-2024/publish" in error["detail"]
    assert "?status=published" in error["detail"]
    assert client.get("/api/v1/datasets/enei-2024", headers=bearer(steward)).status_code == 404
    assert create(client, steward, status="withdrawn").status_code == 422
    assert create(client, steward, status="draft", query="?status=published").status_code == 422
    # The status it gets, as read back, is fine.
    created = create(client, steward, status="published", query="?status=published")
    assert created.status_code == 201
    assert created.json["status"] == "published"
    assert create(client, steward, name="otro", status="draft").status_code == 201


def test_a_status_sent_with_an_update_must_be_the_datasets(client, steward):
    create(client, steward)
    for method, status in (("put", "published"), ("patch", "published"), ("patch", "withdrawn")):
        body = {**dataset_document(), "status": status} if method == "put" else {"status": status}
        response = _edit(client, steward, method, body, '"1"')
        assert response.status_code == 422, (method, status)
        [error] = response.json["errors"]
        assert error["pointer"] == "/status"
        assert "'enei-2024' is draft" in error["detail"]
        assert "POST /datasets/enei-2024/publish" in error["detail"]
        assert "POST /datasets/enei-2024/withdraw" in error["detail"]
    assert (
        client.get("/api/v1/datasets/enei-2024", headers=bearer(steward)).json["status"] == "draft"
    )
    # The dataset's own status, as read back, is fine.
    read = client.get("/api/v1/datasets/enei-2024", headers=bearer(steward)).json
    assert _edit(client, steward, "put", {**read, "version": "2"}, '"1"').status_code == 200
    assert (
        _edit(client, steward, "patch", {"status": "draft", "version": "3"}, '"2"').status_code
        == 200
    )
