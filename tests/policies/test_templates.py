"""Templates behave as their names promise, and Agreements derive from Offers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, SKOS, Graph, URIRef

from policies import (
    Constraint,
    Hierarchy,
    LogicalConstraint,
    Policy,
    PolicyType,
    Ref,
    TypedLiteral,
    evaluate,
    from_jsonld,
    terms,
    to_jsonld,
)
from policies.templates import (
    POLICY_DESIGN,
    STATISTICS,
    agreement_from_offer,
    binational_labour_migration_exchange,
    open_data,
    restricted_statistical_aggregates,
)
from tests.policies.conftest import (
    DATASET,
    DPV,
    INM_MX,
    MINTRAB_GT,
    NOW,
    OTHER_DATASET,
    SMALL_HIERARCHY,
    STPS_MX,
    STPS_SV,
    THIRD_PARTY,
    request,
)


def outcome(policy: Policy, hierarchy: Hierarchy = SMALL_HIERARCHY, **overrides: Any) -> str:
    return evaluate(policy, request(**overrides), hierarchy=hierarchy).outcome


# --------------------------------------------------------------------------- open data

OPEN = open_data(uid="https://catalog.simel.example/policy/open", assigner=MINTRAB_GT)


@pytest.mark.parametrize("action", ["read", "reproduce", "distribute", "derive", "display", "use"])
def test_open_data_lets_anyone_use_with_attribution(action: str) -> None:
    decision = evaluate(OPEN, request(action=action, assignee=THIRD_PARTY, purpose=None))
    assert decision.outcome == "permit"
    assert [d.duty.action.iri for d in decision.duties] == [terms.ATTRIBUTE]


def test_open_data_does_not_transfer_ownership() -> None:
    assert outcome(OPEN, action="transfer") == "not_applicable"


# --------------------------------------------------------------------------- aggregates

AGGREGATES = restricted_statistical_aggregates(
    uid="https://catalog.simel.example/policy/aggregates", assigner=MINTRAB_GT, min_cell_size=10
)


@pytest.mark.parametrize(
    ("overrides", "expected", "reason"),
    [
        ({"action": "aggregate", "min_cell_size": 12}, "permit", "permitted"),
        ({"action": "read", "min_cell_size": 10}, "permit", "permitted"),
        ({"action": "distribute", "min_cell_size": 25}, "permit", "permitted"),
        ({"action": "read"}, "deny", "not_permitted"),  # record-level
        ({"action": "aggregate", "min_cell_size": 9}, "deny", "not_permitted"),
        ({"action": "distribute"}, "deny", "prohibited"),  # record-level
        ({"action": "distribute", "min_cell_size": 5}, "deny", "prohibited"),
    ],
)
def test_restricted_aggregates(overrides: dict[str, Any], expected: str, reason: str) -> None:
    decision = evaluate(AGGREGATES, request(**overrides))
    assert (decision.outcome, decision.reason) == (expected, reason)


def test_aggregates_threshold_must_exclude_record_level() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        restricted_statistical_aggregates(
            uid="https://x.example/p", assigner=MINTRAB_GT, min_cell_size=1
        )


# --------------------------------------------------------------------------- binational exchange

OFFER = binational_labour_migration_exchange(
    uid="https://catalog.simel.example/policy/gt-mx",
    assigner=MINTRAB_GT,
    assignees=[STPS_MX, INM_MX],
    recipient_countries=["MEX"],
    targets=[DATASET],
)


@pytest.mark.parametrize(
    ("overrides", "expected", "reason"),
    [
        ({}, "permit", "permitted"),
        ({"purpose": POLICY_DESIGN}, "permit", "permitted"),
        (
            {"purpose": "https://example.org/purpose/LabourMigrationStatistics"},
            "permit",
            "permitted",
        ),
        ({"purpose": DPV + "ResearchAndDevelopment"}, "deny", "not_permitted"),
        ({"purpose": None}, "deny", "not_permitted"),
        ({"assignee_country": "GTM"}, "deny", "not_permitted"),
        ({"action": "distribute", "recipient": INM_MX}, "permit", "permitted"),
        ({"action": "distribute", "recipient": MINTRAB_GT}, "permit", "permitted"),
        ({"action": "distribute", "recipient": THIRD_PARTY}, "deny", "prohibited"),
        ({"action": "simel:reidentify"}, "deny", "conflict_prohibit"),
        ({"action": "transfer"}, "deny", "prohibited"),
        ({"assignee": STPS_SV, "assignee_country": "SLV"}, "not_applicable", "no_applicable_rule"),
        ({"target": OTHER_DATASET}, "not_applicable", "no_applicable_rule"),
    ],
)
def test_binational_exchange(overrides: dict[str, Any], expected: str, reason: str) -> None:
    decision = evaluate(OFFER, request(**overrides), hierarchy=SMALL_HIERARCHY)
    assert (decision.outcome, decision.reason) == (expected, reason)


def test_binational_duties_attribute_and_delete_after_retention() -> None:
    start = NOW - timedelta(days=400)
    early = evaluate(OFFER, request(elapsed_start=start), hierarchy=SMALL_HIERARCHY)
    assert [(terms.display(d.duty.action.iri), d.active) for d in early.duties] == [
        ("attribute", True),
        ("delete", False),
    ]
    late = evaluate(
        OFFER, request(elapsed_start=start - timedelta(days=400)), hierarchy=SMALL_HIERARCHY
    )
    assert [(terms.display(d.duty.action.iri), d.active) for d in late.duties] == [
        ("attribute", True),
        ("delete", True),
    ]
    # Once the deletion is known to be violated, further use is refused.
    violated = request(elapsed_start=start - timedelta(days=400), violated_duties={"delete"})
    assert evaluate(OFFER, violated, hierarchy=SMALL_HIERARCHY).outcome == "deny"


def test_binational_options() -> None:
    offer = binational_labour_migration_exchange(
        uid="https://catalog.simel.example/policy/gt-sv",
        assigner=MINTRAB_GT,
        assignees=[STPS_SV],
        recipient_countries=["http://publications.europa.eu/resource/authority/country/SLV"],
        purposes=[STATISTICS],
        retention="P18M",
        min_cell_size=10,
    )
    purpose, spatial, recipient, cells = offer.permissions[0].constraints
    assert purpose == Constraint(terms.PURPOSE, terms.IS_A, (Ref(STATISTICS),))
    assert spatial == Constraint(terms.SPATIAL, terms.IS_ANY_OF, (Ref(terms.EU_COUNTRY + "SLV"),))
    assert recipient == Constraint(
        terms.RECIPIENT, terms.IS_ANY_OF, (Ref(MINTRAB_GT), Ref(STPS_SV))
    )
    assert cells == Constraint(terms.MIN_CELL_SIZE, terms.GTEQ, (10,))
    sv = {"assignee": STPS_SV, "assignee_country": "SLV"}
    assert outcome(offer, **sv, min_cell_size=10) == "permit"
    assert outcome(offer, **sv) == "deny"
    for bad in (
        {"assignees": []},
        {"recipient_countries": []},
        {"purposes": []},
        {"retention": "2 years"},
    ):
        arguments: dict[str, Any] = {
            "uid": "https://x.example/p",
            "assigner": MINTRAB_GT,
            "assignees": [STPS_SV],
            "recipient_countries": ["SLV"],
            **bad,
        }
        with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
            binational_labour_migration_exchange(**arguments)


def test_binational_purposes_follow_the_dpv_hierarchy(standards: Path) -> None:
    # How the catalog plugs DPV in: skos:broader of dpv.ttl as the purposes relation.
    dpv = Graph().parse(standards / "dpv" / "dpv.ttl")
    parents: dict[str, list[str]] = {}
    for child, parent in dpv.subject_objects(SKOS.broader):
        parents.setdefault(str(child), []).append(str(parent))
    hierarchy = Hierarchy(purposes=parents)
    assert (URIRef(STATISTICS), RDF.type, URIRef(DPV + "Purpose")) in dpv
    assert DPV + "PublicBenefit" in hierarchy.purposes.ancestors(STATISTICS)
    assert outcome(OFFER, hierarchy, purpose=STATISTICS) == "permit"
    assert outcome(OFFER, hierarchy, purpose=POLICY_DESIGN) == "permit"
    # A broader purpose is not a narrower one: public benefit in general is not statistics.
    assert outcome(OFFER, hierarchy, purpose=DPV + "PublicBenefit") == "deny"


def test_templates_are_editable_by_replacement() -> None:
    permission = OFFER.permissions[0]
    purpose = permission.constraints[0]
    assert isinstance(purpose, LogicalConstraint)
    edited = dataclasses.replace(
        OFFER,
        permissions=(dataclasses.replace(permission, constraints=permission.constraints[1:]),),
    )
    assert outcome(edited, purpose=DPV + "ResearchAndDevelopment") == "permit"
    assert outcome(OFFER, purpose=DPV + "ResearchAndDevelopment") == "deny"
    assert from_jsonld(to_jsonld(edited)) == edited


# --------------------------------------------------------------------------- agreements

VALID_FROM = datetime(2026, 1, 1, tzinfo=UTC)
VALID_UNTIL = datetime(2027, 1, 1, tzinfo=UTC)


def agreement(offer: Policy = OFFER, **overrides: Any) -> Policy:
    arguments: dict[str, Any] = {
        "uid": "https://catalog.simel.example/agreement/gt-mx-1",
        "assigner": MINTRAB_GT,
        "assignees": [STPS_MX],
        "targets": [DATASET],
        "valid_from": VALID_FROM,
        "valid_until": VALID_UNTIL,
        "purpose": STATISTICS,
        "legal_basis": [DPV + "PublicInterest"],
    }
    arguments.update(overrides)
    return agreement_from_offer(offer, **arguments)


def test_agreement_shape() -> None:
    signed = agreement()
    assert signed.type is PolicyType.AGREEMENT
    assert (signed.assigner, signed.assignees, signed.targets) == (
        MINTRAB_GT,
        (STPS_MX,),
        (DATASET,),
    )
    assert signed.conflict == OFFER.conflict
    assert signed.profiles == OFFER.profiles
    assert signed.annotation_values() == {"dpv:hasLegalBasis": [{"@id": "dpv:PublicInterest"}]}
    validity = signed.permissions[0].constraints[-3:]
    assert validity == (
        Constraint(terms.DATE_TIME, terms.GTEQ, (terms_literal("2026-01-01T00:00:00Z"),)),
        Constraint(terms.DATE_TIME, terms.LT, (terms_literal("2027-01-01T00:00:00Z"),)),
        Constraint(terms.PURPOSE, terms.IS_A, (Ref(STATISTICS),)),
    )
    assert signed.prohibitions == OFFER.prohibitions


def terms_literal(text: str) -> TypedLiteral:
    return TypedLiteral(text, terms.XSD + "dateTime")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "permit"),
        ({"time": VALID_FROM}, "permit"),
        ({"time": VALID_FROM - timedelta(seconds=1)}, "deny"),
        ({"time": VALID_UNTIL}, "deny"),
        ({"purpose": POLICY_DESIGN}, "deny"),  # the Offer allowed it, the Agreement does not
        ({"assignee": INM_MX}, "not_applicable"),  # named in the Offer, not a party here
        ({"action": "distribute", "recipient": THIRD_PARTY}, "deny"),
    ],
)
def test_agreement_decisions(overrides: dict[str, Any], expected: str) -> None:
    assert outcome(agreement(), **overrides) == expected


def test_agreement_drops_offer_identifiers() -> None:
    offer = from_jsonld(
        {
            "@context": terms.ODRL_CONTEXT,
            "@type": "Offer",
            "uid": "https://x.example/offer",
            "permission": [
                {
                    "uid": "https://x.example/offer#p",
                    "action": [
                        {
                            "uid": "https://x.example/offer#a",
                            "rdf:value": {"@id": "odrl:read"},
                            "refinement": [
                                {
                                    "uid": "https://x.example/offer#r",
                                    "leftOperand": "count",
                                    "operator": "lt",
                                    "rightOperand": 5,
                                }
                            ],
                        }
                    ],
                    "constraint": [
                        {
                            "uid": "https://x.example/offer#l",
                            "or": [
                                {
                                    "uid": "https://x.example/offer#c",
                                    "leftOperand": "count",
                                    "operator": "lt",
                                    "rightOperand": 5,
                                }
                            ],
                        }
                    ],
                    "duty": [
                        {
                            "uid": "https://x.example/offer#d",
                            "action": "delete",
                            "consequence": [
                                {"uid": "https://x.example/offer#q", "action": "inform"}
                            ],
                        }
                    ],
                }
            ],
            "prohibition": [{"uid": "https://x.example/offer#x", "action": "transfer"}],
            "obligation": [{"uid": "https://x.example/offer#o", "action": "inform"}],
        }
    )
    text = str(to_jsonld(agreement(offer)))
    assert "https://x.example/offer#" not in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"assignees": []}, "assignees and targets"),
        ({"targets": []}, "assignees and targets"),
        ({"valid_from": datetime(2026, 1, 1)}, "time-zone aware"),
        ({"valid_until": VALID_FROM}, "after valid_from"),
    ],
)
def test_agreement_arguments(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        agreement(**overrides)
    with pytest.raises(ValueError, match="expected an Offer"):
        agreement(agreement())
