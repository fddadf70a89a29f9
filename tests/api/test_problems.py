"""Errors reach clients as RFC 9457 problems and leak nothing."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import text

import metadata_schemas
from api.app import create_app
from api.auth import access
from tests.conftest import bearer, dataset_document
from tests.openapi_contract import ContractClient


def test_unexpected_errors_are_a_bare_500(app, caplog):
    @app.get("/api/v1/boom")
    @access(public=True)
    def boom():
        raise RuntimeError("secret connection string postgresql://user:pw@db")

    client = app.test_client()
    client.application.extensions["test_contract"] = _NoContract()
    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    body = response.get_data(as_text=True)
    assert "secret" not in body
    assert "RuntimeError" not in body
    assert "Traceback" not in body
    assert response.json["instance"].startswith("/api/v1/boom#request-")
    request_id = response.headers["X-Request-Id"]
    assert request_id in response.json["instance"]
    assert any(request_id in record.getMessage() for record in caplog.records)


def test_problem_type_uses_the_configured_base(client):
    response = client.post("/api/v1/datasets", json={})
    assert response.json["type"] == "https://w3id.org/simel/problems/unauthenticated"
    assert response.json["title"] == "Authentication required"


def test_request_id_is_echoed_if_harmless(client):
    assert (
        client.get("/api/v1", headers={"X-Request-Id": "abc-123"}).headers["X-Request-Id"]
        == "abc-123"
    )
    evil = client.get("/api/v1", headers={"X-Request-Id": "<script>x</script>"}).headers[
        "X-Request-Id"
    ]
    assert "<" not in evil
    assert len(evil) == 16


class _NoContract:
    def check(self, *args, **kwargs):
        return None


def test_a_write_kept_waiting_is_a_503_with_retry_after(settings, db):
    busy_settings = settings.model_copy(
        update={"database": settings.database.model_copy(update={"writer_wait_seconds": 0.2})}
    )
    application = create_app(settings=busy_settings)
    application.test_client_class = ContractClient
    client = application.test_client()
    try:
        with db.session(write=True) as holder:
            holder.execute(text("SELECT 1"))  # another write in progress
            assert client.get("/api/v1/datasets").status_code == 200  # reads do not wait
            bearer = {"Authorization": "Bearer simel_pat_x"}
            # POST that only reads: answered (401 for the unknown token), never kept waiting.
            assert (
                client.post("/api/v1/policies/evaluate", json={}, headers=bearer).status_code == 401
            )
            # GET that writes (the audited data gateway): it waits like any write.
            gateway = f"/api/v1/datasets/x/distributions/{uuid.uuid4()}/data"
            assert client.get(gateway, headers=bearer).status_code == 503
            response = client.post(
                "/api/v1/datasets", json={}, headers={"Authorization": "Bearer simel_pat_x"}
            )
        assert response.status_code == 503
        assert response.mimetype == "application/problem+json"
        assert response.headers["Retry-After"] == "1"
        assert response.json["type"] == "https://w3id.org/simel/problems/busy"
        # Once the other write ends, the same request is answered on its merits.
        again = client.post(
            "/api/v1/datasets", json={}, headers={"Authorization": "Bearer simel_pat_x"}
        )
        assert again.status_code == 401
    finally:
        application.extensions["simel"].database.dispose()


NUL_URLS = [
    "/api/v1/datasets/enei%002024",
    "/api/v1/datasets?publisher=mintrab%00gt",
    "/api/v1/datasets?theme=employ%00ment",
    "/api/v1/datasets?q=empleo&country%00=GTM",
    "/api/v1/organizations/mintrab%00gt",
    "/api/v1/datasets/enei%002024/distributions",
    "/api/v1/datasets/enei%002024/policy",
    "/dataset/enei%002024.ttl",
]


def test_nul_in_an_address_is_a_400_on_every_database(client, make_org, make_dataset):
    # PostgreSQL cannot compare text holding NUL: these were 500s there, not on SQLite.
    make_org("mintrab-gt")
    make_dataset("enei-2024")
    for url in NUL_URLS:
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.mimetype == "application/problem+json"
        assert "NUL" in response.json["detail"]
    login = client.post("/login", data={"username": "ana\x00", "password": "x"})
    assert login.status_code == 400
    as_multipart = client.post(
        "/login", data={"username": "ana\x00", "password": "x"}, content_type="multipart/form-data"
    )
    assert as_multipart.status_code == 400


def test_nul_in_a_json_body_is_a_400_naming_the_fields(client, make_org, make_user):
    make_org("mintrab-gt")
    _, token = make_user("ana", steward="mintrab-gt")
    document = dataset_document("enei-2024", "mintrab-gt")
    document["title"]["es"] = "ENEI\x00 2024"
    document["keywords"] = {"es": ["empleo", "\x00"]}
    response = client.post("/api/v1/datasets", json=document, headers=bearer(token))
    assert response.status_code == 400
    assert response.json["detail"].endswith("at /title/es, /keywords/es/1")
    # A backslash before "u0000" is text, not NUL: the document is judged as usual.
    document = dataset_document("enei-2024", "mintrab-gt")
    document["title"]["es"] = "ENEI \\u0000 2024"
    assert client.post("/api/v1/datasets", json=document, headers=bearer(token)).status_code == 201


def test_unstorable_text_is_found_wherever_it_is():
    found = metadata_schemas.unstorable_text({"a/b": ["ok", {"c~": "\x00"}], "\ud800": "x"})
    assert found == [
        ("/a~1b/1/c~0", metadata_schemas.NUL_MESSAGE),
        ("/\ud800", metadata_schemas.SURROGATE_MESSAGE),
    ]
    # A pair of surrogate escapes is one character, and fine.
    assert metadata_schemas.unstorable_text(json.loads('"\\ud83d\\ude00"')) == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/api/v1/datasets/enei-2024", '{"version": "\\ud800"}'),
        ("POST", "/api/v1/datasets/enei-2024/withdraw", '{"reason": "\\udfff"}'),
        (
            "POST",
            "/api/v1/policies/evaluate",
            '{"dataset": "enei-2024", "request": {"action": "use\\ud800"}}',
        ),
        # In a key, the message quotes the surrogate: it once made the 400 itself a 500.
        ("POST", "/api/v1/datasets", '{"\\udfff": 1}'),
        ("PATCH", "/api/v1/datasets/enei-2024", '{"title": {"\\ud800": "x"}}'),
    ],
)
def test_unpaired_surrogates_in_a_body_are_a_400(
    client, make_org, make_dataset, make_user, method, path, body
):
    # json.loads turns "\ud800" into a lone surrogate, which cannot be written as UTF-8:
    # these were 500s when the text reached the database or the JSON encoder.
    make_org("mintrab-gt")
    make_org("sisca")
    make_dataset("enei-2024")
    _, token = make_user("root", admin="sisca")
    headers = {**bearer(token), "Content-Type": "application/json", "If-Match": "*"}
    if method == "PATCH":
        headers["Content-Type"] = "application/merge-patch+json"
    response = client.open(path, method=method, data=body, headers=headers)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "surrogates" in response.json["detail"]
    response.get_data().decode("utf-8")  # the body is UTF-8 text


def test_instants_are_checked_without_optional_packages():
    # jsonschema checks date-time only if rfc3339-validator is installed; ours always,
    # and also refuses moments that leave the calendar once converted to UTC.
    checker = metadata_schemas.format_checker()
    assert checker.conforms("2026-03-01T09:30:00-06:00", "date-time")
    for value in ("2026-13-45T09:00:00Z", "2026-03-01T09:30:00", "0001-01-01T00:00:00+14:00"):
        assert not checker.conforms(value, "date-time"), value


def test_a_moment_without_its_offset_is_told_so():
    given_at = "urn:simel:schema:consent:1.0#/properties/given_at"
    assert metadata_schemas.value_errors(given_at, "2026-01-01T00:00:00") == [
        "'2026-01-01T00:00:00' has no UTC offset: write the moment with one, as in"
        " 2026-03-01T09:30:00-06:00 (Z for UTC)"
    ]
    assert "is not valid here" in metadata_schemas.value_errors(given_at, "2026-13-01T00:00Z")[0]


def test_a_line_break_in_an_address_cannot_forge_a_log_line(client, caplog):
    caplog.set_level("WARNING", logger="simel.api")
    response = client.get("/api/v1/datasets/x%0AERROR:simel.api:forged%E2%80%A8line")
    assert response.status_code == 404
    (record,) = [r for r in caplog.records if r.name == "simel.api"]
    logged = record.getMessage()
    assert "\n" not in logged
    assert "\u2028" not in logged
    assert "/api/v1/datasets/x\\nERROR:simel.api:forged\\u2028line" in logged


def test_a_trailing_line_break_does_not_pass_a_pattern(client, make_org, make_user):
    # Python's "$" matches before a final line break, ECMA-262's (JSON Schema's) does
    # not: "enei-2024\n" was accepted as a name and failed in the Location header.
    make_org("mintrab-gt")
    _, token = make_user("ana", steward="mintrab-gt")
    document = dataset_document("enei-2024\n", "mintrab-gt")
    response = client.post("/api/v1/datasets", json=document, headers=bearer(token))
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json["errors"]] == ["/name"]
    assert client.get("/api/v1/datasets").json["total"] == 0


def test_bodies_nested_too_deeply_are_a_400(client, make_org, make_user):
    make_org("mintrab-gt")
    _, token = make_user("ana", steward="mintrab-gt")
    headers = {**bearer(token), "Content-Type": "application/json"}
    for depth in (33, 5000):  # 5000: beyond the recursion of the JSON parser itself
        body = '{"a": ' * depth + "1" + "}" * depth
        response = client.post("/api/v1/datasets", data=body, headers=headers)
        assert response.status_code == 400, depth
        assert "nests deeper than 32" in response.json["detail"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(client, make_org, make_user, constant):
    # Python's parser takes them; stored, orjson wrote them as null, and a policy whose
    # operand had been NaN could no longer be read (a 500 on every later evaluation).
    make_org("mintrab-gt")
    _, token = make_user("ana", steward="mintrab-gt")
    body = '{"title": {"es": "x"}, "byte_size": ' + constant + "}"
    response = client.post(
        "/api/v1/datasets/enei-2024/distributions",
        data=body,
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert f"{constant} is not a JSON number" in response.json["detail"]


def test_an_address_longer_than_8192_characters_is_a_400(client):
    # Links echo the query: a 100,000-character q made a 200 KB Link header.
    response = client.get("/api/v1/datasets", query_string={"q": "empleo " * 2000})
    assert response.status_code == 400
    assert "longer than 8192" in response.json["detail"]
    assert client.get("/api/v1/datasets", query_string={"q": "empleo " * 1000}).status_code == 200


def test_routing_errors_are_the_catalogs_own_problems(client):
    base = "https://w3id.org/simel/problems/"
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    assert (missing.json["type"], missing.json["title"]) == (base + "not-found", "Not found")
    assert missing.json["detail"] == "nothing here answers to /api/v1/nothing-here"
    wrong_method = client.delete("/api/v1/datasets")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert wrong_method.json["type"] == base + "method-not-allowed"
    assert wrong_method.json["detail"] == (
        "DELETE is not allowed on /api/v1/datasets; use GET, HEAD, OPTIONS, POST"
    )


def test_a_werkzeug_error_raised_with_words_of_its_own_keeps_them(app):
    from werkzeug.exceptions import NotFound

    def gone():
        raise NotFound("the archive moved to the national library")

    app.add_url_rule("/test-gone", "test_gone", gone)
    response = app.test_client().get("/test-gone")
    assert response.status_code == 404
    assert response.json["detail"] == "the archive moved to the national library"
    assert response.json["title"] == "Not found"
