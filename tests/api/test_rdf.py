"""/catalog and /dataset/<name>: content negotiation, visibility, paging, conformance."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF

from catalog import shacl
from catalog.dcat import DCAT, DCT, HYDRA
from catalog.demo import load_demo
from catalog.formats import FORMATS
from catalog.rdfio import parse_rdf
from tests.conftest import BASE_URI, bearer

CATALOG = URIRef(f"{BASE_URI}catalog")


def _graph(response) -> Graph:
    fmt = next(f for f in FORMATS.values() if f.media_type == response.mimetype)
    data = response.get_data()
    # A streamed response holds its request (and database session) until it is closed,
    # as a WSGI server closes it after the last chunk.
    response.close()
    return parse_rdf(data, rdf_format=fmt.rdflib)


def _datasets(graph: Graph) -> set[str]:
    return {str(d).rsplit("/", 1)[-1] for d in graph.objects(CATALOG, DCAT.dataset)}


@pytest.fixture
def catalog_data(make_org, make_user, make_dataset, session):
    make_org("mintrab-gt")
    make_org("igm-gt")
    make_dataset("enei-2024")
    make_dataset("retornados", publisher="igm-gt", themes=["labour-migration"])
    make_dataset("borrador", publish=False)
    _, steward = make_user("ana", steward="mintrab-gt")
    _, other = make_user("luis", steward="igm-gt")
    return {"steward": steward, "other": other}


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "text/turtle"),
        ("*/*", "text/turtle"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/n-triples", "application/n-triples"),
        ("text/html;q=0.9, application/rdf+xml;q=0.5, text/turtle;q=0.4", "application/rdf+xml"),
        ("application/*", "application/ld+json"),
    ],
)
def test_content_negotiation(client, catalog_data, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    for path in ("/catalog", "/dataset/enei-2024"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200
        assert response.mimetype == media_type
        assert response.headers["Vary"] == "Accept"
        graph = _graph(response)
        assert (URIRef(f"{BASE_URI}dataset/enei-2024"), RDF.type, DCAT.Dataset) in graph


@pytest.mark.parametrize("suffix", ["ttl", "jsonld", "rdf", "nt"])
def test_suffixes_choose_the_serialization(client, catalog_data, suffix):
    fmt = next(f for f in FORMATS.values() if f.suffix == suffix)
    for path in (f"/catalog.{suffix}", f"/dataset/enei-2024.{suffix}"):
        # The suffix wins over the Accept header.
        response = client.get(path, headers={"Accept": "text/turtle;q=0.1"})
        assert response.status_code == 200
        assert response.mimetype == fmt.media_type
        assert "Vary" not in response.headers
        assert len(_graph(response)) > 20
        # So does ?format= (a browser's link cannot set Accept).
        query = {"format": suffix.upper() if suffix == "nt" else suffix}
        path = path.removesuffix(f".{suffix}")
        response = client.get(path, query_string=query, headers={"Accept": "text/turtle"})
        assert response.status_code == 200
        assert response.mimetype == fmt.media_type
        assert "Vary" not in response.headers
        assert len(_graph(response)) > 20


@pytest.mark.parametrize("path", ["/catalog?format=nt&page_size=1", "/catalog.nt?page_size=1"])
def test_paging_links_keep_the_format(client, catalog_data, path):
    response = client.get(path)
    assert response.mimetype == "application/n-triples"
    graph = _graph(response)
    nexts = set(graph.objects(None, URIRef("http://www.w3.org/ns/hydra/core#next")))
    assert nexts, "a paged catalog links to its next page"
    for link in nexts:
        assert str(link).count("format=nt") == 1
        assert client.get(str(link)).mimetype == "application/n-triples"


def test_what_cannot_be_produced_is_406(client, catalog_data):
    for path in ("/catalog", "/dataset/enei-2024"):
        response = client.get(path, headers={"Accept": "text/html, application/pdf"})
        assert response.status_code == 406
        assert response.mimetype == "application/problem+json"
        assert response.json["type"].endswith("/not-acceptable")
        assert "text/turtle" in response.json["acceptable"]
        response = client.get(path, query_string={"format": "xlsx"})
        assert response.status_code == 406
        assert response.json["detail"] == (
            "'xlsx' is not available here; use one of ttl, jsonld, rdf, nt"
        )
        both = client.get(path, query_string=[("format", "ttl"), ("format", "xlsx")])
        assert both.status_code == 400
    assert client.get("/catalog.xlsx").status_code == 404


def test_only_what_the_caller_may_see_is_exported(client, catalog_data):
    anonymous = _datasets(_graph(client.get("/catalog")))
    assert anonymous == {"enei-2024", "retornados"}
    steward = _datasets(_graph(client.get("/catalog", headers=bearer(catalog_data["steward"]))))
    assert steward == {"enei-2024", "retornados", "borrador"}
    other = _datasets(_graph(client.get("/catalog", headers=bearer(catalog_data["other"]))))
    assert other == {"enei-2024", "retornados"}
    assert client.get("/dataset/borrador").status_code == 404
    assert client.get("/dataset/borrador", headers=bearer(catalog_data["other"])).status_code == 404
    own = client.get("/dataset/borrador.ttl", headers=bearer(catalog_data["steward"]))
    assert own.status_code == 200
    # A draft says so: whoever harvests with a steward's token must not take it as published.
    status = URIRef("http://purl.org/adms/status/UnderDevelopment")
    adms_status = URIRef("http://www.w3.org/ns/adms#status")
    for graph in (
        _graph(own),
        _graph(client.get("/catalog", headers=bearer(catalog_data["steward"]))),
    ):
        assert graph.value(URIRef(f"{BASE_URI}dataset/borrador"), adms_status) == status
        assert graph.value(URIRef(f"{BASE_URI}dataset/enei-2024"), adms_status) is None
        assert graph.value(status, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))


def test_withdrawn_datasets_leave_the_catalog_and_answer_410(client, catalog_data, session):
    from catalog import datasets
    from tests.conftest import SYSTEM

    datasets.withdraw_dataset(session, actor=SYSTEM, name="retornados", reason="Reemplazado")
    assert _datasets(_graph(client.get("/catalog"))) == {"enei-2024"}
    gone = client.get("/dataset/retornados")
    assert gone.status_code == 410
    tombstone = _graph(gone)
    subject = URIRef(f"{BASE_URI}dataset/retornados")
    assert (subject, URIRef("http://www.w3.org/2002/07/owl#deprecated"), None) in tombstone
    assert tombstone.value(subject, DCAT.distribution) is None
    listed = _graph(client.get("/catalog?status=withdrawn"))
    assert _datasets(listed) == {"retornados"}


def test_the_catalog_is_filterable_like_the_json_list(client, catalog_data):
    for query in ("publisher=igm-gt", "theme=employment", "q=encuesta", "country=GTM&sort=name"):
        expected = {d["name"] for d in client.get(f"/api/v1/datasets?{query}").json["items"]}
        assert _datasets(_graph(client.get(f"/catalog?{query}"))) == expected, query
    assert client.get("/catalog?sort=bogus").status_code == 400
    for query in ("page=0", "page=%EF%BC%91", "page_size=%2B5", "page=1&page=2"):
        assert client.get(f"/catalog?{query}").status_code == 400, query


def test_paging_with_a_hydra_partial_collection_view(client, make_org, make_dataset):
    make_org("mintrab-gt")
    for number in range(5):
        make_dataset(f"serie-{number}")
    whole = _graph(client.get("/catalog"))
    assert whole.value(CATALOG, HYDRA.view) is None  # fits in one page: not paged
    seen: list[str] = []
    url = "/catalog?page_size=2&publisher=mintrab-gt"
    pages = 0
    while url:
        graph = _graph(client.get(url))
        pages += 1
        view = graph.value(CATALOG, HYDRA.view)
        assert (view, RDF.type, HYDRA.PartialCollectionView) in graph
        assert int(graph.value(CATALOG, HYDRA.totalItems)) == 5
        assert "publisher=mintrab-gt" in str(graph.value(view, HYDRA.first))
        assert str(graph.value(view, HYDRA.last)).endswith("page=3&page_size=2")
        seen += sorted(_datasets(graph))
        following = graph.value(view, HYDRA.next)
        assert (graph.value(view, HYDRA.previous) is None) == (pages == 1)
        url = str(following).removeprefix(BASE_URI.rstrip("/")) if following else ""
    assert pages == 3
    assert sorted(seen) == [f"serie-{n}" for n in range(5)]
    past = client.get("/catalog?page=4&page_size=2")
    assert past.status_code == 404
    assert client.get("/catalog?page_size=100000").status_code == 400


def test_the_demo_catalog_conforms_to_dcat_ap_3_0_1(client, session, settings):
    """All pages of the demo catalog together: no violation in any shapes file."""
    load_demo(session, storage_root=settings.storage_path, base_uri=settings.catalog.base_uri)
    graph = Graph()
    url = "/catalog.ttl?page_size=12"
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = _graph(response)
        pages += 1
        for triple in page:
            graph.add(triple)
        view = page.value(CATALOG, HYDRA.view)
        following = page.value(view, HYDRA.next) if view is not None else None
        url = str(following).replace(BASE_URI, "/") if following else ""
    assert pages >= 3
    assert len(set(graph.objects(CATALOG, DCAT.dataset))) >= 30
    report = shacl.validate_graph(graph)
    counts = report.counts()
    print("DCAT-AP 3.0.1 findings on the demo catalog:", counts)
    violations = [f for f in report.findings if f.severity == "violation"]
    assert violations == [], violations[:5]
    assert all(counts[key]["violations"] == 0 for key in shacl.SHAPES)
    # Statistical and governance-relevant properties are there.
    assert any(graph.triples((None, URIRef("http://data.europa.eu/m8g/dimension"), None)))
    assert any(graph.triples((None, DCT.accessRights, None)))


def test_dataset_validation_endpoint(client, catalog_data):
    response = client.get("/api/v1/datasets/enei-2024/validation")
    assert response.status_code == 200
    body = response.json
    assert body["conforms"] is True
    assert body["violations"] == 0
    assert body["iri"] == f"{BASE_URI}dataset/enei-2024"
    assert set(body["shapes"]) == set(shacl.SHAPES)
    assert body["warnings"] == sum(1 for r in body["results"] if r["severity"] == "warning")
    assert all(r["message"] for r in body["results"])
    assert client.get("/api/v1/datasets/borrador/validation").status_code == 404


def test_rdf_routes_are_public_with_a_note(app):
    from api.auth import authorization_table

    rows = [row for row in authorization_table(app) if not row["path"].startswith("/api")]
    rdf_rows = [row for row in rows if row["endpoint"].startswith("rdf.")]
    assert len(rdf_rows) == 6
    assert all(row["rule"].public and row["rule"].note for row in rdf_rows)


def test_publisher_iris_resolve_to_the_organization(client, catalog_data):
    graph = _graph(client.get("/dataset/enei-2024.ttl"))
    publisher = graph.value(URIRef(f"{BASE_URI}dataset/enei-2024"), DCTERMS.publisher)
    assert publisher is not None
    assert str(publisher).startswith(BASE_URI)
    for suffix, media_type in (("", "text/turtle"), (".jsonld", "application/ld+json")):
        response = client.get("/" + str(publisher).removeprefix(BASE_URI) + suffix)
        assert response.status_code == 200
        assert response.mimetype == media_type
        agent = _graph(response)
        assert (publisher, RDF.type, FOAF.Organization) in agent
        assert agent.value(publisher, FOAF.name) is not None
        # The same description as the dataset's document gives of its publisher.
        assert set(agent.predicate_objects(publisher)) == set(graph.predicate_objects(publisher))
    missing = client.get("/organization/nadie")
    assert missing.status_code == 404
    assert missing.json["detail"] == "there is no organization named 'nadie'"
