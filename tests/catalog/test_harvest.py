"""Harvesting DCAT: mapping, round trip, idempotence, reports, and the safety rules."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import text
from sqlmodel import select

from catalog import audit, dcat, sdmx
from catalog.datasets import changes_between, list_distributions
from catalog.db import Database
from catalog.demo import load_demo
from catalog.errors import (
    BadRequest,
    Forbidden,
    InvalidMetadata,
    PayloadTooLarge,
    SourceUnavailable,
)
from catalog.formats import FORMATS
from catalog.harvest import dcat as harvester
from catalog.harvest.fetch import check_url, host_allowed
from catalog.models import AuditEvent, Dataset, DatasetRevision, Distribution, HarvestRecord
from catalog.principals import Principal
from catalog.search import search_index
from catalog.settings import HarvestSettings, Settings
from tests.conftest import SYSTEM, write_from_another_session

SOURCE = "https://source.example/"


def _settings(settings: Settings, **harvest) -> Settings:
    """The test settings as another catalog (base_uri) with harvest limits."""
    return settings.model_copy(
        update={
            "catalog": settings.catalog.model_copy(update={"base_uri": "http://harvester.test/"}),
            "harvest": HarvestSettings(**harvest),
        }
    )


def _harvest(session, settings, data, media_type="text/turtle", **kwargs):
    return harvester.harvest_dcat(
        session,
        actor=SYSTEM,
        settings=_settings(settings),
        data=data.encode() if isinstance(data, str) else data,
        media_type=media_type,
        source=kwargs.pop("source", SOURCE + "catalog"),
        **kwargs,
    )


PREFIXES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <http://schema.org/> .
@prefix spdx: <http://spdx.org/rdf/terms#> .
@prefix eu: <http://publications.europa.eu/resource/authority/> .
"""

FOREIGN = (
    PREFIXES
    + """
<https://source.example/catalog> a dcat:Catalog ;
    dct:title "Portal regional" ;
    dct:publisher <https://source.example/org/mintrab> ;
    dcat:dataset <https://source.example/dataset/empleo-2024>,
        <https://source.example/dataset/sin-editor> .

<https://source.example/org/mintrab> a foaf:Organization ;
    foaf:name "Institución mintrab-gt"@es ;
    foaf:homepage <https://mintrab.example> .

<https://source.example/dataset/empleo-2024> a dcat:Dataset ;
    dct:title "Empleo 2024"@es, "Employment 2024"@en ;
    dct:description "Indicadores de empleo." ;
    dcat:keyword "empleo"@es, "employment"@en ;
    dcat:theme <http://publications.europa.eu/resource/authority/data-theme/ECON>,
        <http://example.org/other-vocabulary/x> ;
    dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> ;
    dct:spatial <http://publications.europa.eu/resource/authority/country/GTM>,
        <https://sws.geonames.org/3595528/> ;
    dct:temporal [ a dct:PeriodOfTime ; schema:startDate "2024"^^xsd:gYear ;
        schema:endDate "2024-06"^^xsd:gYearMonth ] ;
    dct:accrualPeriodicity <http://purl.org/cld/freq/monthly> ;
    dct:language "es" ;
    dcat:contactPoint [ vcard:fn "Estadística" ; vcard:hasEmail "datos@source.example" ] ;
    dcat:distribution [
        a dcat:Distribution ;
        dct:title "CSV" ;
        dcat:downloadURL <https://source.example/files/empleo.csv> ;
        dct:format "csv" ;
        dcat:mediaType "text/csv" ;
        dcat:byteSize "2048"^^xsd:decimal ;
        dct:license <http://creativecommons.org/licenses/by/4.0/>
    ], [
        a dcat:Distribution ;
        dcat:accessURL <ftp://source.example/old> ;
        dct:title "FTP"
    ] .

<https://source.example/dataset/sin-editor> a dcat:Dataset ;
    dct:title "Sin editor"@es ;
    dct:description "Publicado por nadie que conozcamos."@es ;
    dct:publisher <https://unknown.example/org> .
"""
)


@pytest.fixture
def org(make_org):
    return make_org("mintrab-gt", homepage="https://www.mintrab.example/")


def test_a_foreign_catalog_is_mapped_and_reported(session, settings, org):
    report = _harvest(session, settings, FOREIGN)
    assert report.created == ["empleo-2024"]
    assert [record.iri for record in report.skipped] == [
        "https://source.example/dataset/sin-editor"
    ]
    (error,) = report.skipped[0].errors
    assert error.pointer == "/publisher"
    assert "https://unknown.example/org" in error.detail
    warnings = " ".join(w["detail"] for w in report.warnings)
    assert "other-vocabulary" in warnings
    assert "geonames" in warnings
    assert "ftp" in warnings
    dataset = session.exec(select(Dataset).where(Dataset.name == "empleo-2024")).one()
    document = dataset.document
    assert document["publisher"] == "mintrab-gt"  # by homepage
    assert document["title"] == {"es": "Empleo 2024", "en": "Employment 2024"}
    assert document["description"] == {"es": "Indicadores de empleo."}
    assert document["themes"] == ["ECON"]
    assert document["spatial"] == ["GTM"]
    assert document["temporal"] == [{"start": "2024-01-01", "end": "2024-06-30"}]
    assert document["accrual_periodicity"] == "MONTHLY"
    assert document["languages"] == ["SPA"]
    assert document["contact_point"] == {"name": "Estadística", "email": "datos@source.example"}
    assert document["personal_data"] == "none"
    (distribution,) = list_distributions(session, dataset)
    assert distribution.document == {
        "title": {"es": "CSV"},
        "download_url": "https://source.example/files/empleo.csv",
        "format": "CSV",
        "media_type": "text/csv",
        "byte_size": 2048,
        "license": "http://creativecommons.org/licenses/by/4.0/",
    }
    record = session.exec(select(HarvestRecord)).one()
    assert record.original_iri == "https://source.example/dataset/empleo-2024"
    assert record.source_catalog == "https://source.example/catalog"
    assert dataset.quality_score > 0
    # The harvested dataset is searchable and audited like any other.
    assert search_index(session).raw_match(session, _parsed("indicadores"), 10)
    actions = {event.action for event in audit.verify_chain(session) and _events(session)}
    assert {"dataset.create", "harvest.dcat"} <= actions


def _parsed(words):
    from catalog.search import parse_query

    return parse_query(words)


def _events(session):
    from catalog.models import AuditEvent

    return session.exec(select(AuditEvent)).all()


def test_a_second_run_updates_and_never_duplicates(session, settings, org):
    _harvest(session, settings, FOREIGN)
    again = _harvest(session, settings, FOREIGN)
    assert again.created == []
    assert again.updated == []
    assert again.unchanged == ["empleo-2024"]
    changed = FOREIGN.replace('"Indicadores de empleo."', '"Indicadores revisados."')
    third = _harvest(session, settings, changed)
    assert third.updated == ["empleo-2024"]
    assert session.exec(select(Dataset)).all().__len__() == 1
    dataset = session.exec(select(Dataset)).one()
    assert dataset.description == {"es": "Indicadores revisados."}
    assert dataset.revision == 2
    revisions = session.exec(
        select(DatasetRevision.action).where(DatasetRevision.dataset_id == dataset.id)
    ).all()
    assert sorted(revisions) == ["harvest.create", "harvest.update"]
    assert len(session.exec(select(Distribution)).all()) == 1


def test_strict_harvests_nothing_when_a_record_fails(session, settings, org):
    with pytest.raises(InvalidMetadata) as caught:
        _harvest(session, settings, FOREIGN, strict=True)
    assert caught.value.errors[0].extra["iri"] == "https://source.example/dataset/sin-editor"
    assert session.exec(select(Dataset)).all() == []


def test_an_explicit_publisher_mapping(session, settings, org, make_org):
    make_org("igm-gt")
    report = _harvest(
        session, settings, FOREIGN, publishers={"https://unknown.example/org": "igm-gt"}
    )
    assert sorted(report.created) == ["empleo-2024", "sin-editor"]
    with pytest.raises(InvalidMetadata, match="unknown organizations"):
        _harvest(session, settings, FOREIGN, publishers={"x": "nobody"})


def test_invalid_records_are_skipped_whole(session, settings, org):
    # The keyword is too long for our schema only after mapping... use a bad checksum
    # of a valid record and an invalid title: the record fails validation as a whole.
    bad = FOREIGN.replace('dct:title "Sin editor"@es ;', 'dct:title ""@es ;').replace(
        "<https://unknown.example/org>", "<https://source.example/org/mintrab>"
    )
    report = _harvest(session, settings, bad)
    skipped = {record.iri: record.errors for record in report.skipped}
    assert "https://source.example/dataset/sin-editor" in skipped
    assert any(e.pointer == "/title" for e in skipped["https://source.example/dataset/sin-editor"])
    assert report.created == ["empleo-2024"]
    names = set(session.exec(select(Dataset.name)).all())
    assert names == {"empleo-2024"}


@pytest.mark.parametrize(
    ("end", "temporal"),
    [
        ('"2024-02"^^xsd:gYearMonth', [{"start": "2024-01-01", "end": "2024-02-29"}]),
        ('"2024-13"^^xsd:gYearMonth', [{"start": "2024-01-01"}]),  # no such month: left out
    ],
)
def test_a_year_and_month_ends_on_its_last_day(session, settings, org, end, temporal):
    source = FOREIGN.replace('"2024-06"^^xsd:gYearMonth', end)
    report = _harvest(session, settings, source)
    assert report.created == ["empleo-2024"]
    dataset = session.exec(select(Dataset).where(Dataset.name == "empleo-2024")).one()
    assert dataset.document["temporal"] == temporal


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("UnderDevelopment", "a draft at the source (adms:status UnderDevelopment), not published"),
        ("Withdrawn", "withdrawn at the source"),
    ],
)
def test_records_the_source_does_not_publish_are_skipped(session, settings, org, status, reason):
    # A SIMEL catalog read with a steward's token marks its drafts UnderDevelopment.
    marked = FOREIGN.replace(
        'dct:title "Empleo 2024"@es,',
        f"<http://www.w3.org/ns/adms#status> <http://purl.org/adms/status/{status}> ;"
        ' dct:title "Empleo 2024"@es,',
    )
    report = _harvest(session, settings, marked)
    assert report.created == []
    (record,) = [r for r in report.skipped if r.iri.endswith("/empleo-2024")]
    assert [e.detail for e in record.errors] == [reason]


def test_a_date_past_the_catalog_calendar_skips_the_record(session, settings, org):
    # December 9999 used to be computed from January 10000: a crash, not a report.
    report = _harvest(session, settings, FOREIGN.replace('"2024-06"', '"9999-12"'))
    assert report.created == []
    (record,) = [r for r in report.skipped if r.iri.endswith("/empleo-2024")]
    assert [e.pointer for e in record.errors] == ["/temporal/0/end"]


def test_unstorable_values_skip_their_record_and_nothing_else(session, settings, org):
    # NUL in a dataset's IRI or text cannot be stored on PostgreSQL (the write failed
    # with a 500); a byte size of INF could not be made an integer.
    source = (
        FOREIGN.replace('"2048"^^xsd:decimal', '"INF"^^xsd:double')
        .replace('dct:title "Sin editor"@es', 'dct:title "Sin\\u0000editor"@es')
        .replace("<https://unknown.example/org>", "<https://source.example/org/mintrab>")
    )
    source += """
<https://source.example/dataset/nul\\u0000iri> a dcat:Dataset ;
    dct:title "Con IRI"@es ;
    dct:description "El IRI tiene NUL."@es ;
    dct:publisher <https://source.example/org/mintrab> .
<https://source.example/dataset/%s> a dcat:Dataset ;
    dct:title "IRI largo"@es ;
    dct:description "El IRI no cabe en su columna."@es ;
    dct:publisher <https://source.example/org/mintrab> .
""" % ("x" * 2000)
    report = _harvest(session, settings, source)
    assert report.created == ["empleo-2024"]
    skipped = {record.iri: record.errors for record in report.skipped}
    assert [e.pointer for e in skipped["https://source.example/dataset/sin-editor"]] == [
        "/title/es"
    ]
    (nul_iri,) = [errors for iri, errors in skipped.items() if "\x00" in iri]
    assert [e.pointer for e in nul_iri] == ["/@id"]
    (long_iri,) = [errors for iri, errors in skipped.items() if len(iri) > 2000]
    assert [e.detail for e in long_iri] == ["longer than 2000 characters"]
    dataset = session.exec(select(Dataset).where(Dataset.name == "empleo-2024")).one()
    assert "byte_size" not in list_distributions(session, dataset)[0].document


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ('"123456789012345678"^^xsd:decimal', 123456789012345678),  # exact, not via float
        ('"1e3"^^xsd:double', 1000),
        ('"1e999999999"^^xsd:double', None),  # a billion digits: left out, not computed
        ('"NaN"^^xsd:double', None),
    ],
)
def test_byte_sizes_are_read_exactly(session, settings, org, size, expected):
    _harvest(session, settings, FOREIGN.replace('"2048"^^xsd:decimal', size))
    dataset = session.exec(select(Dataset).where(Dataset.name == "empleo-2024")).one()
    assert list_distributions(session, dataset)[0].document.get("byte_size") == expected


def test_a_failed_write_leaves_nothing_behind(session, settings, org, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record_many", explode)
    with pytest.raises(RuntimeError):
        _harvest(session, settings, FOREIGN)
    assert session.exec(select(Dataset)).all() == []
    assert session.exec(select(HarvestRecord)).all() == []
    assert session.exec(select(Distribution)).all() == []


def test_only_administrators_harvest(session, settings, org, make_user):
    user, _ = make_user("ana", steward="mintrab-gt")
    principal = Principal(kind="user", name="ana", user_id=user.id, scopes=None)
    with pytest.raises(Forbidden):
        harvester.harvest_dcat(
            session,
            actor=principal,
            settings=_settings(settings),
            data=b"",
            media_type="text/turtle",
        )


# ----------------------------------------------------------------------- round trip


def _effective_document(session, dataset):
    """The document as the catalog describes the dataset: with its SDMX structure's parts.

    A dataset linked to a stored SDMX structure takes its dimensions, attributes and
    dataflow from it; a catalog harvesting the export (without that structure) keeps
    them in the document instead.
    """
    dimensions, attributes, urn = sdmx.statistical_components(session, dataset)
    if urn is None and not dimensions:
        return dataset.document
    document = deepcopy(dataset.document)
    profile = document.setdefault("labour_migration", {})

    def component(c):
        # SDMX concept URNs are not http(s) IRIs, which is what the document admits.
        iri = {"iri": c.iri} if c.iri.startswith(("http://", "https://")) else {}
        return {"code": c.id, **iri, **({"label": dict(c.label)} if c.label else {})}

    profile["dimensions"] = [component(c) for c in dimensions]
    profile["attributes"] = [component(c) for c in attributes]
    if urn is not None:
        agency, rest = urn.split("=", 1)[1].split(":", 1)
        flow_id, version = rest[:-1].split("(")
        profile["sdmx_dataflow"] = {"agency": agency, "id": flow_id, "version": version}
    return document


def test_round_trip_of_the_demo_catalog_field_by_field(session, settings):
    """Export the demo as DCAT, harvest it into a catalog without datasets: same datasets."""
    load_demo(session, storage_root=settings.storage_path, base_uri=settings.catalog.base_uri)
    published = session.exec(select(Dataset).where(Dataset.status == "published")).all()
    before = {
        dataset.name: (
            _effective_document(session, dataset),
            [d.document for d in list_distributions(session, dataset)],
            dataset.quality_score,
        )
        for dataset in published
    }
    export = dcat.export_catalog(
        session,
        actor=Principal.anonymous(),
        settings=settings,
        fmt=FORMATS["turtle"],
        query=dcat.CatalogQuery(paged=False),
    )
    data = "".join(export.chunks)
    # Empty the catalog of datasets; the organizations stay (publishers are not created).
    ids = list(session.exec(select(Dataset.id)).all())
    search_index(session).remove(session, ids)
    # The demo's requests and agreements name datasets: they go first.
    for table in (
        "agreement_signature",
        "agreement_dataset",
        "agreement_party",
        "sharing_agreement",
        "access_request_item",
        "access_request",
    ):
        session.execute(text(f"DELETE FROM {table}"))
    session.execute(text("DELETE FROM dataset"))
    session.commit()
    report = _harvest(session, settings, data, source=f"{settings.catalog.base_uri}catalog")
    assert report.skipped == []
    assert sorted(report.created) == sorted(before)
    after = {dataset.name: dataset for dataset in session.exec(select(Dataset)).all()}
    assert set(after) == set(before)
    # What cannot travel: where our gateway keeps a file, and whether only it serves it.
    local = {"storage_key", "restricted", "access_url", "download_url"}
    for name, (document, distributions, score) in before.items():
        dataset = after[name]
        differences = changes_between(
            dcat.canonical_document(document), dcat.canonical_document(dataset.document)
        )
        assert differences == [], (name, differences)
        harvested = [d.document for d in list_distributions(session, dataset)]
        assert len(harvested) == len(distributions), name
        for original, copy in zip(distributions, harvested, strict=True):
            assert {k: v for k, v in copy.items() if k not in local} == {
                k: v for k, v in original.items() if k not in local
            }, name
            # Files the source's gateway served are now reached at the source.
            assert copy.get("access_url") or copy.get("download_url")
            if original.get("restricted"):
                assert "download_url" not in copy
        # Restricted files' download could not be counted by the source either way.
        assert dataset.quality_score == score, name
    records = session.exec(select(HarvestRecord)).all()
    assert len(records) == len(before)
    assert all(r.original_iri.startswith(f"{settings.catalog.base_uri}dataset/") for r in records)


@pytest.mark.parametrize("name", ["jsonld", "rdfxml", "ntriples"])
def test_every_serialization_harvests_the_same(session, settings, org, make_dataset, name):
    make_dataset(
        "enei-2024",
        labour_migration={
            "dimensions": [{"code": "SEX", "label": {"es": "Sexo"}}],
            "num_series": 4,
            "sdmx_dataflow": {"agency": "INE", "id": "DF_X", "version": "1.0"},
            "quality_annotations": [{"text": {"es": "Muestra"}}],
        },
    )
    original = session.exec(select(Dataset)).one().document
    export = dcat.export_catalog(
        session,
        actor=Principal.anonymous(),
        settings=settings,
        fmt=FORMATS[name],
        query=dcat.CatalogQuery(paged=False),
    )
    data = "".join(export.chunks)
    session.execute(text("DELETE FROM harvest_record"))
    other = _settings(settings)
    report = harvester.harvest_dcat(
        session,
        actor=SYSTEM,
        settings=other,
        data=data.encode(),
        media_type=FORMATS[name].media_type,
        source="http://catalog.test/catalog",
    )
    (created,) = report.created
    assert created != "enei-2024"  # the name was taken: a suffix from the IRI's hash
    copy = session.exec(select(Dataset).where(Dataset.name == created)).one().document
    assert dcat.canonical_document({**copy, "name": "enei-2024"}) == dcat.canonical_document(
        original
    )


def test_our_own_datasets_are_not_harvested_back(session, settings, org, make_dataset):
    make_dataset("enei-2024")
    export = dcat.export_catalog(
        session,
        actor=Principal.anonymous(),
        settings=settings,
        fmt=FORMATS["turtle"],
        query=dcat.CatalogQuery(paged=False),
    )
    report = harvester.harvest_dcat(
        session, actor=SYSTEM, settings=settings, data="".join(export.chunks).encode()
    )
    assert report.created == []
    assert "this catalog's datasets" in report.skipped[0].errors[0].detail


# --------------------------------------------------------------------------- safety

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="https://source.example/x"><dct:title>&secret;</dct:title>
  </rdf:Description>
</rdf:RDF>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="https://source.example/x"><dct:title>&lol3;</dct:title>
  </rdf:Description>
</rdf:RDF>"""


@pytest.mark.parametrize("document", [XXE, LAUGHS])
def test_rdf_xml_with_entities_is_refused(session, settings, org, document):
    with pytest.raises(BadRequest, match="DTD or entities"):
        _harvest(session, settings, document, media_type="application/rdf+xml")


def test_json_ld_never_loads_a_remote_context(session, settings, org, monkeypatch):
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("the harvester tried to fetch a context")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    remote = b'{"@context": "https://evil.example/context.jsonld", "@id": "https://x", "t": 1}'
    with pytest.raises(BadRequest, match="remote context"):
        _harvest(session, settings, remote, media_type="application/ld+json")
    imported = b'{"@context": {"@import": "https://evil.example/c.jsonld"}, "@id": "https://x"}'
    with pytest.raises(BadRequest, match="@import"):
        _harvest(session, settings, imported, media_type="application/ld+json")
    nested = b'{"@context": {}, "@graph": [{"@context": "https://evil.example/c", "@id": "x"}]}'
    with pytest.raises(BadRequest, match="remote context"):
        _harvest(session, settings, nested, media_type="application/ld+json")
    # The ODRL context is held locally and may be named.
    odrl = (
        b'{"@context": "http://www.w3.org/ns/odrl.jsonld", "uid": "https://x/p", "@type": "Offer"}'
    )
    report = _harvest(session, settings, odrl, media_type="application/ld+json")
    assert report.datasets == 0


def test_documents_over_the_size_limit_are_refused(session, settings, org, tmp_path):
    small = _settings(settings, max_bytes=1024)
    with pytest.raises(PayloadTooLarge):
        harvester.harvest_dcat(
            session, actor=SYSTEM, settings=small, data=b"#" * 2000, media_type="text/turtle"
        )
    big = tmp_path / "big.ttl"
    big.write_bytes(b"#" * 2000)
    with pytest.raises(PayloadTooLarge):
        harvester.harvest_dcat(
            session, actor=SYSTEM, settings=small, source=str(big), allow_files=True
        )
    with pytest.raises(BadRequest, match="CLI"):
        harvester.harvest_dcat(session, actor=SYSTEM, settings=small, source=str(big))


def test_malformed_rdf_is_a_bad_request(session, settings, org):
    with pytest.raises(BadRequest, match="not valid turtle") as caught:
        _harvest(session, settings, "this is not turtle <")
    # Where and what, in words: rdflib's own text quoted the document as Python bytes.
    turtle = '@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:d ex:e "sin cerrar\n'
    with pytest.raises(BadRequest) as unterminated:
        _harvest(session, settings, turtle)
    assert unterminated.value.detail == (
        "the document is not valid turtle: newline found in string literal at line 3,"
        " column 22: 'ex:d ex:e \"sin cerrar'"
    )
    assert "b'" not in caught.value.detail


@pytest.mark.parametrize(
    ("document", "where"),
    [
        # Accented letters before the error: the parser counts characters, not bytes.
        (
            "@prefix ex: <http://e/> .\n# " + "ñ" * 39 + '\n\n\nex:a ex:b "sin cerrar\n',
            "at line 5, column 22: 'ex:a ex:b \"sin cerrar'",
        ),
        # Some errors carry the line only.
        (
            "@prefix ex: <http://e/> .\nex:canción ex:b ex:c ; <<< .\n",
            "at line 2: 'ex:canción ex:b ex:c ; <<< .'",
        ),
    ],
)
def test_syntax_errors_point_at_the_right_line(document, where):
    from catalog.rdfio import parse_rdf

    with pytest.raises(BadRequest) as caught:
        parse_rdf(document.encode(), rdf_format="turtle")
    assert caught.value.detail.endswith(where)


def test_the_host_allowlist():
    assert host_allowed("data.example.org", ("data.example.org",))
    assert host_allowed("DATA.example.org.", ("data.example.org",))
    assert not host_allowed("evil-data.example.org", ("data.example.org",))
    assert host_allowed("a.example.org", ("*.example.org",))
    assert not host_allowed("example.org", ("*.example.org",))
    assert not host_allowed("example.org.evil.test", ("*.example.org",))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "only http"),
        ("ftp://data.example.org/x", "only http"),
        ("https://other.example.org/catalog", "allowed_hosts"),
        ("https://user:pw@data.example.org/catalog", "credentials"),
        ("https://data.example.org/catalog?api_key=abc", r"may not carry secrets \(api_key\)"),
        ("https://data.example.org/c?page=2&Access_Token=x&sig=y", r"\(Access_Token, sig\)"),
        ("http://127.0.0.1/catalog", "private or local"),
        ("http://localhost/catalog", "private or local"),
        ("http://10.0.0.8/catalog", "private or local"),
        ("http://169.254.169.254/latest/meta-data", "private or local"),
        ("http://[::1]/catalog", "private or local"),
    ],
)
def test_outbound_urls_obey_the_rules(url, message):
    rules = HarvestSettings(
        allowed_hosts=(
            "data.example.org",
            "127.0.0.1",
            "localhost",
            "10.0.0.8",
            "169.254.169.254",
            "::1",
        )
    )
    with pytest.raises(Forbidden, match=message):
        check_url(url, rules)


# ------------------------------------------------------------------ over the network


class _Server:
    """A local HTTP server answering from a table: path -> (status, headers, body)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[str] = []
        routes, requests = self.routes, self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                status, headers, body = routes.get(self.path, (404, {}, b"no"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers and status != 299:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server() -> Iterator[_Server]:
    running = _Server()
    yield running
    running.close()


def _local(settings: Settings, **extra) -> Settings:
    return _settings(
        settings,
        allowed_hosts=("127.0.0.1",),
        allow_private_addresses=True,
        timeout_seconds=5,
        **extra,
    )


def _page(server, number, last, datasets):
    body = PREFIXES + "@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n"
    body += f'<{server.base}/catalog> a dcat:Catalog ; dct:title "C" ;\n'
    body += f"  hydra:view <{server.base}/catalog?page={number}> .\n"
    body += f"<{server.base}/catalog?page={number}> a hydra:PartialCollectionView"
    if number < last:
        body += f" ;\n  hydra:next <{server.base}/catalog?page={number + 1}>"
    body += " .\n"
    for name in datasets:
        body += (
            f"<{server.base}/catalog> dcat:dataset <{server.base}/dataset/{name}> .\n"
            f'<{server.base}/dataset/{name}> a dcat:Dataset ; dct:title "{name}"@es ;\n'
            f'  dct:description "d"@es ; dct:publisher <{server.base}/org/mintrab-gt> .\n'
            f'<{server.base}/org/mintrab-gt> dct:identifier "mintrab-gt" ; foaf:name "M" .\n'
        )
    return body.encode()


def test_a_url_source_and_its_hydra_pages(session, settings, org, server):
    server.routes["/catalog"] = (302, {"Location": "/catalog?page=1"}, b"")
    for number, names in ((1, ["a", "b"]), (2, ["c"])):
        server.routes[f"/catalog?page={number}"] = (
            200,
            {"Content-Type": "text/turtle; charset=utf-8"},
            _page(server, number, 2, names),
        )
    report = harvester.harvest_dcat(
        session, actor=SYSTEM, settings=_local(settings), source=f"{server.base}/catalog"
    )
    assert report.pages == 2
    assert sorted(report.created) == ["a", "b", "c"]
    assert server.requests == ["/catalog", "/catalog?page=1", "/catalog?page=2"]
    assert session.exec(select(HarvestRecord.source_catalog)).first() == f"{server.base}/catalog"


def test_pages_over_the_total_limit_are_refused_and_nothing_is_written(
    session, settings, org, server
):
    pages = {number: _page(server, number, 3, [f"d{number}"]) for number in (1, 2, 3)}
    for number, body in pages.items():
        server.routes[f"/catalog?page={number}"] = (200, {"Content-Type": "text/turtle"}, body)
    limit = len(pages[1]) + len(pages[2]) + 10  # each page alone is well within max_bytes
    rules = _local(settings, max_total_bytes=limit)
    with pytest.raises(PayloadTooLarge, match="max_total_bytes"):
        harvester.harvest_dcat(
            session, actor=SYSTEM, settings=rules, source=f"{server.base}/catalog?page=1"
        )
    assert server.requests == [f"/catalog?page={n}" for n in (1, 2, 3)]
    assert session.exec(select(HarvestRecord)).all() == []
    report = harvester.harvest_dcat(
        session,
        actor=SYSTEM,
        settings=_local(settings, max_total_bytes=limit + len(pages[3])),
        source=f"{server.base}/catalog?page=1",
    )
    assert sorted(report.created) == ["d1", "d2", "d3"]


def test_redirects_to_a_host_not_allowed_are_refused(session, settings, org, server):
    server.routes["/catalog"] = (301, {"Location": "http://169.254.169.254/latest"}, b"")
    with pytest.raises(Forbidden):
        harvester.harvest_dcat(
            session, actor=SYSTEM, settings=_local(settings), source=f"{server.base}/catalog"
        )


def test_private_addresses_need_explicit_permission(session, settings, org, server):
    rules = _settings(settings, allowed_hosts=("127.0.0.1",))
    with pytest.raises(Forbidden, match="allow_private_addresses"):
        harvester.harvest_dcat(session, actor=SYSTEM, settings=rules, source=f"{server.base}/c")
    assert server.requests == []


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_name_rebound_to_a_private_address_after_the_check_is_refused(
    session, settings, org, server, monkeypatch, scheme
):
    """DNS rebinding: the first answer is public, every later one is the local server."""
    real = socket.getaddrinfo
    answers: list[str] = []

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.example.org":
            return real(host, port, *args, **kwargs)
        address = "93.184.215.14" if not answers else "127.0.0.1"
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    server.routes["/catalog"] = (200, {"Content-Type": "text/turtle"}, _page(server, 1, 1, ["a"]))
    rules = _settings(settings, allowed_hosts=("rebind.example.org",), timeout_seconds=5)
    source = f"{scheme}://rebind.example.org:{server.httpd.server_address[1]}/catalog"
    with pytest.raises(Forbidden, match=r"127\.0\.0\.1"):
        harvester.harvest_dcat(session, actor=SYSTEM, settings=rules, source=source)
    assert answers == ["93.184.215.14", "127.0.0.1"]
    assert server.requests == []
    assert session.exec(select(Dataset)).all() == []


def test_large_and_failing_responses(session, settings, org, server):
    rules = _local(settings, max_bytes=1024)
    server.routes["/declared"] = (200, {"Content-Length": "5000"}, b"#" * 5000)
    # 299: a 2xx without Content-Length, so the limit is met while reading.
    server.routes["/unsized"] = (299, {}, b"#" * 3000)
    with pytest.raises(PayloadTooLarge):
        harvester.harvest_dcat(
            session, actor=SYSTEM, settings=rules, source=f"{server.base}/declared"
        )
    with pytest.raises(PayloadTooLarge):
        harvester.harvest_dcat(
            session, actor=SYSTEM, settings=rules, source=f"{server.base}/unsized"
        )
    with pytest.raises(SourceUnavailable, match="404"):
        harvester.harvest_dcat(session, actor=SYSTEM, settings=rules, source=f"{server.base}/gone")
    loops = _local(settings, max_redirects=2)
    server.routes["/loop"] = (302, {"Location": "/loop2"}, b"")
    server.routes["/loop2"] = (302, {"Location": "/loop3"}, b"")
    server.routes["/loop3"] = (302, {"Location": "/loop"}, b"")
    with pytest.raises(SourceUnavailable, match="redirects"):
        harvester.harvest_dcat(session, actor=SYSTEM, settings=loops, source=f"{server.base}/loop")
    assert session.exec(select(Dataset)).all() == []


@contextmanager
def _another_writer_during(monkeypatch, session, settings, step):
    """While ``harvester.<step>`` runs, another session writes (CatalogBusy if it must wait)."""
    session.execute(text("SELECT 1"))  # the caller's transaction holds the writers' lock
    other = Database.from_url(settings.database_url, writer_wait=0.5)
    original = getattr(harvester, step)

    def step_while_someone_writes(*args, **kwargs):
        write_from_another_session(other, "meanwhile")
        return original(*args, **kwargs)

    monkeypatch.setattr(harvester, step, step_while_someone_writes)
    try:
        yield
    finally:
        other.dispose()


def test_other_writes_go_on_while_a_document_is_parsed(session, settings, org, monkeypatch):
    """A large uploaded document takes seconds to parse: not under the writers' lock."""
    with _another_writer_during(monkeypatch, session, settings, "parse_rdf"):
        report = _harvest(session, settings, FOREIGN)
        session.commit()
    assert report.created
    assert "meanwhile" in session.exec(select(AuditEvent.action)).all()
    assert audit.verify_chain(session).ok


def test_other_writes_go_on_while_a_source_is_fetched(session, settings, org, server, monkeypatch):
    """Fetching can be slow: the harvest must not hold the writers' lock meanwhile."""
    server.routes["/catalog"] = (
        200,
        {"Content-Type": "text/turtle"},
        _page(server, 1, 1, ["a"]),
    )
    with _another_writer_during(monkeypatch, session, settings, "load_source"):
        report = harvester.harvest_dcat(
            session, actor=SYSTEM, settings=_local(settings), source=f"{server.base}/catalog"
        )
        session.commit()
    assert report.created == ["a"]
    actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert "meanwhile" in actions
    assert audit.verify_chain(session).ok
