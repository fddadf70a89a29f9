"""The DCAT-AP / StatDCAT-AP mapping and the streaming writers."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS, XSD

from catalog import dcat
from catalog.dcat import (
    DCAT,
    DCT,
    DPV,
    ODRL,
    QB,
    SIMEL,
    SPDX,
    STAT,
    Component,
    Governance,
    canonical_document,
    components_from_pairs,
    dataset_graph,
)
from catalog.errors import BadRequest
from catalog.formats import FORMATS, JSON
from catalog.models import Dataset, Distribution, HarvestRecord, Organization
from catalog.rdfio import iri, parse_rdf, serialize, to_graph
from tests.conftest import BASE_URI, dataset_document

EU = "http://publications.europa.eu/resource/authority/"
NOW = dt.datetime(2026, 1, 15, 10, 30, tzinfo=dt.UTC)


def _organization(**overrides):
    data = {
        "id": 1,
        "name": "mintrab-gt",
        "acronym": "MINTRAB",
        "title": {"es": "Ministerio de Trabajo", "en": "Ministry of Labour"},
        "country": "GTM",
        "kind": "labour-ministry",
        "homepage": "https://www.mintrabajo.gob.gt",
        "email": "datos@mintrabajo.gob.gt",
    }
    data.update(overrides)
    return Organization(**data)


def _dataset(**overrides):
    document = dataset_document(**overrides)
    return Dataset(
        id=uuid.uuid4(),
        name=document["name"],
        publisher_id=1,
        country="GTM",
        title=document["title"],
        description=document["description"],
        sort_title="x",
        status="published",
        access_rights=document["access_rights"],
        personal_data=document["personal_data"],
        document=document,
        profile="p",
        created=NOW,
        modified=NOW,
        issued=NOW,
    )


def _distribution(dataset, **document):
    document = {"title": {"es": "Cuadros", "en": "Tables"}, **document}
    return Distribution(
        id=uuid.uuid4(),
        dataset_id=dataset.id,
        title=document["title"],
        document=document,
        storage_key=document.get("storage_key"),
        restricted=document.get("restricted", False),
        created=NOW,
        modified=NOW,
    )


def _graph(dataset, distributions=(), **kwargs):
    return dataset_graph(dataset, _organization(), list(distributions), base_uri=BASE_URI, **kwargs)


def test_dataset_core_properties_and_multilingual_literals():
    dataset = _dataset(
        identifier="GT-ENEI-2024",
        landing_page="https://www.ine.gob.gt/enei",
        documentation=["https://www.ine.gob.gt/enei/metodologia"],
        version="2024",
        version_notes={"es": "Primera versión", "en": "First version"},
        provenance={"es": "Encuesta del INE", "en": "Survey by INE"},
        conforms_to=[{"uri": "https://ilo.org/icls20", "title": {"en": "ICLS 20"}}],
    )
    graph = _graph(dataset)
    subject = URIRef(f"{BASE_URI}dataset/enei-2024")
    assert (subject, RDF.type, DCAT.Dataset) in graph
    titles = set(graph.objects(subject, DCT.title))
    assert Literal("Encuesta Nacional de Empleo e Ingresos 2024", lang="es") in titles
    assert Literal("National Employment and Income Survey 2024", lang="en") in titles
    assert Literal("empleo", lang="es") in set(graph.objects(subject, DCAT.keyword))
    assert graph.value(subject, DCT.identifier) == Literal("GT-ENEI-2024")
    landing = URIRef("https://www.ine.gob.gt/enei")
    assert graph.value(subject, DCAT.landingPage) == landing
    assert (landing, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Document")) in graph
    standard = URIRef("https://ilo.org/icls20")
    assert (standard, RDF.type, DCT.Standard) in graph
    provenance = graph.value(subject, DCT.provenance)
    assert (provenance, RDF.type, DCT.ProvenanceStatement) in graph
    assert graph.value(subject, DCT.issued).datatype == XSD.dateTime
    contact = graph.value(subject, DCAT.contactPoint)
    vcard = "http://www.w3.org/2006/vcard/ns#"
    assert (contact, RDF.type, URIRef(vcard + "Kind")) in graph
    assert graph.value(contact, URIRef(vcard + "hasEmail")) == URIRef("mailto:datos@example.org")
    period = graph.value(subject, DCT.temporal)
    assert graph.value(period, DCAT.startDate) == Literal("2024-01-01", datatype=XSD.date)


def test_identifier_defaults_to_the_iri_and_harvested_datasets_keep_their_original():
    dataset = _dataset()
    subject = URIRef(f"{BASE_URI}dataset/enei-2024")
    assert _graph(dataset).value(subject, DCT.identifier) == Literal(str(subject))
    record = HarvestRecord(
        dataset_id=dataset.id,
        original_iri="https://other.example/dataset/x",
        source_catalog="https://other.example/catalog",
        source="https://other.example/catalog",
        harvested_at=NOW,
    )
    graph = _graph(dataset, harvest=record)
    assert graph.value(subject, DCT.identifier) == Literal("https://other.example/dataset/x")
    original = graph.value(subject, URIRef("http://www.w3.org/ns/adms#identifier"))
    assert graph.value(original, SKOS.notation) == Literal(
        "https://other.example/dataset/x", datatype=XSD.anyURI
    )


def test_vocabulary_values_carry_type_scheme_and_label():
    graph = _graph(_dataset(themes=["employment", "SOCI"]))
    subject = URIRef(f"{BASE_URI}dataset/enei-2024")
    themes = set(graph.objects(subject, DCAT.theme))
    # The SIMEL theme, and the EU data themes it maps to (broadMatch), once each.
    assert URIRef("https://w3id.org/simel/vocab/theme/employment") in themes
    assert URIRef(EU + "data-theme/ECON") in themes
    assert URIRef(EU + "data-theme/SOCI") in themes
    for theme in themes:
        assert (theme, RDF.type, SKOS.Concept) in graph
        assert graph.value(theme, SKOS.prefLabel) is not None
        scheme = graph.value(theme, SKOS.inScheme)
        assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
        assert graph.value(scheme, DCT.title) is not None
    country = URIRef(EU + "country/GTM")
    assert graph.value(subject, DCT.spatial) == country
    assert (country, RDF.type, DCT.Location) in graph
    assert graph.value(country, SKOS.inScheme) == URIRef(EU + "country")
    access = graph.value(subject, DCT.accessRights)
    assert access == URIRef(EU + "access-right/PUBLIC")
    assert (access, RDF.type, DCT.RightsStatement) in graph
    frequency = graph.value(subject, DCT.accrualPeriodicity)
    assert (frequency, RDF.type, DCT.Frequency) in graph
    language = graph.value(subject, DCT.language)
    assert language == URIRef(EU + "language/SPA")
    assert (language, RDF.type, DCT.LinguisticSystem) in graph


def test_publisher_agent_with_type_and_country():
    graph = _graph(_dataset())
    agent = URIRef(f"{BASE_URI}organization/mintrab-gt")
    assert graph.value(URIRef(f"{BASE_URI}dataset/enei-2024"), DCT.publisher) == agent
    assert Literal("Ministerio de Trabajo", lang="es") in set(
        graph.objects(agent, URIRef("http://xmlns.com/foaf/0.1/name"))
    )
    kind = graph.value(agent, DCT.type)
    assert kind == URIRef("http://purl.org/adms/publishertype/NationalAuthority")
    assert graph.value(kind, SKOS.inScheme) == URIRef("http://purl.org/adms/publishertype/1.0")
    assert graph.value(agent, DCT.spatial) == URIRef(EU + "country/GTM")


def test_distribution_properties_and_the_byte_size_datatype():
    dataset = _dataset()
    held = _distribution(
        dataset,
        storage_key="public/enei/1.csv",
        format="CSV",
        media_type="text/csv",
        byte_size=1024,
        checksum="a" * 64,
        license="https://creativecommons.org/licenses/by/4.0/",
        rights={"es": "Cítese la fuente"},
        languages=["SPA"],
    )
    restricted = _distribution(dataset, storage_key="restricted/x.csv", restricted=True)
    page = _distribution(dataset, access_url="https://www.ine.gob.gt", format="HTML")
    graph = _graph(dataset, [held, restricted, page])
    node = URIRef(f"{BASE_URI}dataset/enei-2024#distribution-{held.id}")
    data_url = f"{BASE_URI}api/v1/datasets/enei-2024/distributions/{held.id}/data"
    assert graph.value(node, DCAT.accessURL) == URIRef(data_url)
    assert graph.value(node, DCAT.downloadURL) == URIRef(data_url)
    size = graph.value(node, DCAT.byteSize)
    assert size == Literal("1024", datatype=XSD.nonNegativeInteger)
    media = graph.value(node, DCAT.mediaType)
    assert media == URIRef("https://www.iana.org/assignments/media-types/text/csv")
    assert (media, RDF.type, DCT.MediaType) in graph
    file_type = graph.value(node, DCT["format"])
    assert file_type == URIRef(EU + "file-type/CSV")
    assert (file_type, RDF.type, DCT.MediaTypeOrExtent) in graph
    checksum = graph.value(node, SPDX.checksum)
    assert graph.value(checksum, SPDX.checksumValue) == Literal("a" * 64, datatype=XSD.hexBinary)
    algorithm = graph.value(checksum, SPDX.algorithm)
    assert (algorithm, URIRef("http://www.w3.org/2002/07/owl#sameAs"), SPDX_SHA256) in graph
    licence = graph.value(node, DCT.license)
    assert (licence, RDF.type, DCT.LicenseDocument) in graph
    assert graph.value(licence, DCT.type) == URIRef("http://purl.org/adms/licencetype/Attribution")
    gated = URIRef(f"{BASE_URI}dataset/enei-2024#distribution-{restricted.id}")
    assert graph.value(gated, DCAT.accessURL) is not None
    assert graph.value(gated, DCAT.downloadURL) is None
    link = URIRef(f"{BASE_URI}dataset/enei-2024#distribution-{page.id}")
    assert graph.value(link, DCAT.accessURL) == URIRef("https://www.ine.gob.gt")


SPDX_SHA256 = SPDX.checksumAlgorithm_sha256


def test_restricted_distributions_are_reached_at_the_gateway_even_awaiting_their_file():
    dataset = _dataset()
    # Awaiting its upload; and one whose document carries a download URL of its own.
    awaiting = _distribution(dataset, restricted=True, media_type="text/csv")
    linked = _distribution(
        dataset, restricted=True, download_url="https://example.org/x.csv", storage_key="x.csv"
    )
    graph = _graph(dataset, [awaiting, linked])
    for distribution in (awaiting, linked):
        node = URIRef(f"{BASE_URI}dataset/enei-2024#distribution-{distribution.id}")
        data_url = f"{BASE_URI}api/v1/datasets/enei-2024/distributions/{distribution.id}/data"
        assert graph.value(node, DCAT.accessURL) == URIRef(data_url)
        assert graph.value(node, DCAT.downloadURL) is None
        assert graph.value(node, DCAT.byteSize) is None


def test_statdcat_properties_from_the_document():
    profile = {
        "unit_of_measure": {"es": "Personas", "en": "Persons"},
        "dimensions": [
            {"code": "TIME_PERIOD", "label": {"en": "Time period"}},
            {"code": "SEX", "iri": "https://example.org/dsd/SEX"},
        ],
        "attributes": [{"code": "UNIT_MEASURE"}],
        "num_series": 12,
        "quality_annotations": [
            {"text": {"es": "Estimaciones por muestreo"}, "url": "https://example.org/q.pdf"}
        ],
        "sdmx_dataflow": {"agency": "INE_GT", "id": "DF_ENEI", "version": "1.0"},
        "statistical_population": ["international-migrant-workers"],
        "occupations": ["9211"],
        "migration_corridors": [{"origin": "GTM", "destination": "USA"}],
    }
    graph = _graph(_dataset(labour_migration=profile))
    subject = URIRef(f"{BASE_URI}dataset/enei-2024")
    dimensions = set(graph.objects(subject, STAT.dimension))
    assert URIRef(f"{subject}#dimension-TIME_PERIOD") in dimensions
    assert URIRef("https://example.org/dsd/SEX") in dimensions
    for dimension in dimensions:
        assert (dimension, RDF.type, QB.DimensionProperty) in graph
    (attribute,) = graph.objects(subject, STAT.attribute)
    assert (attribute, RDF.type, QB.AttributeProperty) in graph
    assert graph.value(subject, STAT.numSeries) == Literal("12", datatype=XSD.nonNegativeInteger)
    unit = graph.value(subject, STAT.statUnitMeasure)
    assert (unit, RDF.type, SKOS.Concept) in graph
    assert Literal("Persons", lang="en") in set(graph.objects(unit, SKOS.prefLabel))
    dqv = "http://www.w3.org/ns/dqv#"
    annotation = graph.value(subject, URIRef(dqv + "hasQualityAnnotation"))
    assert (annotation, RDF.type, URIRef(dqv + "QualityAnnotation")) in graph
    flow = graph.value(subject, DCT.relation)
    assert graph.value(flow, DCT.identifier) == Literal(
        "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=INE_GT:DF_ENEI(1.0)"
    )
    assert graph.value(subject, SIMEL.occupation) == URIRef("http://data.europa.eu/esco/isco/C9211")
    corridor = graph.value(subject, SIMEL.migrationCorridor)
    assert graph.value(corridor, SIMEL.destination) == URIRef(EU + "country/USA")


def test_dimensions_from_a_linked_structure_replace_the_documents():
    pairs = [
        ("https://registry.example/dsd/ENEI/REF_AREA", {"es": "Área", "en": "Area"}),
        ("FREQ", "Frecuencia"),
    ]
    components = components_from_pairs(pairs)
    assert components == [
        Component(
            "REF_AREA", {"es": "Área", "en": "Area"}, "https://registry.example/dsd/ENEI/REF_AREA"
        ),
        Component("FREQ", {"es": "Frecuencia"}),
    ]
    dataset = _dataset(labour_migration={"dimensions": [{"code": "OLD"}]})
    graph = _graph(dataset, dimensions=components)
    subject = URIRef(f"{BASE_URI}dataset/enei-2024")
    codes = {str(graph.value(d, DCT.identifier)) for d in graph.objects(subject, STAT.dimension)}
    assert codes == {"REF_AREA", "FREQ"}


def test_governance_is_emitted_when_given_and_only_then():
    dataset = _dataset()
    distribution = _distribution(dataset, access_url="https://example.org/data")
    subject = URIRef(f"{BASE_URI}dataset/enei-2024")
    plain = _graph(dataset, [distribution])
    assert plain.value(subject, DPV.hasLegalBasis) is None
    assert plain.value(subject, ODRL.hasPolicy) is None
    governance = Governance(
        legal_bases=("https://w3id.org/dpv#LegalObligation", "PublicInterest"),
        policy_iri=f"{BASE_URI}policy/enei-2024-offer",
    )
    graph = _graph(dataset, [distribution], governance=governance)
    bases = set(graph.objects(subject, DPV.hasLegalBasis))
    assert bases == {DPV.LegalObligation, DPV.PublicInterest}
    for basis in bases:
        assert graph.value(basis, SKOS.prefLabel) is not None
    policy = URIRef(f"{BASE_URI}policy/enei-2024-offer")
    assert graph.value(subject, ODRL.hasPolicy) == policy
    assert (policy, RDF.type, ODRL.Offer) in graph
    assert graph.value(policy, ODRL.uid) == policy
    node = URIRef(f"{BASE_URI}dataset/enei-2024#distribution-{distribution.id}")
    assert graph.value(node, ODRL.hasPolicy) == policy


def test_tombstone_of_a_withdrawn_dataset():
    dataset = _dataset()
    dataset.status = "withdrawn"
    dataset.withdrawn_at = NOW
    dataset.withdrawal_reason = "Reemplazado"
    emit = dcat.Emitter()
    triples = dcat.tombstone_triples(dataset, _organization(), base_uri=BASE_URI, emit=emit)
    graph = to_graph([*triples, *emit.drain()])
    subject = URIRef(f"{BASE_URI}dataset/enei-2024")
    assert graph.value(subject, URIRef("http://www.w3.org/2002/07/owl#deprecated")) == Literal(True)
    assert graph.value(subject, SKOS.historyNote) == Literal("Reemplazado")
    assert graph.value(subject, DCAT.distribution) is None


def test_canonical_document_sorts_only_set_valued_members():
    document = dataset_document(
        keywords={"es": ["b", "a"]},
        spatial=["MEX", "GTM"],
        labour_migration={"occupations": ["9", "1"], "unit_of_measure": {"es": "x"}},
    )
    canonical = canonical_document(document)
    assert canonical["keywords"] == {"es": ["a", "b"]}
    assert canonical["spatial"] == ["GTM", "MEX"]
    assert canonical["labour_migration"]["occupations"] == ["1", "9"]
    assert document["spatial"] == ["MEX", "GTM"]  # the input is left alone


# ----------------------------------------------------------------------------- writers

TRICKY = [
    (URIRef("https://example.org/s"), DCT.title, Literal('quote " and \\ backslash', lang="es")),
    (URIRef("https://example.org/s"), DCT.description, Literal("line\nbreak\ttab\r\x01ctl")),
    (URIRef("https://example.org/s"), DCT.description, Literal("ñandú – “comillas” 🦜", lang="en")),
    (URIRef("https://example.org/s"), DCAT.byteSize, Literal("5", datatype=XSD.nonNegativeInteger)),
    (URIRef("https://example.org/s"), DCT.issued, Literal("2024-01-01", datatype=XSD.date)),
    (URIRef("https://example.org/s"), RDF.type, DCAT.Dataset),
    (URIRef("https://example.org/s"), DCT.relation, BNode("b1")),
    (BNode("b1"), DCT.title, Literal("<tag> & amp")),
    (URIRef("https://example.org/s"), URIRef("https://unknown.example/ns#prop"), Literal("x")),
    (URIRef("https://example.org/s#frag-1"), DCT.identifier, Literal("")),
    (URIRef("urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=A:B(1.0)"), DCT.type, DCT.Standard),
]


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_writers_round_trip_through_rdflib(name):
    fmt = FORMATS[name]
    text = serialize(TRICKY, fmt)
    expected = Graph()
    for triple in TRICKY:
        expected.add(triple)
    parsed = parse_rdf(text.encode(), rdf_format=fmt.rdflib)
    if name == "rdfxml":
        # XML 1.0 cannot carry control characters: they are replaced, not lost silently.
        expected.remove((None, DCT.description, Literal("line\nbreak\ttab\r\x01ctl")))
        expected.add(
            (
                URIRef("https://example.org/s"),
                DCT.description,
                Literal("line\nbreak\ttab\r\ufffdctl"),
            )
        )
    assert isomorphic(parsed, expected), text


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_chunks_concatenate_into_one_document(name):
    fmt = FORMATS[name]
    writer = dcat.writer_for(fmt)
    text = writer.start() + writer.chunk(TRICKY[:4]) + writer.chunk(TRICKY[4:]) + writer.end()
    parsed = parse_rdf(text.encode(), rdf_format=fmt.rdflib)
    assert len(parsed) == len(set(TRICKY))


def test_plain_json_has_no_rdf_writer():
    with pytest.raises(ValueError, match="application/json is not an RDF format"):
        dcat.writer_for(JSON)


def test_iri_escapes_characters_no_iri_may_hold():
    assert str(iri('https://example.org/a b"c<d>')) == "https://example.org/a%20b%22c%3Cd%3E"
    assert str(iri("https://example.org/ok?x=1#f")) == "https://example.org/ok?x=1#f"


@pytest.mark.parametrize(
    ("data", "media_type", "name", "expected"),
    [
        (b"<http://s> <http://p> <http://o> .", None, None, "nt"),
        (b'<?xml version="1.0"?><rdf:RDF/>', None, None, "xml"),
        (b'<rdf:RDF xmlns:rdf="x"/>', None, None, "xml"),
        (b' {"@id": "x"}', None, None, "json-ld"),
        (b"@prefix a: <x> .", None, None, "turtle"),
        (b"", "application/rdf+xml; charset=utf-8", None, "xml"),
        (b"", None, "https://x.example/catalog.jsonld?page=2", "json-ld"),
        (b"", None, "dump.nq", "nquads"),
    ],
)
def test_the_serialization_of_a_source_is_guessed(data, media_type, name, expected):
    from catalog.rdfio import guess_format

    assert guess_format(data, media_type=media_type, name=name) == expected


def test_quad_formats_are_merged_into_one_graph():
    trig = b'@prefix dct: <http://purl.org/dc/terms/> . <http://g> { <http://s> dct:title "x" . }'
    nquads = b'<http://s> <http://purl.org/dc/terms/title> "y" <http://g> .\n'
    assert len(parse_rdf(trig, rdf_format="trig")) == 1
    assert len(parse_rdf(nquads, rdf_format="nquads")) == 1


@pytest.mark.parametrize("rdf_format", ["nt", "nquads"])
def test_an_overlong_line_of_n_triples_is_refused_before_it_is_parsed(rdf_format):
    # rdflib's line parser is quadratic in the line's length: 8 MB took minutes.
    graph = " <http://g>" if rdf_format == "nquads" else ""
    line = f'<http://s> <http://purl.org/dc/terms/title> "{{}}"{graph} .\n'
    assert len(parse_rdf(line.format("x" * 60_000).encode(), rdf_format=rdf_format)) == 1
    with pytest.raises(BadRequest, match="longer than 65536 bytes"):
        parse_rdf(line.format("x" * 70_000).encode(), rdf_format=rdf_format)
    # Many lines just under the limit are read (the check itself once took seconds a line).
    many = "".join(line.format(f"{n}" + "x" * 65_000) for n in range(8))
    assert len(parse_rdf(many.encode(), rdf_format=rdf_format)) == 8
    # rdflib ends a line at CR too: CR line endings neither hide a long line nor make one.
    cr = line.replace("\n", "\r")
    assert len(parse_rdf((cr.format("a") + cr.format("b")).encode(), rdf_format=rdf_format)) == 2
    with pytest.raises(BadRequest, match="longer than"):
        parse_rdf(
            ("\n" + line.format("x" * 70_000)).replace("\n", "\r").encode(), rdf_format=rdf_format
        )
    # Turtle reads long lines in linear time: no such limit.
    triple = f'<http://s> <http://purl.org/dc/terms/title> "{"x" * 70_000}" .'
    assert len(parse_rdf(triple.encode(), rdf_format="turtle")) == 1


def test_rdf_nested_too_deeply_is_a_bad_request_in_plain_words():
    deep = b"<http://s> <http://p> " + b"[ <http://p> " * 5000 + b"1" + b" ]" * 5000 + b" ."
    with pytest.raises(BadRequest, match="nested too deeply") as refused:
        parse_rdf(deep, rdf_format="turtle")
    assert "recursion" not in str(refused.value)
