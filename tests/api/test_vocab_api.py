"""The vocabulary endpoints and content negotiation."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS


def test_list_schemes(client):
    body = client.get("/api/v1/vocab").json
    names = {item["name"] for item in body["items"]}
    assert {
        "countries",
        "occupations",
        "activities",
        "migration-concepts",
        "simel-themes",
        "access-rights",
        "frequency",
        "data-themes",
        "file-types",
        "languages",
        "legal-bases",
        "purposes",
    } <= names
    occupations = next(i for i in body["items"] if i["name"] == "occupations")
    assert occupations["concept_count"] == 619


def test_concept_json(client):
    response = client.get("/api/v1/vocab/occupations/7112")
    assert response.status_code == 200
    body = response.json
    assert body["labels"]["es"] == "Albañiles"
    assert body["broader"] == ["711"]
    assert body["iri"] == "http://data.europa.eu/esco/isco/C7112"
    assert response.headers["Cache-Control"].startswith("public")


def test_concept_turtle_and_json_ld(client):
    turtle = client.get("/api/v1/vocab/countries/GTM", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle"
    graph = Graph().parse(data=turtle.data, format="turtle")
    subject = URIRef("http://publications.europa.eu/resource/authority/country/GTM")
    assert (subject, SKOS.prefLabel, Literal("Guatemala", lang="es")) in graph
    jsonld = client.get("/api/v1/vocab/countries/GTM", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"
    again = Graph().parse(data=jsonld.data, format="json-ld")
    assert (subject, SKOS.prefLabel, Literal("Guatemala", lang="es")) in again
    by_param = client.get("/api/v1/vocab/countries/GTM?format=ttl")
    assert by_param.mimetype == "text/turtle"


def test_whole_scheme_as_skos(client):
    response = client.get("/api/v1/vocab/migration-concepts", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.data, format="turtle")
    assert len(set(graph.subjects(SKOS.inScheme, None))) == 21
    as_json = client.get("/api/v1/vocab/migration-concepts").json
    assert len(as_json["concepts"]) == 21


def test_browser_accept_header_gets_json(client):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert (
        client.get("/api/v1/vocab/countries/MEX", headers={"Accept": accept}).mimetype
        == "application/json"
    )


@pytest.mark.parametrize("accept", ["application/pdf", "image/png"])
def test_unproducible_media_type_is_406(client, accept):
    response = client.get("/api/v1/vocab/countries/MEX", headers={"Accept": accept})
    assert response.status_code == 406
    assert response.mimetype == "application/problem+json"
    assert client.get("/api/v1/vocab/countries/MEX?format=pdf").status_code == 406


def test_unknown_scheme_and_code(client):
    assert client.get("/api/v1/vocab/planets").status_code == 404
    response = client.get("/api/v1/vocab/countries/GTX")
    assert response.status_code == 404
    assert "GTM" in response.json["suggestions"]


def test_autocomplete_is_prefix_and_accent_insensitive(client):
    response = client.get("/api/v1/vocab/occupations/search?q=albanil&lang=es")
    codes = [item["code"] for item in response.json["items"]]
    assert codes[0] == "7112"
    assert response.json["items"][0]["label"] == "Albañiles"
    countries = client.get("/api/v1/vocab/countries/search?q=mexi").json["items"]
    assert countries[0]["code"] == "MEX"
    assert client.get("/api/v1/vocab/countries/search").status_code == 400
    assert client.get("/api/v1/vocab/countries/search?q=a&limit=x").status_code == 400
    for limit in ("0", "-1", "51", "%EF%BC%95"):
        response = client.get(f"/api/v1/vocab/countries/search?q=a&limit={limit}")
        assert response.status_code == 400, limit
        assert "limit" in response.json["detail"]
    assert len(client.get("/api/v1/vocab/occupations/search?q=a&limit=50").json["items"]) == 50
    assert len(client.get("/api/v1/vocab/occupations/search?q=a&limit=3").json["items"]) == 3


def test_json_ld_is_valid_json(client):
    response = client.get("/api/v1/vocab/simel-themes/employment?format=jsonld")
    assert isinstance(json.loads(response.data), (list, dict))
