"""The JSON Schema for policy documents: valid, accepts what we write, points at errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from policies import Policy, from_jsonld, terms, to_jsonld
from policies.errors import json_pointer
from tests.policies.conftest import SCHEMA_PATH, all_templates, load_fixture, own_fixture_names
from tests.policies.test_jsonld import BAD, BASE, CG_POLICIES, Mutation


def schema_pointer(validator: Draft202012Validator, document: Any) -> str | None:
    error = best_match(validator.iter_errors(document))
    return None if error is None else json_pointer(error.absolute_path)


def test_schema_identity() -> None:
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == "urn:simel:schema:odrl-policy:1.0"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_term_lists_follow_the_package() -> None:
    defs = json.loads(SCHEMA_PATH.read_text("utf-8"))["$defs"]
    assert set(defs["actionName"]["anyOf"][0]["enum"]) == terms.CONTEXT_ACTIONS
    constraint = defs["constraint"]["properties"]
    assert set(constraint["leftOperand"]["anyOf"][0]["enum"]) == terms.CONTEXT_LEFT_OPERANDS
    assert set(constraint["operator"]["anyOf"][0]["enum"]) == terms.CONTEXT_OPERATORS
    assert set(defs["prefixes"]["propertyNames"]["not"]["enum"]) == terms.CONTEXT_TERMS


@pytest.mark.parametrize("name", own_fixture_names())
def test_own_fixtures_are_valid(schema_validator: Draft202012Validator, name: str) -> None:
    assert schema_pointer(schema_validator, load_fixture(name)) is None


@pytest.mark.parametrize("policy", all_templates(), ids=lambda p: p.uid.rsplit("/", 1)[-1])
def test_templates_are_valid(schema_validator: Draft202012Validator, policy: Policy) -> None:
    assert schema_pointer(schema_validator, to_jsonld(policy)) is None


@pytest.mark.parametrize("name", CG_POLICIES)
def test_formal_semantics_policies_are_valid(
    schema_validator: Draft202012Validator, standards: Path, name: str
) -> None:
    examples = standards / "odrl" / "formal-semantics" / "examples"
    assert (
        schema_pointer(schema_validator, json.loads((examples / name).read_text("utf-8"))) is None
    )


@pytest.mark.parametrize(
    ("mutate", "pointer"),
    [pytest.param(m, p, id=i) for i, m, _, p, _, same in BAD if same],
)
def test_bad_documents_fail_at_the_parser_pointer(
    schema_validator: Draft202012Validator, mutate: Mutation, pointer: str
) -> None:
    document = copy.deepcopy(BASE)
    mutate(document)
    assert schema_pointer(schema_validator, document) == pointer


# What the schema does where only the parser can be exact (the parser's pointer is tested
# in test_jsonld): either it cannot see the problem at all, or JSON Schema reports it one
# level up.
SCHEMA_ONLY_DIFFERENCES = {
    # propertyNames errors carry the object's path, not the member's.
    "redefined-term": "/@context/1",
    "context-keyword": "/@context/1",
    # Whether a prefix was declared is beyond JSON Schema: the schema accepts the member.
    "undeclared-prefix": None,
    # A language-tagged value fails the value-object schema at its "@language" member.
    "language-operand": "/permission/0/constraint/0/rightOperand/@language",
    # A bare reference lacks leftOperand, operator and rightOperand.
    "referenced-operand": "/permission/0/constraint/0/or/@list/0",
}


@pytest.mark.parametrize(
    ("mutate", "pointer"),
    [pytest.param(m, SCHEMA_ONLY_DIFFERENCES[i], id=i) for i, m, _, _, _, same in BAD if not same],
)
def test_where_the_schema_differs_from_the_parser(
    schema_validator: Draft202012Validator, mutate: Mutation, pointer: str | None
) -> None:
    document = copy.deepcopy(BASE)
    mutate(document)
    assert schema_pointer(schema_validator, document) == pointer


def test_every_schema_valid_fixture_is_parser_valid() -> None:
    for name in own_fixture_names():
        from_jsonld(load_fixture(name))
