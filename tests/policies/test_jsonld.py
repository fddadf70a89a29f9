"""Reading and writing ODRL 2.2 compact JSON-LD, and the RDF it stands for."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.compare import isomorphic

from policies import (
    Action,
    Constraint,
    LogicalConstraint,
    LogicalOperator,
    Permission,
    Policy,
    PolicyError,
    PolicySyntaxError,
    PolicyType,
    Ref,
    TypedLiteral,
    UnsupportedPolicyFeature,
    atomize,
    from_jsonld,
    terms,
    to_graph,
    to_jsonld,
)
from policies.jsonld import jsonld_to_graph
from tests.policies.conftest import (
    DPV,
    EU,
    ODRL,
    SIMEL,
    all_templates,
    load_fixture,
    own_fixture_names,
)

ODRL_NS = Namespace(ODRL)
CG_POLICIES = [
    "A1/policyA1.json",
    "A2/policyA2.json",
    "B1/policyB1.json",
    "C1/policyC1.json",
    "C2/policyC2.json",
]


def graph_of(document: dict[str, Any]) -> Graph:
    """What a JSON-LD processor reads from a document, with the ODRL context taken offline."""
    return jsonld_to_graph(document)


BASE: dict[str, Any] = {
    "@context": [terms.ODRL_CONTEXT, {"dpv": DPV, "simel": SIMEL}],
    "@type": "Set",
    "uid": "https://catalog.simel.example/policy/p1",
    "permission": [
        {
            "target": "https://catalog.simel.example/dataset/d1",
            "action": "read",
            "constraint": [
                {
                    "leftOperand": "purpose",
                    "operator": "isA",
                    "rightOperand": {"@id": "dpv:PublicBenefit"},
                }
            ],
        }
    ],
}


def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("name", own_fixture_names())
def test_own_fixtures_round_trip_identically(name: str) -> None:
    document = load_fixture(name)
    policy = from_jsonld(document)
    assert to_jsonld(policy) == document
    assert from_jsonld(to_jsonld(policy)) == policy
    assert from_jsonld(json.dumps(document)) == policy


@pytest.mark.parametrize("policy", all_templates(), ids=lambda p: p.uid.rsplit("/", 1)[-1])
def test_templates_round_trip_identically(policy: Policy) -> None:
    document = to_jsonld(policy)
    assert from_jsonld(document) == policy
    assert to_jsonld(from_jsonld(document)) == document
    assert json.loads(json.dumps(document)) == document  # plain JSON through and through


def test_every_feature_offer_reads_into_the_model() -> None:
    policy = from_jsonld(load_fixture("every-feature-offer.json"))
    assert policy.type is PolicyType.OFFER
    assert policy.profiles == (terms.SIMEL_PROFILE,)
    assert policy.effective_conflict.value == "perm"
    assert len(policy.assignees) == 2
    assert len(policy.targets) == 2
    assert dict(policy.prefixes) == {"ex": "https://example.org/vocab/"}
    assert policy.annotation_values()["ex:reviewedBy"] == {
        "@id": "https://catalog.simel.example/user/steward-1"
    }
    permission = policy.permissions[0]
    assert permission.action.iri == ODRL + "aggregate"
    assert permission.action.refinements == (
        Constraint(
            SIMEL + "minCellSize",
            ODRL + "gteq",
            (TypedLiteral("10", terms.XSD + "integer"),),
            uid="https://catalog.simel.example/policy/every-feature#cells",
        ),
    )
    logical = permission.constraints[0]
    assert isinstance(logical, LogicalConstraint)
    assert logical.operator is LogicalOperator.OR
    assert logical.constraints[0].right_operand == (Ref(DPV + "ProvideOfficialStatistics"),)
    spatial = permission.constraints[1]
    assert isinstance(spatial, LogicalConstraint)
    assert spatial.constraints[1].right_operand == (
        Ref("https://example.org/vocab/CentralAmerica"),
    )
    plain = [c for c in permission.constraints if isinstance(c, Constraint)]
    assert plain[0].operator == terms.NEQ
    assert plain[1].left_operand == ODRL + "industry"
    assert plain[2].unit == "http://dbpedia.org/resource/Euro"
    assert plain[3].left_operand == "https://example.org/vocab/certified"
    assert plain[3].right_operand == (True,)
    assert plain[5].data_type == terms.XSD + "integer"
    undertaking, attribute, delete = permission.duties
    assert undertaking.is_precondition
    assert not attribute.is_precondition
    assert delete.consequences[0].action.iri == terms.INFORM
    assert [p.action.iri for p in policy.prohibitions] == [
        terms.REIDENTIFY,
        terms.TRANSFER,
        terms.DISTRIBUTE,
    ]
    assert policy.obligations[0].assigner == "https://catalog.simel.example/org/ine-gt"


# --------------------------------------------------------------------------- accepted variants


def test_other_spellings_read_as_the_canonical_document() -> None:
    variant = base()
    variant["@context"] = [terms.ODRL_CONTEXT, {"dpv": DPV}]
    variant["type"] = variant.pop("@type")
    variant["@id"] = variant.pop("uid")
    rule = variant["permission"][0]
    rule["@type"] = "Permission"
    rule["action"] = [{"@id": "odrl:read"}]
    rule["target"] = ["https://catalog.simel.example/dataset/d1"]
    rule["constraint"] = [
        {
            "@type": "odrl:LogicalConstraint",
            "and": {
                "@list": [
                    {
                        "@type": "Constraint",
                        "leftOperand": "odrl:purpose",
                        "operator": terms.ODRL + "isA",
                        "rightOperand": [{"@id": DPV + "PublicBenefit"}],
                    },
                ]
            },
        }
    ]
    policy = from_jsonld(variant)
    expected = base()
    expected["permission"][0]["constraint"] = [
        {"and": {"@list": [expected["permission"][0]["constraint"][0]]}}
    ]
    assert to_jsonld(policy) == expected
    variant_graph = graph_of(variant)
    assert isomorphic(variant_graph - _types(variant_graph), graph_of(expected))
    # Operands as a plain array (a JSON-LD set, not an RDF list) read the same way.
    rule["constraint"][0]["and"] = rule["constraint"][0]["and"]["@list"]
    assert from_jsonld(variant) == policy


def _types(graph: Graph) -> Graph:
    """The rdf:type triples of rules and constraints (implied by the ODRL ranges)."""
    implied = {
        ODRL_NS.Permission,
        ODRL_NS.Prohibition,
        ODRL_NS.Duty,
        ODRL_NS.Constraint,
        ODRL_NS.LogicalConstraint,
    }
    out = Graph()
    for s, o in graph.subject_objects(RDF.type):
        if o in implied:
            out.add((s, RDF.type, o))
    return out


def test_errata_terms_are_read_as_meant_and_written_unambiguously() -> None:
    document = base()
    document["permission"][0]["constraint"] = [
        {"leftOperand": "industry", "operator": "neq", "rightOperand": "mining"}
    ]
    policy = from_jsonld(document)
    constraint = policy.permissions[0].constraints[0]
    assert constraint == Constraint(ODRL + "industry", ODRL + "neq", ("mining",))
    written = to_jsonld(policy)["permission"][0]["constraint"][0]
    assert written == {
        "leftOperand": "odrl:industry",
        "operator": "odrl:neq",
        "rightOperand": "mining",
    }
    # The published context would turn the bare terms into odrl:neg and odrl:industry: ...
    wrong = graph_of(document)
    assert (None, ODRL_NS.operator, URIRef(ODRL + "neg")) in wrong
    # ... while what we write means odrl:neq and odrl:industry to any processor.
    right = graph_of(to_jsonld(policy))
    assert (None, ODRL_NS.operator, ODRL_NS.neq) in right
    assert (None, ODRL_NS.leftOperand, ODRL_NS.industry) in right


def test_data_type_and_unit_spellings() -> None:
    document = base()
    document["permission"][0]["constraint"] = [
        {
            "leftOperand": "count",
            "operator": "lteq",
            "rightOperand": "5",
            "dataType": "xsd:integer",
            "unit": {"@id": "https://example.org/unit/times"},
        },
        {"leftOperand": "count", "operator": "gt", "rightOperand": {"@value": 0}},
    ]
    first, second = from_jsonld(document).permissions[0].constraints
    assert isinstance(first, Constraint)
    assert isinstance(second, Constraint)
    assert first.data_type == terms.XSD + "integer"
    assert first.unit == "https://example.org/unit/times"
    assert second.right_operand == (0,)
    written = to_jsonld(from_jsonld(document))["permission"][0]["constraint"][0]
    assert written["odrl:dataType"] == {"@id": "xsd:integer"}
    assert written["unit"] == "https://example.org/unit/times"


def test_compact_iris_in_identifiers_are_expanded() -> None:
    document = base()
    document["@context"][1]["cat"] = "https://catalog.simel.example/"
    document["uid"] = "cat:policy/p1"
    document["permission"][0]["target"] = "cat:dataset/d1"
    policy = from_jsonld(document)
    assert policy.uid == "https://catalog.simel.example/policy/p1"
    assert policy.permissions[0].targets == ("https://catalog.simel.example/dataset/d1",)


# --------------------------------------------------------------------------- rejected documents

Mutation = Any


def _set(path: tuple[Any, ...], value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        node: Any = doc
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        node: Any = doc
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return mutate


C0 = ("permission", 0, "constraint", 0)

# (id, mutation, error class, pointer, message fragment, JSON Schema gives the same pointer)
BAD: list[tuple[str, Mutation, type[PolicyError], str, str, bool]] = [
    ("no-context", _delete(("@context",)), PolicySyntaxError, "", "'@context'", True),
    (
        "foreign-context",
        _set(("@context",), ["https://example.org/ctx.jsonld"]),
        PolicySyntaxError,
        "/@context/0",
        "must start with",
        True,
    ),
    (
        "remote-second-context",
        _set(("@context", 1), "https://example.org/ctx.jsonld"),
        UnsupportedPolicyFeature,
        "/@context/1",
        "prefix definitions",
        True,
    ),
    (
        "redefined-term",
        _set(("@context", 1, "target"), "https://example.org/target"),
        PolicySyntaxError,
        "/@context/1/target",
        "not a new prefix",
        False,
    ),
    (
        "redefined-dpv",
        _set(("@context", 1, "dpv"), "https://example.org/dpv#"),
        PolicySyntaxError,
        "/@context/1/dpv",
        "reserved",
        True,
    ),
    (
        "context-keyword",
        _set(("@context", 1, "@vocab"), "https://example.org/"),
        UnsupportedPolicyFeature,
        "/@context/1/@vocab",
        "keyword",
        False,
    ),
    ("no-uid", _delete(("uid",)), PolicySyntaxError, "", "'uid'", True),
    ("relative-uid", _set(("uid",), "policy-1"), PolicySyntaxError, "/uid", "IRI", True),
    ("two-uids", _set(("@id",), "https://example.org/p"), PolicySyntaxError, "", "not both", True),
    ("no-type", _delete(("@type",)), PolicySyntaxError, "", "exactly one", True),
    ("two-types", _set(("type",), "Set"), PolicySyntaxError, "", "exactly one", True),
    (
        "privacy-type",
        _set(("@type",), "Privacy"),
        UnsupportedPolicyFeature,
        "/@type",
        "Set, Offer or Agreement",
        True,
    ),
    ("no-rules", _delete(("permission",)), PolicySyntaxError, "", "at least one", True),
    (
        "rules-not-array",
        _set(("permission",), {"action": "use"}),
        PolicySyntaxError,
        "/permission",
        "non-empty array",
        True,
    ),
    (
        "empty-rules",
        _set(("permission",), []),
        PolicySyntaxError,
        "/permission",
        "non-empty array",
        True,
    ),
    (
        "unknown-member",
        _set(("policyName",), "x"),
        PolicySyntaxError,
        "/policyName",
        "unexpected member",
        True,
    ),
    (
        "inheritance",
        _set(("inheritFrom",), "https://example.org/p0"),
        UnsupportedPolicyFeature,
        "/inheritFrom",
        "inheritance",
        True,
    ),
    (
        "undeclared-prefix",
        _set(("zz:note",), "x"),
        PolicySyntaxError,
        "/zz:note",
        "undeclared prefix",
        False,
    ),
    (
        "two-assigners",
        _set(("assigner",), ["https://a.example/1", "https://a.example/2"]),
        PolicySyntaxError,
        "/assigner",
        "at most one",
        True,
    ),
    ("bad-conflict", _set(("conflict",), "deny"), PolicySyntaxError, "/conflict", "conflict", True),
    ("empty-target", _set(("target",), []), PolicySyntaxError, "/target", "empty array", True),
    ("numeric-target", _set(("target",), 7), PolicySyntaxError, "/target", "IRI", True),
    (
        "no-action",
        _delete(("permission", 0, "action")),
        PolicySyntaxError,
        "/permission/0",
        "'action'",
        True,
    ),
    (
        "unknown-action",
        _set(("permission", 0, "action"), "download"),
        PolicySyntaxError,
        "/permission/0/action",
        "unknown action",
        True,
    ),
    (
        "two-actions",
        _set(("permission", 0, "action"), ["use", "read"]),
        PolicySyntaxError,
        "/permission/0/action",
        "exactly one action",
        True,
    ),
    (
        "refinement-without-value",
        _set(
            ("permission", 0, "action"),
            [{"refinement": [{"leftOperand": "count", "operator": "lt", "rightOperand": 3}]}],
        ),
        PolicySyntaxError,
        "/permission/0/action/0",
        "rdf:value",
        True,
    ),
    (
        "rule-type-mismatch",
        _set(("permission", 0, "@type"), "Prohibition"),
        PolicySyntaxError,
        "/permission/0/@type",
        "expected type",
        True,
    ),
    (
        "duty-on-prohibition",
        _set(("prohibition",), [{"action": "read", "duty": [{"action": "attribute"}]}]),
        PolicySyntaxError,
        "/prohibition/0/duty",
        "unexpected member",
        True,
    ),
    (
        "remedy",
        _set(("prohibition",), [{"action": "read", "remedy": [{"action": "delete"}]}]),
        UnsupportedPolicyFeature,
        "/prohibition/0/remedy",
        "remedies",
        True,
    ),
    (
        "party-function",
        _set(("permission", 0, "informedParty"), "https://a.example/1"),
        UnsupportedPolicyFeature,
        "/permission/0/informedParty",
        "party function",
        True,
    ),
    (
        "no-operator",
        _delete((*C0, "operator")),
        PolicySyntaxError,
        "/permission/0/constraint/0",
        "'operator'",
        True,
    ),
    (
        "unknown-left-operand",
        _set((*C0, "leftOperand"), "weekday"),
        PolicySyntaxError,
        "/permission/0/constraint/0/leftOperand",
        "unknown left operand",
        True,
    ),
    (
        "unknown-operator",
        _set((*C0, "operator"), "contains"),
        PolicySyntaxError,
        "/permission/0/constraint/0/operator",
        "unknown operator",
        True,
    ),
    (
        "operand-reference",
        _set((*C0, "rightOperandReference"), "https://a.example/x"),
        UnsupportedPolicyFeature,
        "/permission/0/constraint/0/rightOperandReference",
        "references",
        True,
    ),
    (
        "null-operand",
        _set((*C0, "rightOperand"), None),
        PolicySyntaxError,
        "/permission/0/constraint/0/rightOperand",
        "right operand",
        True,
    ),
    (
        "empty-operand",
        _set((*C0, "rightOperand"), []),
        PolicySyntaxError,
        "/permission/0/constraint/0/rightOperand",
        "non-empty array",
        True,
    ),
    (
        "bad-date",
        _set((*C0, "rightOperand"), {"@value": "2027-13-01", "@type": "xsd:date"}),
        PolicySyntaxError,
        "/permission/0/constraint/0/rightOperand/@value",
        "xsd:date",
        True,
    ),
    (
        "bad-duration",
        _set((*C0, "rightOperand"), {"@value": "P1W", "@type": "xsd:duration"}),
        PolicySyntaxError,
        "/permission/0/constraint/0/rightOperand/@value",
        "xsd:duration",
        True,
    ),
    (
        "typed-number",
        _set((*C0, "rightOperand"), {"@value": 5, "@type": "xsd:integer"}),
        PolicySyntaxError,
        "/permission/0/constraint/0/rightOperand/@value",
        "lexical form",
        True,
    ),
    (
        "language-operand",
        _set((*C0, "rightOperand"), {"@value": "x", "@language": "es"}),
        UnsupportedPolicyFeature,
        "/permission/0/constraint/0/rightOperand",
        "language",
        False,
    ),
    (
        "two-logical-operators",
        _set(
            C0,
            {
                "and": [BASE["permission"][0]["constraint"][0]],
                "or": [BASE["permission"][0]["constraint"][0]],
            },
        ),
        PolicySyntaxError,
        "/permission/0/constraint/0",
        "exactly one operator",
        True,
    ),
    (
        "nested-logical",
        _set(C0, {"and": {"@list": [{"or": [BASE["permission"][0]["constraint"][0]]}]}}),
        UnsupportedPolicyFeature,
        "/permission/0/constraint/0/and/@list/0",
        "not logical constraints",
        True,
    ),
    (
        "referenced-operand",
        _set(C0, {"or": {"@list": [{"@id": "https://a.example/c1"}]}}),
        UnsupportedPolicyFeature,
        "/permission/0/constraint/0/or/@list/0",
        "inline",
        False,
    ),
    (
        "set-operands",
        _set(C0, {"or": {"@set": [BASE["permission"][0]["constraint"][0]]}}),
        PolicySyntaxError,
        "/permission/0/constraint/0/or",
        "@list",
        True,
    ),
]


@pytest.mark.parametrize(
    ("mutate", "error", "pointer", "fragment"),
    [pytest.param(m, e, p, f, id=i) for i, m, e, p, f, _ in BAD],
)
def test_bad_documents_raise_with_pointer(
    mutate: Mutation, error: type[PolicyError], pointer: str, fragment: str
) -> None:
    document = base()
    mutate(document)
    with pytest.raises(error) as info:
        from_jsonld(document)
    assert info.value.pointer == pointer
    assert fragment in info.value.message
    assert isinstance(info.value, ValueError)
    assert str(info.value).endswith(f"(at {pointer or '/'})")


def test_non_object_and_non_json() -> None:
    with pytest.raises(PolicySyntaxError, match="JSON object") as info:
        from_jsonld([])  # type: ignore[arg-type]
    assert info.value.pointer == ""
    with pytest.raises(PolicySyntaxError, match="not JSON"):
        from_jsonld("{")


# --------------------------------------------------------------------------- RDF


@pytest.mark.parametrize("name", CG_POLICIES)
def test_formal_semantics_policies_keep_their_rdf(standards: Path, name: str) -> None:
    examples = standards / "odrl" / "formal-semantics" / "examples"
    original = json.loads((examples / name).read_text("utf-8"))
    policy = from_jsonld(original)
    assert isomorphic(graph_of(to_jsonld(policy)), graph_of(original))
    assert from_jsonld(to_jsonld(policy)) == policy


def test_binational_fixture_is_the_stored_turtle(standards: Path) -> None:
    document = load_fixture("valid-binational-agreement.json")
    turtle = Graph().parse(standards / "odrl" / "fixtures" / "valid-binational-agreement.ttl")
    # The Turtle states two things our JSON-LD leaves implicit: rule and constraint types
    # (implied by the ranges of odrl:permission, odrl:constraint, ...) and an odrl:uid
    # triple (the ODRL context makes "uid" an alias of @id, so it names the node instead).
    uid = URIRef("https://example.org/agreement/gt-mx-2025")
    expected = turtle - _types(turtle)
    expected.remove((uid, ODRL_NS.uid, uid))
    assert isomorphic(graph_of(document), expected)
    assert isomorphic(to_graph(from_jsonld(document)), expected)


def test_to_graph_is_the_atomic_form() -> None:
    offer = from_jsonld(load_fixture("every-feature-offer.json"))
    graph = to_graph(offer)
    assert isomorphic(graph, graph_of(to_jsonld(atomize(offer))))
    # 1 permission x 2 targets x 2 assignees, each a rule of its own, with its assigner.
    permissions = list(graph.objects(URIRef(offer.uid), ODRL_NS.permission))
    assert len(permissions) == 4
    for rule in permissions:
        assert len(list(graph.objects(rule, ODRL_NS.target))) == 1
        assert len(list(graph.objects(rule, ODRL_NS.assignee))) == 1
        assert len(list(graph.objects(rule, ODRL_NS.assigner))) == 1
    assert (URIRef(offer.uid), ODRL_NS.target, None) not in graph


def test_atomize_keeps_single_rules_and_drops_split_uids() -> None:
    rule = Permission(action=Action(terms.USE), uid="https://example.org/r1")
    single = Policy(
        uid="https://example.org/p", targets=("https://example.org/t",), permissions=(rule,)
    )
    assert atomize(single).permissions[0].uid == "https://example.org/r1"
    assert atomize(single).permissions[0].targets == ("https://example.org/t",)
    double = Policy(
        uid="https://example.org/p", assignees=("https://a/1", "https://a/2"), permissions=(rule,)
    )
    assert [p.uid for p in atomize(double).permissions] == [None, None]


def test_eu_country_iris_are_kept_whole() -> None:
    document = base()
    document["permission"][0]["constraint"] = [
        {"leftOperand": "spatial", "operator": "eq", "rightOperand": {"@id": EU + "MEX"}}
    ]
    assert to_jsonld(from_jsonld(document)) == document
