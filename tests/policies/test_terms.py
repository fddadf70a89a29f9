"""The hard-coded vocabulary tables agree with the stored ODRL 2.2 and DPV files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import OWL, RDF, Graph, Literal, Namespace, URIRef

from policies import terms
from policies.jsonld import odrl_context
from policies.templates import POLICY_DESIGN, STATISTICS

ODRL_NS = Namespace(terms.ODRL)


@pytest.fixture(scope="module")
def odrl_graph(standards: Path) -> Graph:
    return Graph().parse(standards / "odrl" / "vocab" / "ODRL22.ttl")


@pytest.fixture(scope="module")
def context(standards: Path) -> dict[str, object]:
    data = json.loads((standards / "odrl" / "vocab" / "ODRL22.jsonld").read_text("utf-8"))
    return data["@context"]


def test_included_in_table_is_exactly_odrl22(odrl_graph: Graph) -> None:
    stated = {str(s): str(o) for s, o in odrl_graph.subject_objects(ODRL_NS.includedIn)}
    ours = {k: v for k, v in terms.INCLUDED_IN.items() if not k.startswith(terms.SIMEL)}
    assert ours == stated


def test_odrl22_states_no_implies(odrl_graph: Graph) -> None:
    # Why the engine has no implication table: there is nothing to honour.
    assert list(odrl_graph.subject_objects(ODRL_NS.implies)) == []


def test_simel_actions_are_under_use_and_not_odrl_terms(odrl_graph: Graph) -> None:
    assert terms.action_lineage(terms.REIDENTIFY) == (terms.REIDENTIFY, terms.USE)
    assert (URIRef(terms.ODRL + "reidentify"), None, None) not in odrl_graph


def test_lineage_follows_included_in_transitively() -> None:
    assert terms.action_lineage(terms.DISPLAY) == (terms.DISPLAY, terms.ODRL + "play", terms.USE)
    assert terms.action_lineage(terms.ODRL + "sell") == (terms.ODRL + "sell", terms.TRANSFER)
    assert terms.action_lineage(terms.TRANSFER) == (terms.TRANSFER,)
    assert terms.action_lineage("https://example.org/unknown") == ("https://example.org/unknown",)


def test_engine_terms_are_odrl22_terms(odrl_graph: Graph) -> None:
    operators = {str(s) for s in odrl_graph.subjects(RDF.type, ODRL_NS.Operator)}
    assert operators == terms.OPERATORS
    left_operands = {str(s) for s in odrl_graph.subjects(RDF.type, ODRL_NS.LeftOperand)}
    for iri in (
        terms.PURPOSE,
        terms.RECIPIENT,
        terms.SPATIAL,
        terms.DATE_TIME,
        terms.ELAPSED_TIME,
        terms.COUNT,
        terms.EVENT,
    ):
        assert iri in left_operands
    actions = {str(s) for s in odrl_graph.subjects(RDF.type, ODRL_NS.Action)}
    for iri in (
        terms.USE,
        terms.TRANSFER,
        terms.READ,
        terms.REPRODUCE,
        terms.DISTRIBUTE,
        terms.AGGREGATE,
        terms.ANONYMIZE,
        terms.DERIVE,
        terms.DISPLAY,
        terms.PRINT,
        terms.STREAM,
        terms.ATTRIBUTE,
        terms.DELETE,
        terms.INFORM,
        terms.COMPENSATE,
    ):
        assert iri in actions
    # "download" is not an ODRL 2.2 action: the gateway asks for reproduce (a copy) or read.
    assert URIRef(terms.ODRL + "download") not in actions
    assert (ODRL_NS.policyUsage, RDF.type, ODRL_NS.RightOperand) in odrl_graph
    deprecated = {str(s) for s in odrl_graph.subjects(OWL.deprecated, Literal(True))}
    assert not deprecated & set(terms.INCLUDED_IN)


def test_context_term_sets_match_the_published_context(
    context: dict[str, object], odrl_graph: Graph
) -> None:
    assert set(context) == terms.CONTEXT_TERMS
    by_class = {
        cls: {str(s).removeprefix(terms.ODRL) for s in odrl_graph.subjects(RDF.type, ODRL_NS[cls])}
        for cls in ("Action", "LeftOperand", "Operator")
    }
    assert by_class["Action"] & set(context) == terms.CONTEXT_ACTIONS
    assert by_class["LeftOperand"] & set(context) == terms.CONTEXT_LEFT_OPERANDS
    assert by_class["Operator"] & set(context) == terms.CONTEXT_OPERATORS
    assert {k: v for k, v in context.items() if k in terms.CONTEXT_PREFIXES} == dict(
        terms.CONTEXT_PREFIXES
    )


def test_context_errata_are_real(context: dict[str, object]) -> None:
    # Every term maps to odrl:<term> except these two, which is why we read and write them
    # with care (see terms.CONTEXT_ERRATA).
    odd = {
        k: v
        for k, v in context.items()
        if isinstance(v, str) and v.startswith("odrl:") and v != "odrl:" + k
    }
    assert odd == {"neq": "odrl:neg", "industry": "odrl:industry:"}
    assert set(odd) == set(terms.CONTEXT_ERRATA)
    assert context["dataType"] == {"@type": "xsd:anyType", "@id": "odrl:datatype"}


def test_packaged_context_is_the_stored_copy(standards: Path) -> None:
    stored = json.loads((standards / "odrl" / "vocab" / "ODRL22.jsonld").read_text("utf-8"))
    assert odrl_context() == stored["@context"]


def test_template_purposes_exist_in_dpv(standards: Path) -> None:
    dpv = Graph().parse(standards / "dpv" / "dpv.ttl")
    purpose = URIRef(terms.DPV + "Purpose")
    for iri in (STATISTICS, POLICY_DESIGN):
        assert (URIRef(iri), RDF.type, purpose) in dpv, iri
    assert (URIRef(terms.DPV + "PublicInterest"), None, None) in dpv
    assert (URIRef(terms.DPV + "PublicTask"), None, None) not in dpv


def test_expand_and_compact() -> None:
    prefixes = {"dpv": terms.DPV, "ex": "https://ex.org/"}
    assert terms.expand("dpv:Purpose", prefixes) == terms.DPV + "Purpose"
    assert terms.expand("ex:dayOfWeek", {}) == "ex:dayOfWeek"
    assert terms.expand("https://x.org/a", {"https": "nope:"}) == "https://x.org/a"
    assert terms.compact(terms.DPV + "Purpose", prefixes) == "dpv:Purpose"
    assert terms.compact(terms.DPV, prefixes) == terms.DPV
    assert terms.display(terms.USE) == "use"
    assert terms.display(terms.MIN_CELL_SIZE) == "simel:minCellSize"
    assert terms.SIMEL_PROFILE + "#" == terms.SIMEL
