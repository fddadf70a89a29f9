"""Quality in the dataset JSON, as a sort and a filter (both search backends)."""

from __future__ import annotations

import pytest

from catalog import quality


@pytest.fixture
def scored(make_org, make_dataset, session):
    from catalog import datasets
    from tests.conftest import SYSTEM, dataset_document

    make_org("mintrab-gt")
    make_dataset("completo")
    document = dataset_document("sin-contacto", keywords={})
    del document["contact_point"]
    datasets.create_dataset(session, actor=SYSTEM, document=document, publish=True)
    make_dataset("minimo", keywords={}, themes=[], spatial=[], temporal=[])
    make_dataset("borrador", publish=False)


def test_quality_is_in_the_dataset_json(client, scored):
    body = client.get("/api/v1/datasets/completo").json
    assert body["quality"]["max_score"] == quality.MAX_SCORE
    assert body["quality"]["rating"] in {"excellent", "good", "sufficient", "bad"}
    assert set(body["quality"]["dimensions"]) == set(quality.DIMENSIONS)


@pytest.mark.parametrize("q", [None, "encuesta"])
def test_sort_by_quality_and_filter_by_minimum(client, scored, q):
    text = f"&q={q}" if q else ""
    items = client.get(f"/api/v1/datasets?sort=quality{text}").json["items"]
    scores = [item["quality"]["score"] for item in items]
    assert scores == sorted(scores, reverse=True)
    assert items[0]["name"] == "completo"
    middle = sorted(scores)[1]
    page = client.get(f"/api/v1/datasets?min_quality={middle}{text}").json
    assert {item["name"] for item in page["items"]} == {
        item["name"] for item in items if item["quality"]["score"] >= middle
    }
    assert page["total"] == len(page["items"])
    assert page["facets"]["publisher"][0]["count"] == page["total"]


def test_bad_quality_parameters(client, scored):
    assert client.get("/api/v1/datasets?min_quality=abc").status_code == 400
    assert client.get(f"/api/v1/datasets?min_quality={quality.MAX_SCORE + 1}").status_code == 400
    assert client.get("/api/v1/datasets?sort=best").status_code == 400


def test_catalog_quality_endpoint(client, scored):
    body = client.get("/api/v1/quality").json
    assert body["datasets"] == 3  # the draft is not listed to the public
    assert body["max_score"] == quality.MAX_SCORE
    assert 0 < body["percent"] <= 100
