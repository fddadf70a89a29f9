"""The committed Turtle files are well-formed SKOS, checked on the parsed graphs."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS

from vocab import Registry

SCHEME_NAMES = (
    "countries",
    "occupations",
    "activities",
    "migration-concepts",
    "access-rights",
    "frequency",
    "data-themes",
    "file-types",
    "languages",
    "legal-bases",
    "purposes",
    "consent-statuses",
    "simel-themes",
    "collection-methods",
    "geographic-levels",
    "personal-data-classes",
)


def _scheme_iri(graph: Graph) -> URIRef:
    schemes = list(graph.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(schemes) == 1
    assert isinstance(schemes[0], URIRef)
    return schemes[0]


def _concepts(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef)}


def test_manifest_lists_every_scheme(registry: Registry) -> None:
    assert registry.names == SCHEME_NAMES


@pytest.mark.parametrize("name", SCHEME_NAMES)
def test_scheme_resource(graphs: dict[str, Graph], name: str) -> None:
    graph = graphs[name]
    scheme = _scheme_iri(graph)
    assert graph.value(scheme, DCTERMS.identifier) == Literal(name)
    titles = {t.language for t in graph.objects(scheme, DCTERMS.title) if isinstance(t, Literal)}
    assert {"es", "en"} <= titles
    assert graph.value(scheme, OWL.versionInfo) is not None
    assert isinstance(graph.value(scheme, DCTERMS.license), URIRef)


@pytest.mark.parametrize("name", SCHEME_NAMES)
def test_every_concept_is_typed_in_scheme_and_labelled(graphs: dict[str, Graph], name: str) -> None:
    graph = graphs[name]
    scheme = _scheme_iri(graph)
    concepts = _concepts(graph)
    assert concepts
    # Nothing is in the scheme without being a concept, and the other way round.
    assert set(graph.subjects(SKOS.inScheme, scheme)) == concepts
    for concept in concepts:
        assert (concept, SKOS.inScheme, scheme) in graph
        labels = [o for o in graph.objects(concept, SKOS.prefLabel) if isinstance(o, Literal)]
        assert labels, f"{concept} has no prefLabel"
        languages = [label.language for label in labels]
        # SKOS integrity: at most one prefLabel per language.
        assert len(languages) == len(set(languages)), concept


@pytest.mark.parametrize("name", SCHEME_NAMES)
def test_codes_are_unique(graphs: dict[str, Graph], name: str) -> None:
    graph = graphs[name]
    codes = Counter(str(graph.value(c, DCTERMS.identifier)) for c in _concepts(graph))
    assert "None" not in codes
    assert [code for code, n in codes.items() if n > 1] == []


@pytest.mark.parametrize("name", SCHEME_NAMES)
def test_hierarchy_resolves_and_narrower_is_inverse(graphs: dict[str, Graph], name: str) -> None:
    graph = graphs[name]
    scheme = _scheme_iri(graph)
    concepts = _concepts(graph)
    broader = set(graph.subject_objects(SKOS.broader))
    narrower = {(o, s) for s, o in graph.subject_objects(SKOS.narrower)}
    assert broader == narrower
    for child, parent in broader:
        assert child in concepts
        assert parent in concepts, f"{child} has a broader outside the scheme: {parent}"
    tops = {c for c in concepts if (c, SKOS.broader, None) not in graph}
    assert set(graph.objects(scheme, SKOS.hasTopConcept)) == tops
    assert set(graph.subjects(SKOS.topConceptOf, scheme)) == tops


def _languages(graphs: dict[str, Graph], name: str) -> Counter[str]:
    graph = graphs[name]
    return Counter(
        label.language or ""
        for c in _concepts(graph)
        for label in graph.objects(c, SKOS.prefLabel)
        if isinstance(label, Literal)
    )


@pytest.mark.parametrize(
    "name",
    [
        "countries",
        "occupations",
        "activities",
        "access-rights",
        "frequency",
        "data-themes",
        "simel-themes",
        "collection-methods",
        "geographic-levels",
        "personal-data-classes",
        "migration-concepts",
        "legal-bases",
        "purposes",
        "consent-statuses",
    ],
)
def test_spanish_and_english_labels_where_the_source_has_them(
    graphs: dict[str, Graph], name: str
) -> None:
    total = len(_concepts(graphs[name]))
    languages = _languages(graphs, name)
    assert languages["en"] == total
    assert languages["es"] == total


def test_file_types_have_english_labels_only_as_the_eu_table(graphs: dict[str, Graph]) -> None:
    languages = _languages(graphs, "file-types")
    assert set(languages) == {"en"}


def test_languages_have_english_labels_and_spanish_where_the_eu_table_has_them(
    graphs: dict[str, Graph],
) -> None:
    languages = _languages(graphs, "languages")
    assert languages["en"] == 10
    assert languages["es"] == 4  # SPA, ENG, FRA, POR; the Belize languages have none there


def test_translations_are_marked(registry: Registry) -> None:
    for name in ("legal-bases", "purposes", "consent-statuses", "migration-concepts"):
        for concept in registry.scheme(name):
            if "es" in concept.labels:
                assert any(
                    n.kind == "editorial" and "translation" in n.text for n in concept.notes
                ), concept.code
