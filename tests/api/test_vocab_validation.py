"""Dataset fields that take codes are checked against the vocabularies."""

from __future__ import annotations

import pytest

from tests.conftest import bearer, dataset_document


@pytest.fixture
def steward(make_org, make_user):
    make_org("mintrab-gt")
    _, token = make_user("ana", steward="mintrab-gt")
    return token


def post(client, token, document):
    return client.post("/api/v1/datasets", json=document, headers=bearer(token))


@pytest.mark.parametrize(
    ("overrides", "pointer", "scheme", "suggestion"),
    [
        ({"spatial": ["GTX"]}, "/spatial/0", "countries", "GTM"),
        ({"spatial": ["GT"]}, "/spatial/0", "countries", None),
        ({"themes": ["migracion-laboral"]}, "/themes/0", "simel-themes", "labour-migration"),
        ({"accrual_periodicity": "ANUAL"}, "/accrual_periodicity", "frequency", "ANNUAL"),
        ({"languages": ["SPN"]}, "/languages/0", "languages", "SPA"),
        (
            {"labour_migration": {"occupations": ["9999"]}},
            "/labour_migration/occupations/0",
            "occupations",
            None,
        ),
        (
            {"labour_migration": {"economic_activities": ["Z"]}},
            "/labour_migration/economic_activities/0",
            "activities",
            None,
        ),
        (
            {"labour_migration": {"statistical_population": ["border-workers"]}},
            "/labour_migration/statistical_population/0",
            "migration-concepts",
            "frontier-workers",
        ),
        (
            {"labour_migration": {"collection_method": "encuesta"}},
            "/labour_migration/collection_method",
            "collection-methods",
            None,
        ),
        (
            {
                "labour_migration": {
                    "migration_corridors": [{"origin": "GTM", "destination": "USX"}]
                }
            },
            "/labour_migration/migration_corridors/0/destination",
            "countries",
            "USA",
        ),
    ],
)
def test_unknown_code_is_422_naming_field_code_and_scheme(
    client, steward, overrides, pointer, scheme, suggestion
):
    response = post(client, steward, dataset_document(**overrides))
    assert response.status_code == 422
    errors = [e for e in response.json["errors"] if e["pointer"] == pointer]
    assert errors, response.json
    (error,) = errors
    assert error["scheme"] == scheme
    assert error["code"] in error["detail"]
    if suggestion:
        assert suggestion in error["suggestions"]


def test_non_canonical_spelling_suggests_the_canonical_code(client, steward):
    response = post(client, steward, dataset_document(spatial=["GTM", "MX"]))
    (error,) = response.json["errors"]
    assert error["pointer"] == "/spatial/1"
    assert error["suggestions"] == ["MEX"]


def test_eu_data_themes_are_accepted_too(client, steward):
    assert (
        post(client, steward, dataset_document(themes=["ECON", "labour-migration"])).status_code
        == 201
    )


def test_every_error_is_reported_at_once(client, steward):
    response = post(client, steward, dataset_document(spatial=["XXX"], themes=["nope"], title=""))
    pointers = {e["pointer"] for e in response.json["errors"]}
    assert pointers == {"/spatial/0", "/themes/0", "/title"}


def test_distribution_format_is_checked(client, steward, make_dataset):
    make_dataset("enei-2024")
    response = client.post(
        "/api/v1/datasets/enei-2024/distributions",
        json={"title": {"es": "x"}, "download_url": "https://example.org/x", "format": "EXCEL"},
        headers=bearer(steward),
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["scheme"] == "file-types"


def test_organization_country_is_checked(client, make_org, make_user):
    make_org("sisca", country="SLV", kind="regional-body")
    _, admin = make_user("root", admin="sisca")
    response = client.post(
        "/api/v1/organizations",
        json={"name": "x", "acronym": "X", "country": "XYZ", "kind": "other", "title": {"es": "X"}},
        headers=bearer(admin),
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["pointer"] == "/country"


def test_import_reports_codes_with_record_pointers(session, make_org):
    from catalog.errors import InvalidMetadata
    from catalog.importer import import_datasets
    from tests.conftest import SYSTEM

    make_org("mintrab-gt")
    with pytest.raises(InvalidMetadata) as caught:
        import_datasets(
            session,
            actor=SYSTEM,
            records=[dataset_document("a"), dataset_document("b", spatial=["ZZZ"])],
        )
    assert [e.pointer for e in caught.value.errors] == ["/1/spatial/0"]
