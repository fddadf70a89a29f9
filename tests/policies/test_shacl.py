"""Our RDF output passes the W3C POE draft SHACL shapes, checked as standards/odrl/README.md says.

The README's procedure: pySHACL with RDFS inference over ODRL22.ttl, ignoring results on
odrl:includedIn (the draft's ActionShape demands it of every action, and ODRL 2.2 gives
none to odrl:use and odrl:transfer, so it fails every policy).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Namespace

from policies import Policy, from_jsonld, to_graph, to_jsonld
from policies.jsonld import jsonld_to_graph
from tests.policies.conftest import all_templates, load_fixture, own_fixture_names

SH = Namespace("http://www.w3.org/ns/shacl#")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")


@pytest.fixture(scope="module")
def shapes(standards: Path) -> tuple[Graph, Graph]:
    odrl = standards / "odrl"
    return (
        Graph().parse(odrl / "poe-draft-shacl" / "shapesv2.ttl"),
        Graph().parse(odrl / "vocab" / "ODRL22.ttl"),
    )


def violations(data: Graph, shapes: tuple[Graph, Graph]) -> list[str]:
    shacl, ontology = shapes
    _, report, _ = validate(data, shacl_graph=shacl, ont_graph=ontology, inference="rdfs")
    return sorted(
        str(report.value(r, SH.resultMessage))
        for r in report.objects(None, SH.result)
        if report.value(r, SH.resultPath) != ODRL.includedIn
    )


def test_the_check_tells_valid_from_invalid(standards: Path, shapes: tuple[Graph, Graph]) -> None:
    fixtures = standards / "odrl" / "fixtures"
    assert violations(Graph().parse(fixtures / "valid-binational-agreement.ttl"), shapes) == []
    assert len(violations(Graph().parse(fixtures / "invalid-agreement.ttl"), shapes)) == 3


@pytest.mark.parametrize("name", own_fixture_names())
def test_own_fixtures_conform(shapes: tuple[Graph, Graph], name: str) -> None:
    assert violations(to_graph(from_jsonld(load_fixture(name))), shapes) == []


@pytest.mark.parametrize("policy", all_templates(), ids=lambda p: p.uid.rsplit("/", 1)[-1])
def test_templates_and_agreements_conform(shapes: tuple[Graph, Graph], policy: Policy) -> None:
    assert violations(to_graph(policy), shapes) == []


def test_compact_form_alone_would_not_conform(shapes: tuple[Graph, Graph]) -> None:
    # Why to_graph writes the atomic form: in the compact form the target and parties sit on
    # the policy, and the draft shapes look for them on every rule.
    offer = all_templates()[2]
    found = violations(jsonld_to_graph(to_jsonld(offer)), shapes)
    assert found
    assert violations(to_graph(offer), shapes) == []
