"""DCAT-AP 3.0.1 conformance: the shapes we ship, and reports in plain words."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import Graph

from catalog import shacl
from tests.standards_dir import STANDARDS


def _shared() -> Path:
    return STANDARDS / "shapes"


@pytest.mark.parametrize("key", sorted(shacl.SHAPES))
def test_shipped_shapes_are_the_official_files(key):
    shared = _shared()
    ours = (shacl.SHAPES_DIR / shacl.SHAPES[key]).read_bytes()
    theirs = (shared / "dcat-ap-3.0.1" / shacl.SHAPES[key]).read_bytes()
    assert hashlib.sha256(ours).hexdigest() == hashlib.sha256(theirs).hexdigest()


INVALID = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://example.org/catalog> a dcat:Catalog ;
    dct:title "Catálogo"@es ;
    dcat:dataset <https://example.org/dataset/a> .
<https://example.org/dataset/a> a dcat:Dataset ;
    dct:title "A"@es ;
    dcat:distribution <https://example.org/dataset/a#d> .
<https://example.org/dataset/a#d> a dcat:Distribution ;
    dcat:byteSize "12.5"^^xsd:decimal ;
    dct:format "CSV" .
"""


def test_violations_are_reported_in_plain_words():
    report = shacl.validate_graph(Graph().parse(data=INVALID, format="turtle"))
    assert not report.conforms
    violations = {
        (f.shapes, f.focus, f.property) for f in report.findings if f.severity == "violation"
    }
    assert ("base", "https://example.org/catalog", "dct:description") in violations
    assert ("base", "https://example.org/catalog", "dct:publisher") in violations
    assert ("base", "https://example.org/dataset/a", "dct:description") in violations
    assert ("base", "https://example.org/dataset/a#d", "dcat:accessURL") in violations
    assert ("base", "https://example.org/dataset/a#d", "dcat:byteSize") in violations
    assert ("base", "https://example.org/dataset/a#d", "dct:format") in violations
    missing = next(
        f for f in report.findings if f.property == "dcat:accessURL" and f.shapes == "base"
    )
    assert missing.message == "dcat:accessURL is missing"
    counts = report.counts()
    assert counts["base"]["violations"] >= 6
    assert counts["recommended"]["violations"] == 0
    assert counts["recommended"]["warnings"] > 0
    body = report.to_json()
    assert body["conforms"] is False
    assert {"shapes", "severity", "focus", "property", "value", "message"} == set(
        body["results"][0]
    )


def test_the_hand_written_valid_fixture_conforms():
    shared = _shared()
    graph = Graph().parse(shared / "fixtures" / "valid-catalog-with-ranges.ttl")
    report = shacl.validate_graph(graph)
    assert report.conforms, [f for f in report.findings if f.severity == "violation"]


def test_summary_groups_the_same_finding():
    report = shacl.validate_graph(Graph().parse(data=INVALID, format="turtle"))
    grouped = shacl.summarize(report.findings)
    assert sum(count for _, count in grouped) == len(report.findings)
