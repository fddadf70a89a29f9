"""Offers of datasets: templates, JSON-LD, the checks, revisions, and the engine wiring."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from sqlmodel import func, select

from catalog import dataset_policies, policy_context
from catalog.errors import (
    Forbidden,
    InvalidMetadata,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from catalog.models import AuditEvent, DatasetPolicy
from catalog.policy_templates import TEMPLATES, TemplateContext
from policies import compile_policy, from_jsonld, terms, to_jsonld
from tests.conftest import BASE_URI, SYSTEM

DATASET_IRI = f"{BASE_URI}dataset/enei-2024"
PUBLISHER_IRI = f"{BASE_URI}organization/mintrab-gt"


def offer(**overrides: Any) -> dict[str, Any]:
    """A custom offer for enei-2024 in the canonical JSON-LD form."""
    document: dict[str, Any] = {
        "@context": [
            "http://www.w3.org/ns/odrl.jsonld",
            {"dpv": "https://w3id.org/dpv#", "simel": "https://w3id.org/simel/odrl#"},
        ],
        "@type": "Offer",
        "uid": f"{DATASET_IRI}/offer-custom",
        "profile": "https://w3id.org/simel/odrl",
        "conflict": "prohibit",
        "assigner": PUBLISHER_IRI,
        "target": DATASET_IRI,
        "permission": [
            {
                "action": "use",
                "constraint": [
                    {
                        "leftOperand": "purpose",
                        "operator": "isA",
                        "rightOperand": {"@id": "dpv:PublicBenefit"},
                    }
                ],
                "duty": [{"action": "attribute"}],
            }
        ],
        "prohibition": [{"action": "simel:reidentify"}],
    }
    document.update(overrides)
    return document


@pytest.fixture(autouse=True)
def _catalog(make_org, make_dataset):
    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")
    make_org("igm-gt")
    make_dataset(access_rights="RESTRICTED")


def put(session, body, if_match=None, actor=SYSTEM):
    return dataset_policies.set_policy(
        session, actor=actor, name="enei-2024", body=body, if_match=if_match, base_uri=BASE_URI
    )


def pointers(error: InvalidMetadata) -> list[str]:
    return [e.pointer for e in error.errors]


# ------------------------------------------------------------------------------ templates

PARAMETERS = {
    "open-data": {},
    "restricted-statistical-aggregates": {"min_cell_size": 25},
    "binational-labour-migration-exchange": {
        "assignees": ["stps-mx"],
        "purposes": ["ProvideOfficialStatistics"],
        "retention": "P18M",
        "min_cell_size": 5,
    },
}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_gives_a_valid_offer_the_engine_can_fully_evaluate(session, name):
    row, created = put(session, {"template": name, "parameters": PARAMETERS[name]})
    assert created
    assert row.template == name
    assert row.policy_type == "Offer"
    assert row.uid == f"{DATASET_IRI}/offer"
    assert row.document["assigner"] == PUBLISHER_IRI
    assert row.document["target"] == DATASET_IRI
    # What the template path does not repeat, checked here once and for all.
    assert compile_policy(from_jsonld(row.document)).issues == ()
    from metadata_schemas import ODRL_POLICY_SCHEMA, iter_errors

    assert list(iter_errors(ODRL_POLICY_SCHEMA, row.document)) == []


def test_binational_template_names_organizations_by_iri_and_defaults_countries(session):
    row, _ = put(
        session,
        {
            "template": "binational-labour-migration-exchange",
            "parameters": {"assignees": ["stps-mx", "igm-gt"]},
        },
    )
    document = row.document
    assert document["assignee"] == [
        f"{BASE_URI}organization/stps-mx",
        f"{BASE_URI}organization/igm-gt",
    ]
    spatial = document["permission"][0]["constraint"][1]
    assert spatial["leftOperand"] == "spatial"
    assert [v["@id"] for v in spatial["rightOperand"]] == [
        terms.EU_COUNTRY + "MEX",
        terms.EU_COUNTRY + "GTM",
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"template": "opne-data"}, ["/template"]),
        (
            {"template": "restricted-statistical-aggregates", "parameters": {"min_cell_size": 1}},
            ["/parameters/min_cell_size"],
        ),
        (
            {"template": "restricted-statistical-aggregates", "parameters": {"cells": 5}},
            ["/parameters/cells"],
        ),
        (
            {"template": "binational-labour-migration-exchange", "parameters": {}},
            ["/parameters/assignees"],
        ),
        (
            {
                "template": "binational-labour-migration-exchange",
                "parameters": {"assignees": ["nobody-xx"]},
            },
            ["/parameters/assignees/0"],
        ),
        (
            {
                "template": "binational-labour-migration-exchange",
                "parameters": {"assignees": ["stps-mx"], "purposes": ["PublicTask"]},
            },
            ["/parameters/purposes/0"],
        ),
        (
            {
                "template": "binational-labour-migration-exchange",
                "parameters": {"assignees": ["stps-mx"], "recipient_countries": ["XXX"]},
            },
            ["/parameters/recipient_countries/0"],
        ),
        ({"template": "open-data", "extra": 1}, ["/extra"]),
    ],
)
def test_bad_template_requests_point_at_the_parameter(session, body, expected):
    with pytest.raises(InvalidMetadata) as caught:
        put(session, body)
    assert pointers(caught.value) == expected


def test_unknown_template_suggests_the_close_one(session):
    with pytest.raises(InvalidMetadata) as caught:
        put(session, {"template": "opne-data"})
    assert caught.value.errors[0].extra["suggestions"] == ["open-data"]


def test_template_contexts_are_plain_values():
    context = TemplateContext("u", "a", "t", BASE_URI, {})
    policy = TEMPLATES["open-data"].build(context, {})
    assert policy.uid == "u"


# -------------------------------------------------------------------------------- JSON-LD


def test_a_canonical_offer_round_trips_unchanged(session):
    row, _ = put(session, offer())
    assert row.document == offer()
    assert row.template is None
    _, stored = dataset_policies.get_policy(session, actor=SYSTEM, name="enei-2024")
    assert to_jsonld(from_jsonld(stored.document)) == offer()


def test_a_non_canonical_offer_is_stored_canonically_as_the_same_graph(session):
    from rdflib.compare import isomorphic

    from policies import to_graph

    document = offer(target=[DATASET_IRI], conflict="odrl:prohibit")
    document["@id"] = document.pop("uid")
    row, _ = put(session, document)
    assert row.document == offer()
    assert isomorphic(to_graph(from_jsonld(document)), to_graph(from_jsonld(row.document)))


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    document = offer()
    node: Any = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("document", "expected", "fragment"),
    [
        # JSON Schema
        (offer(permission="use"), ["/permission"], "array"),
        # The parser, beyond the schema
        (offer(**{"zz:note": "x"}), ["/zz:note"], "undeclared prefix"),
        (
            _with(
                ("permission", 0, "constraint", 0),
                {
                    "leftOperand": "dateTime",
                    "operator": "lt",
                    "rightOperand": {"@value": "2026-02-30T00:00:00Z", "@type": "xsd:dateTime"},
                },
            ),
            ["/permission/0/constraint/0/rightOperand/@value"],
            "xsd:dateTime",
        ),
        # Longer than any IRI the catalog stores
        (offer(uid=f"{DATASET_IRI}/{'o' * 2000}"), ["/uid"], "is too long"),
        # The catalog's rules
        (offer(**{"@type": "Set"}), ["/@type"], "Offer"),
        (offer(assigner=f"{BASE_URI}organization/stps-mx"), ["/assigner"], "publisher"),
        (offer(target=f"{BASE_URI}dataset/other"), ["/target"], "as target"),
        # The engine: an unevaluable constraint in a prohibition would fail open
        (
            _with(
                ("prohibition", 0, "constraint"),
                [{"leftOperand": "resolution", "operator": "lt", "rightOperand": 300}],
            ),
            ["/prohibition/0/constraint/0"],
            "fail open",
        ),
    ],
)
def test_offers_the_catalog_cannot_stand_behind_are_refused(session, document, expected, fragment):
    with pytest.raises(InvalidMetadata) as caught:
        put(session, document)
    assert pointers(caught.value) == expected
    assert fragment in caught.value.errors[0].detail
    assert session.exec(select(func.count()).select_from(DatasetPolicy)).one() == 0


# ------------------------------------------------------------------- revisions and access


def test_changes_add_revisions_with_preconditions_and_audit(session):
    first, created = put(session, {"template": "open-data"})
    assert (first.revision, created) == (1, True)
    with pytest.raises(PreconditionRequired):
        put(session, offer())
    with pytest.raises(PreconditionFailed):
        put(session, offer(), if_match=7)
    second, created = put(session, offer(), if_match=1)
    assert (second.revision, created) == (2, True)
    same, created = put(session, offer(), if_match=2)
    assert (same.revision, created) == (2, False)
    revisions = session.exec(select(DatasetPolicy.revision).order_by(DatasetPolicy.revision)).all()
    assert revisions == [1, 2]  # the first revision is kept
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "policy.set")).all()
    assert [(e.object_id, e.details["revision"]) for e in events] == [
        ("enei-2024", 1),
        ("enei-2024", 2),
    ]
    assert events[0].details["template"] == "open-data"


def test_if_match_without_a_policy_is_refused(session):
    with pytest.raises(PreconditionFailed, match="no policy yet"):
        put(session, offer(), if_match=1)


def test_only_stewards_with_governance_write_set_offers(session, make_user):
    from catalog.accounts import user_principal

    ana, _ = make_user("ana", steward="mintrab-gt")
    luis, _ = make_user("luis", steward="stps-mx")
    steward = user_principal(session, ana)
    with pytest.raises(Forbidden):
        put(session, offer(), actor=user_principal(session, luis))
    with pytest.raises(Forbidden, match="governance:write"):
        put(
            session,
            offer(),
            actor=user_principal(session, ana, scopes=frozenset({"catalog:write"})),
        )
    row, _ = put(
        session, offer(), actor=user_principal(session, ana, scopes=frozenset({"governance:write"}))
    )
    assert row.created_by == "ana"
    assert put(session, offer(), if_match=1, actor=steward)[1] is False


def test_a_dataset_without_an_offer_is_404(session):
    with pytest.raises(NotFound, match="no offer policy"):
        dataset_policies.get_policy(session, actor=SYSTEM, name="enei-2024")


# ------------------------------------------------------------------------ engine wiring


def test_the_hierarchy_is_the_dpv_purpose_tree():
    hierarchy = policy_context.hierarchy()
    statistics = terms.DPV + "ProvideOfficialStatistics"
    assert hierarchy.purposes.within(statistics, terms.DPV + "PublicBenefit")
    assert not hierarchy.purposes.within(terms.DPV + "PublicBenefit", statistics)
    assert hierarchy.purposes.within(
        terms.DPV + "AcademicResearch", terms.DPV + "ResearchAndDevelopment"
    )


def test_compiled_policies_are_cached_per_revision(session, monkeypatch):
    row, _ = put(session, offer())
    calls = []
    real = policy_context.compile_policy
    monkeypatch.setattr(policy_context, "compile_policy", lambda p: calls.append(p) or real(p))
    policy_context._compiled.clear()
    assert policy_context.compiled(row) is policy_context.compiled(row)
    assert len(calls) == 1
    second, _ = put(session, {"template": "open-data"}, if_match=1)
    policy_context.compiled(second)
    assert len(calls) == 2


def evaluate(session, request: dict[str, Any], **body: Any):
    return policy_context.evaluate_request(
        session,
        actor=SYSTEM,
        body={"dataset": "enei-2024", "request": request, **body},
        base_uri=BASE_URI,
    )


def test_evaluate_uses_the_dpv_hierarchy_and_explains(session):
    put(session, offer())
    decision, source = evaluate(
        session, {"action": "read", "assignee": "stps-mx", "purpose": "ProvideOfficialStatistics"}
    )
    assert decision.outcome == "permit"
    assert decision.request.assignee == f"{BASE_URI}organization/stps-mx"
    assert decision.request.assignee_country == "MEX"
    assert decision.request.target == DATASET_IRI
    assert source == {"dataset": "enei-2024", "policy_revision": 1}
    denied, _ = evaluate(session, {"action": "read", "assignee": "stps-mx", "purpose": "Marketing"})
    assert (denied.outcome, denied.reason) == ("deny", "not_permitted")
    prohibited, _ = evaluate(session, {"action": "simel:reidentify", "assignee": "stps-mx"})
    assert prohibited.outcome == "deny"
    nothing, _ = evaluate(session, {"action": "transfer", "assignee": "stps-mx"})
    assert nothing.outcome == "not_applicable"
    by_iri, _ = evaluate(session, {"action": "read", "assignee": f"{BASE_URI}organization/stps-mx"})
    assert by_iri.request.assignee_country == "MEX"


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"dataset": "enei-2024", "request": {}}, "/request/action"),
        ({"dataset": "enei-2024", "policy": {}, "request": {"action": "use"}}, ""),
        (
            {"dataset": "enei-2024", "request": {"action": "use", "purpose": "Nonsense"}},
            "/request/purpose",
        ),
        (
            {"dataset": "enei-2024", "request": {"action": "use", "assignee": "nobody-xx"}},
            "/request/assignee",
        ),
        (
            {"dataset": "enei-2024", "request": {"action": "use", "time": "yesterday"}},
            "/request/time",
        ),
        (
            {
                "policy": {"@context": "http://www.w3.org/ns/odrl.jsonld", "permission": 1},
                "request": {"action": "use"},
            },
            "/policy/permission",
        ),
    ],
)
def test_bad_evaluation_requests_point_at_the_member(session, body, pointer):
    put(session, offer())
    with pytest.raises(InvalidMetadata) as caught:
        policy_context.evaluate_request(session, actor=SYSTEM, body=body, base_uri=BASE_URI)
    assert pointer in pointers(caught.value)


def test_evaluate_an_inline_policy_at_a_given_time(session):
    inline = copy.deepcopy(offer())
    inline["permission"][0]["constraint"] = [
        {
            "leftOperand": "dateTime",
            "operator": "lt",
            "rightOperand": {"@value": "2030-01-01T00:00:00Z", "@type": "xsd:dateTime"},
        }
    ]
    before, source = policy_context.evaluate_request(
        session,
        actor=SYSTEM,
        body={
            "policy": inline,
            "request": {"action": "use", "time": "2029-12-31T23:59:59Z", "target": DATASET_IRI},
        },
        base_uri=BASE_URI,
    )
    assert before.outcome == "permit"
    assert source == {"dataset": None, "policy_revision": None}
    after, _ = policy_context.evaluate_request(
        session,
        actor=SYSTEM,
        body={
            "policy": inline,
            "request": {"action": "use", "time": "2030-01-01T00:00:00Z", "target": DATASET_IRI},
        },
        base_uri=BASE_URI,
    )
    assert after.outcome == "deny"
    assert after.rules[0].constraints[0].actual == dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
